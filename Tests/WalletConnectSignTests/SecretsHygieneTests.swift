import Foundation
import Logging
import Synchronization
import Testing
import WalletConnectCore
import WalletConnectRelayServer
import WalletConnectSign
import WalletKitTesting

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Every log record, rendered as text (level, label, message, all metadata, source).
final class CapturedLogs: Sendable {
    private let records = Locked<[String]>([])

    var all: [String] { records.withLock { $0 } }

    func append(_ record: String) { records.withLock { $0.append(record) } }

    /// A trace-level logger whose records land here.
    func logger(label: String) -> Logger {
        var logger = Logger(label: label) { label in CapturingLogHandler(label: label, sink: self) }
        logger.logLevel = .trace
        return logger
    }
}

/// A `LogHandler` that renders every record, with the handler's and the call's metadata, into ``CapturedLogs``.
struct CapturingLogHandler: LogHandler {
    let label: String
    let sink: CapturedLogs
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { _, call in call }
        let rendered = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        let error = event.error.map { " error=\(String(describing: $0))" } ?? ""
        sink.append("\(event.level) \(label) \(event.message) [\(rendered)]\(error) \(event.source) \(event.function)")
    }
}

/// Secrets hygiene (issue 7 §4): a whole session between two full ``SignClient``s (SQLite storage, key chain files,
/// real `Relayer`s) through the relay server on 127.0.0.1, every part logging at trace level into one capture.
/// No key, no sym key and no decrypted payload may appear in the logs; storage and key files are 0600.
@Suite("Secrets hygiene: logs and file modes of a full session", .timeLimit(.minutes(1)))
struct SecretsHygieneTests {
    static let methods = ["personal_sign", "eth_sendTransaction"]
    static let account = "0x3c582121909DE92Dc89A36898633C1aE4790382b"

    static func configuration(
        metadata: Metadata, url: String, directory: TemporaryDirectory, name: String, logs: CapturedLogs
    ) -> SignClientConfiguration {
        SignClientConfiguration(
            metadata: metadata, relayURL: url, storage: .sqlite(path: directory.path("\(name).sqlite").path),
            keyChain: .file(path: directory.path("\(name).keys.json").path), logger: logs.logger(label: "walletkit.\(name)"),
            relayer: RelayerConfiguration(userAgent: "wc-2/swift-test/linux", requestTimeout: .seconds(30)),
            engine: SignEngineOptions(requestQueueReleaseDelay: .zero))
    }

    /// Every value stored in the key chain file at `path` (private keys, sym keys, the identity seed).
    static func keyValues(at url: URL) throws -> Set<String> {
        let keyChain = try KeyChain(fileURL: url)
        return Set(try keyChain.tags.map { try keyChain.get($0) })
    }

    /// The text forms a leaked key could take: hex both cases, base64 and base64url of its bytes.
    static func forms(ofHex hex: String) throws -> [String] {
        let bytes = try Hex.decode(hex)
        return [hex.lowercased(), hex.uppercased(), Base64Codec.encode(bytes), Base64Codec.encodeURL(bytes)]
    }

    static func mode(_ url: URL) -> mode_t? {
        var info = stat()
        guard stat(url.path, &info) == 0 else { return nil }
        return info.st_mode & 0o777
    }

    static func first(
        _ events: AsyncStream<SignEvent>, where predicate: @escaping @Sendable (SignEvent) -> Bool
    ) async throws -> SignEvent {
        try await BoundedWait.first(in: events, within: .seconds(15), where: predicate)
    }

    @Test("a full session logged at trace level leaks no key or payload; database and key files are 0600")
    func fullSessionLogs() async throws {
        let logs = CapturedLogs()
        let directory = try TemporaryDirectory()
        let server = RelayServer(
            configuration: RelayServerConfiguration(host: "127.0.0.1", port: 0),
            state: RelayServerState(logger: logs.logger(label: "walletkit.relay")), logger: logs.logger(label: "walletkit.relay"))
        try await server.start()
        let url = await server.url
        let marker = UUID().uuidString
        let requestSecret = "REQUEST-SECRET-\(marker)"
        let resultSecret = "RESULT-SECRET-\(marker)"
        var secrets: Set<String> = []
        var pairingSymKey = ""
        var sessionTopic = ""
        let dappConfiguration = Self.configuration(
            metadata: EngineClient.dappMetadata, url: url, directory: directory, name: "dapp", logs: logs)
        let walletConfiguration = Self.configuration(
            metadata: EngineClient.walletMetadata, url: url, directory: directory, name: "wallet", logs: logs)
        let keyFiles = [directory.path("dapp.keys.json"), directory.path("wallet.keys.json")]
        var modes: [String: mode_t?] = [:]
        do {
            try await SignClient.withSignClient(dappConfiguration) { dapp in
                try await SignClient.withSignClient(walletConfiguration) { wallet in
                    let walletEvents = wallet.events()
                    let dappEvents = dapp.events()
                    let connection = try await dapp.connect(
                        optionalNamespaces: ["eip155": ProposalNamespace(chains: ["eip155:1"], methods: Self.methods, events: [])])
                    let uri = try #require(connection.uri)
                    pairingSymKey = try PairingURI.parse(uri).symKey
                    try await wallet.pair(uri: uri)
                    let proposal = try await Self.first(walletEvents) { if case .sessionProposal = $0 { true } else { false } }
                    guard case .sessionProposal(let received, _) = proposal else { throw EngineFixture.FixtureError.unexpected }
                    let namespaces: SessionNamespaces = [
                        "eip155": SessionNamespace(
                            chains: ["eip155:1"], accounts: ["eip155:1:\(Self.account)"], methods: Self.methods, events: [])
                    ]
                    _ = try await wallet.approveSession(proposalID: received.id, namespaces: namespaces)
                    let session = try await BoundedWait.run(within: .seconds(15)) { try await connection.approval() }
                    sessionTopic = session.topic
                    for file in keyFiles { secrets.formUnion(try Self.keyValues(at: file)) }

                    let answer = Task {
                        try await dapp.request(
                            topic: session.topic, chainID: "eip155:1", method: "personal_sign",
                            params: [.string(requestSecret), .string(Self.account)])
                    }
                    let requested = try await Self.first(walletEvents) { $0.sessionRequest != nil }
                    let pending = try #require(requested.sessionRequest)
                    #expect(pending.params.request.params == [.string(requestSecret), .string(Self.account)])
                    try await wallet.respondSessionRequest(
                        topic: session.topic, response: JSONRPCResponse(id: RPCID(pending.id), result: .string(resultSecret)))
                    #expect(try await BoundedWait.run(within: .seconds(15)) { try await answer.boundedValue() } == .string(resultSecret))
                    for file in keyFiles { secrets.formUnion(try Self.keyValues(at: file)) }

                    for name in ["dapp", "wallet"] {
                        for suffix in [".sqlite", ".sqlite-wal", ".sqlite-shm", ".keys.json"] {
                            modes[name + suffix] = Self.mode(directory.path(name + suffix))
                        }
                    }
                    try await wallet.disconnect(topic: session.topic)
                    _ = try await Self.first(dappEvents) { if case .sessionDelete = $0 { true } else { false } }
                }
            }
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()

        // The capture works and covers the session (so the search below can fail).
        let records = logs.all
        #expect(records.count > 50)
        #expect(records.contains { $0.contains("walletkit.wallet") } && records.contains { $0.contains("walletkit.dapp") })
        #expect(records.contains { $0.contains("walletkit.relay") })
        #expect(records.contains { $0.hasPrefix("trace") })

        // Keys: every value the key chains held (identity seeds, X25519 private keys, session and pairing sym keys).
        #expect(secrets.count >= 6)
        #expect(!pairingSymKey.isEmpty)
        secrets.insert(pairingSymKey)
        let text = records.joined(separator: "\n")
        // Positive control: public hex values (topics) are logged as metadata, so a logged key would be found.
        #expect(text.contains(sessionTopic))
        for secret in secrets {
            for form in try Self.forms(ofHex: secret) {
                #expect(!text.contains(form), "a key appears in the logs (\(form.prefix(6))…)")
            }
        }
        // Decrypted payloads.
        #expect(!text.contains(marker), "a decrypted payload appears in the logs")

        // Files holding keys or protocol state: owner read/write only.
        for (name, mode) in modes.sorted(by: { $0.key < $1.key }) {
            if name.hasSuffix("-shm") || name.hasSuffix("-wal"), mode == nil { continue }  // checkpointed away
            #expect(mode == 0o600, "\(name) has mode \(mode.map { String($0, radix: 8) } ?? "missing")")
        }
        #expect(modes["dapp.sqlite"] != nil && modes["wallet.keys.json"] != nil)
    }
}
