import Foundation
import Testing
@testable import WalletConnectCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite("KeyChain and Crypto actor")
struct CryptoKeyChainTests {
    /// A fresh temporary directory for one test.
    private static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("walletkit-keychain-\(Hex.encode(SecureRandom.bytes(8)))", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    private static func mode(of url: URL) -> mode_t? {
        var info = stat()
        guard stat(url.path, &info) == 0 else { return nil }
        return info.st_mode & 0o777
    }

    @Test("key file is created with mode 0600 and a reopened key chain sees the keys")
    func persistence() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("keychain.json")
        let crypto = Crypto(keyChain: try KeyChain(fileURL: file))
        let publicKey = try await crypto.generateKeyPair()
        let (topic, _) = try await crypto.createPairingSymKey()
        let clientID = try await crypto.clientID()
        #expect(Self.mode(of: file) == 0o600)
        // No temporary files left behind.
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(names == ["keychain.json"])

        let reopened = try KeyChain(fileURL: file)
        #expect(reopened.has(publicKey))
        #expect(reopened.has(topic))
        #expect(reopened.has(Crypto.clientSeedTag))
        let crypto2 = Crypto(keyChain: reopened)
        #expect(try await crypto2.clientID() == clientID)
        #expect(await crypto2.hasKey(topic))

        try await crypto2.deleteSymKey(topic: topic)
        try await crypto2.deleteKeyPair(publicKey: publicKey)
        let third = try KeyChain(fileURL: file)
        #expect(!third.has(topic))
        #expect(!third.has(publicKey))
        #expect(Self.mode(of: file) == 0o600)
    }

    @Test("a corrupt key file gives a typed storage error")
    func corruptFile() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("keychain.json")
        try Data("not json".utf8).write(to: file)
        #expect(throws: StorageError.self) { try KeyChain(fileURL: file) }
    }

    @Test("missing key message")
    func missingKey() async throws {
        let keyChain = KeyChain.inMemory()
        #expect(throws: CryptoError.missingKey(tag: "abc")) { try keyChain.get("abc") }
        #expect(CryptoError.missingKey(tag: "abc").description == "No matching key. keychain: abc")
        try await keyChain.set("00", for: "abc")
        #expect(try keyChain.get("abc") == "00")
        #expect(keyChain.tags == ["abc"])
        try await keyChain.delete("abc")
        try await keyChain.delete("abc")
        #expect(!keyChain.has("abc"))
    }

    @Test("shared key is symmetric and stored under hashKey(symKey) or the override")
    func sharedKey() async throws {
        let a = Crypto(keyChain: .inMemory())
        let b = Crypto(keyChain: .inMemory())
        let aPublic = try await a.generateKeyPair()
        let bPublic = try await b.generateKeyPair()
        let topicA = try await a.generateSharedKey(selfPublicKey: aPublic, peerPublicKey: bPublic)
        let topicB = try await b.generateSharedKey(selfPublicKey: bPublic, peerPublicKey: aPublic)
        #expect(topicA == topicB)
        #expect(Hex.isLowercaseHex(topicA, byteCount: 32))
        let override = String(repeating: "0", count: 64)
        #expect(
            try await a.generateSharedKey(selfPublicKey: aPublic, peerPublicKey: bPublic, overrideTopic: override)
                == override)
        let text = try await a.encode(topic: override, payload: "{}")
        #expect(try await b.decode(topic: topicB, encoded: text) == "{}")
        await #expect(throws: CryptoError.missingKey(tag: bPublic)) {
            try await a.generateSharedKey(selfPublicKey: bPublic, peerPublicKey: aPublic)
        }
    }

    @Test("setSymKey validates and returns the topic")
    func setSymKey() async throws {
        let crypto = Crypto(keyChain: .inMemory())
        let symKey = "0653ca620c7b4990392e1c53c4a51c14a2840cd20f0f1524cf435b17b6fe988c"
        #expect(try await crypto.setSymKey(symKey) == "2c03712132ad2f85adc472a2242e608d67bfecd4362d05012d69a89143fecd16")
        #expect(try await crypto.setSymKey(symKey, overrideTopic: "t") == "t")
        await #expect(throws: CryptoError.invalidKeyLength) { try await crypto.setSymKey("abcd") }
        await #expect(throws: CryptoError.invalidHex) { try await crypto.setSymKey("xyz0") }
    }

    @Test("signJWT verifies, uses the wall clock and the persisted identity")
    func signJWT() async throws {
        let now: Int64 = 1_700_000_000
        let crypto = Crypto(keyChain: .inMemory(), wallClock: .fixed(milliseconds: now * 1000 + 999))
        let token = try await crypto.signJWT(audience: "wss://relay.walletconnect.org")
        let claims = try RelayJWT.verify(token, nowSeconds: now)
        #expect(claims.iss == (try await crypto.clientID()))
        #expect(claims.aud == "wss://relay.walletconnect.org")
        #expect(claims.iat == now)
        #expect(claims.exp == now + 86400)
        #expect(Hex.isLowercaseHex(claims.sub, byteCount: 32))
        let second = try RelayJWT.verify(try await crypto.signJWT(audience: "a"), nowSeconds: now)
        #expect(second.sub != claims.sub)
        #expect(second.iss == claims.iss)
        #expect(claims.iss.hasPrefix("did:key:z6Mk"))
    }
}
