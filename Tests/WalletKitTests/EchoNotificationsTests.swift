import Foundation
import Testing
import WalletConnectCore
import WalletConnectSign
import WalletKit

@Suite("WalletKitNotifications (no running client)", .timeLimit(.minutes(1)))
struct EchoNotificationsTests {
    static let dapp = Metadata(
        name: "Example dApp", description: "A dApp", url: "https://app.example.com", icons: ["https://app.example.com/i.png"]
    )
    static let payload = #"{"id":1700000000000001,"jsonrpc":"2.0","method":"wc_sessionRequest","params":{"chainId":"eip155:1"}}"#

    /// A temporary directory removed after `body`.
    static func withDirectory<T>(_ body: (URL) async throws -> T) async throws -> T {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("walletkit-notify-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        return try await body(directory)
    }

    /// What the running client (instance A) leaves on disk: a key chain file with the session key and a SQLite
    /// database with the session. Returns the session topic and a sealed envelope on it.
    static func seed(in directory: URL, prefix: String = "", payload: String = payload) async throws
        -> (topic: String, envelope: String)
    {
        let crypto = Crypto(keyChain: try KeyChain(fileURL: directory.appendingPathComponent("keychain.json")))
        let selfKey = try await crypto.generateKeyPair()
        let peerCrypto = Crypto(keyChain: KeyChain.inMemory())
        let peerKey = try await peerCrypto.generateKeyPair()
        let topic = try await crypto.generateSharedKey(selfPublicKey: selfKey, peerPublicKey: peerKey)
        _ = try await peerCrypto.generateSharedKey(selfPublicKey: peerKey, peerPublicKey: selfKey)
        // The dApp seals the request; the wallet's client stored the session.
        let envelope = try await peerCrypto.encode(topic: topic, payload: payload)
        let sessions = SessionStore(storage: try SQLiteStorage(path: directory.appendingPathComponent("wc.sqlite").path), prefix: prefix)
        try await sessions.load()
        try await sessions.set(
            Session(
                topic: topic, pairingTopic: String(repeating: "ab", count: 32), expiry: 4_000_000_000, acknowledged: true,
                controller: selfKey, namespaces: ["eip155": SessionNamespace(accounts: ["eip155:1:0xab16a96d359ec26a11e2c2b3d8f8b8942d5bfcdb"])],
                selfParticipant: Participant(publicKey: selfKey, metadata: Metadata(name: "Wallet", description: "", url: "https://wallet.example", icons: [])),
                peer: Participant(publicKey: peerKey, metadata: dapp)
            )
        )
        return (topic, envelope)
    }

    @Test("decrypts a pushed envelope from the client's key chain file, opened by another instance")
    func decryptFromFile() async throws {
        try await Self.withDirectory { directory in
            let (topic, envelope) = try await Self.seed(in: directory)
            let keyChainFile = directory.appendingPathComponent("keychain.json")
            let plaintext = await WalletKitNotifications.decryptMessage(
                topic: topic, encodedEnvelope: envelope, keyChainFile: keyChainFile
            )
            #expect(plaintext == Self.payload)
            // Nothing was written to the key chain.
            let before = try Data(contentsOf: keyChainFile)
            _ = await WalletKitNotifications.decryptMessage(topic: topic, encodedEnvelope: envelope, keyChainFile: keyChainFile)
            #expect(try Data(contentsOf: keyChainFile) == before)
        }
    }

    @Test("unknown topic, tampered envelope, type-2 envelope and a missing file give nil")
    func decryptFailures() async throws {
        try await Self.withDirectory { directory in
            let (topic, envelope) = try await Self.seed(in: directory)
            let file = directory.appendingPathComponent("keychain.json")
            #expect(await WalletKitNotifications.decryptMessage(
                topic: String(repeating: "0", count: 64), encodedEnvelope: envelope, keyChainFile: file) == nil)
            var bytes = try Base64Codec.decode(envelope)
            bytes[bytes.count - 1] ^= 0x01
            #expect(await WalletKitNotifications.decryptMessage(
                topic: topic, encodedEnvelope: Base64Codec.encode(bytes), keyChainFile: file) == nil)
            let type2 = Envelope.type2(payload: Array(Self.payload.utf8)).serialized()
            #expect(await WalletKitNotifications.decryptMessage(topic: topic, encodedEnvelope: type2, keyChainFile: file) == nil)
            #expect(await WalletKitNotifications.decryptMessage(topic: topic, encodedEnvelope: "%%%", keyChainFile: file) == nil)
            #expect(await WalletKitNotifications.decryptMessage(
                topic: topic, encodedEnvelope: envelope, keyChainFile: directory.appendingPathComponent("absent.json")) == nil)
        }
    }

    @Test("session metadata is read from the client's SQLite database by another instance", arguments: ["", "custom"])
    func sessionMetadata(prefix: String) async throws {
        try await Self.withDirectory { directory in
            let (topic, _) = try await Self.seed(in: directory, prefix: prefix)
            let path = directory.appendingPathComponent("wc.sqlite").path
            let metadata = try await WalletKitNotifications.sessionMetadata(topic: topic, databasePath: path, storagePrefix: prefix)
            #expect(metadata == Self.dapp)
        }
    }

    @Test("an unknown topic (e.g. a pairing topic) throws the store's error")
    func unknownSession() async throws {
        try await Self.withDirectory { directory in
            _ = try await Self.seed(in: directory)
            let path = directory.appendingPathComponent("wc.sqlite").path
            let missing = String(repeating: "c", count: 64)
            let error = await #expect(throws: StoreError.self) {
                try await WalletKitNotifications.sessionMetadata(topic: missing, databasePath: path)
            }
            #expect(error == .noMatchingKey(name: "session", key: missing))
            // A different prefix sees no sessions either.
            await #expect(throws: StoreError.self) {
                try await WalletKitNotifications.sessionMetadata(topic: missing, databasePath: path, storagePrefix: "other")
            }
        }
    }

    @Test("a push decrypts to a typed request by its tag; a tag that lies about the method, or garbage, is a typed error")
    func typedNotification() async throws {
        try await Self.withDirectory { directory in
            let request = #"{"id":1700000000000002,"jsonrpc":"2.0","method":"wc_sessionRequest","params":{"chainId":"eip155:1","request":{"method":"personal_sign","params":["0x68656c6c6f","0xab16a96d359ec26a11e2c2b3d8f8b8942d5bfcdb"]}}}"#
            let (topic, envelope) = try await Self.seed(in: directory, payload: request)
            let keyChainFile = directory.appendingPathComponent("keychain.json")
            let notification = try await WalletKitNotifications.decryptNotification(
                topic: topic, encodedEnvelope: envelope, tag: 1108, keyChainFile: keyChainFile)
            guard case .sessionRequest(let id, let pushedTopic, let params) = notification else {
                Issue.record("not a session request: \(notification)")
                return
            }
            #expect(id == 1_700_000_000_000_002)
            #expect(pushedTopic == topic)
            #expect(params.chainID == "eip155:1")
            #expect(params.request.method == "personal_sign")
            // Another tag gives the raw request.
            let other = try await WalletKitNotifications.decryptNotification(
                topic: topic, encodedEnvelope: envelope, tag: 1110, keyChainFile: keyChainFile)
            guard case .other(1110, let raw) = other else {
                Issue.record("not raw: \(other)")
                return
            }
            #expect(raw.method == "wc_sessionRequest")
            // A tag claiming a proposal for a session request, and an envelope that does not decrypt.
            await #expect(throws: WalletKitNotificationError.tagMismatch(tag: 1100, method: "wc_sessionRequest")) {
                _ = try await WalletKitNotifications.decryptNotification(
                    topic: topic, encodedEnvelope: envelope, tag: 1100, keyChainFile: keyChainFile)
            }
            await #expect(throws: WalletKitNotificationError.notDecrypted(topic: topic)) {
                _ = try await WalletKitNotifications.decryptNotification(
                    topic: topic, encodedEnvelope: "AAAA" + envelope.dropFirst(4), tag: 1108, keyChainFile: keyChainFile)
            }
            // The seed's request without a `request` member: valid JSON-RPC, invalid params.
            let (badTopic, badEnvelope) = try await Self.seed(in: directory)
            await #expect(throws: WalletKitNotificationError.invalidParams(method: "wc_sessionRequest")) {
                _ = try await WalletKitNotifications.decryptNotification(
                    topic: badTopic, encodedEnvelope: badEnvelope, tag: 1108, keyChainFile: keyChainFile)
            }
        }
    }
}
