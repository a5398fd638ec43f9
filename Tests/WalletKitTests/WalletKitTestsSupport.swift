import Foundation
import Synchronization
import Testing
import WalletConnectCore
import WalletConnectRelayServer
import WalletConnectSign
import WalletKit
import WalletKitTesting

/// Fixtures for the WalletKit composition tests: a loopback relay, SQLite files in a temporary folder, a wallet
/// (``WalletKit``) and a dapp (``SignClient``).
enum WKFixture {
    static let walletMetadata = Metadata(
        name: "WalletKit Wallet", description: "wallet under test", url: "https://wallet.example", icons: [])
    static let dappMetadata = Metadata(
        name: "WalletKit Dapp", description: "dapp under test", url: "https://dapp.example", icons: [])

    static let account = "0x3c582121909DE92Dc89A36898633C1aE4790382b"
    static let methods = ["eth_sendTransaction", "personal_sign"]
    static let events = ["chainChanged", "accountsChanged"]

    /// What the dapp asks for.
    static let optionalNamespaces: ProposalNamespaces = [
        "eip155": ProposalNamespace(chains: ["eip155:1", "eip155:10"], methods: methods, events: events)
    ]

    /// What the wallet supports (more than asked: buildApprovedNamespaces must narrow it).
    static let supportedNamespaces: SessionNamespaces = [
        "eip155": SessionNamespace(
            chains: ["eip155:1", "eip155:10", "eip155:137"],
            accounts: ["eip155:1:\(account)", "eip155:10:\(account)", "eip155:137:\(account)"],
            methods: methods + ["eth_signTypedData_v4"], events: events)
    ]

    /// Starts a relay on 127.0.0.1 (random port).
    static func startRelay() async throws -> RelayServer {
        let server = RelayServer(configuration: RelayServerConfiguration(host: "127.0.0.1", port: 0))
        try await server.start()
        return server
    }

    /// Relay settings for a loopback relay: fast backoff, a test user agent, a 3 s upgrade timeout and a 2 s
    /// keep-alive. A loopback upgrade answers in milliseconds; the default 15 s is for real networks. A
    /// reconnect that lands on a relay node while it stops (stop and restart tests) can be accepted and never
    /// answered; the relayer gives up on it after this timeout and reconnects, and 15 s of that left the restart
    /// tests' 20 s steps no room on a loaded machine (the suspected cause of their rare time-outs).
    ///
    /// `requestTimeout` bounds each relay call. 30 s by default: on a loaded 2-core machine running the whole
    /// suite under ThreadSanitizer an acknowledgement took over 15 s (CI failed with "relay call timed out"
    /// in tests that test nothing about time); the restart tests pass a shorter one because a call lost to a
    /// stopping node must give up within their steps.
    static func relayer(requestTimeout: Duration = .seconds(30)) -> RelayerConfiguration {
        var configuration = RelayerConfiguration(
            userAgent: "wc-2/swift-test/linux", requestTimeout: requestTimeout,
            backoff: .init(initial: .milliseconds(20), maximum: .milliseconds(300)))
        configuration.upgradeTimeout = .seconds(3)
        // A connection the relay has forgotten while the client still holds it open (seen after a node stopped
        // and restarted: both clients "connected", the relay holding one connection) is found by the keep-alive
        // watchdog after two silent intervals; 2 s on loopback instead of the default.
        configuration.keepAliveInterval = .seconds(2)
        return configuration
    }

    /// A Sign client configuration with SQLite storage at `path`.
    static func signConfiguration(
        metadata: Metadata, relayURL: String, databasePath: String, prefix: String = "",
        clock: any Clock<Duration> = ContinuousClock(), requestTimeout: Duration = .seconds(30)
    ) -> SignClientConfiguration {
        signConfiguration(
            metadata: metadata, relayURL: relayURL, storage: .sqlite(path: databasePath), prefix: prefix, clock: clock,
            requestTimeout: requestTimeout)
    }

    /// A Sign client configuration with `storage`.
    static func signConfiguration(
        metadata: Metadata, relayURL: String, storage: SignClientConfiguration.Storage, prefix: String = "",
        clock: any Clock<Duration> = ContinuousClock(), requestTimeout: Duration = .seconds(30)
    ) -> SignClientConfiguration {
        SignClientConfiguration(
            metadata: metadata, relayURL: relayURL, storage: storage, customStoragePrefix: prefix,
            clock: clock, relayer: relayer(requestTimeout: requestTimeout), engine: SignEngineOptions(requestQueueReleaseDelay: .zero))
    }

    /// A wallet configuration with SQLite storage at `path`.
    static func walletConfiguration(
        relayURL: String, databasePath: String, prefix: String = "", clock: any Clock<Duration> = ContinuousClock(),
        drainTimeout: Duration = .seconds(5), requestTimeout: Duration = .seconds(30)
    ) -> WalletKitConfiguration {
        walletConfiguration(
            relayURL: relayURL, storage: .sqlite(path: databasePath), prefix: prefix, clock: clock,
            drainTimeout: drainTimeout, requestTimeout: requestTimeout)
    }

    /// A wallet configuration with `storage`.
    static func walletConfiguration(
        relayURL: String, storage: SignClientConfiguration.Storage, prefix: String = "",
        clock: any Clock<Duration> = ContinuousClock(), drainTimeout: Duration = .seconds(5),
        requestTimeout: Duration = .seconds(30)
    ) -> WalletKitConfiguration {
        WalletKitConfiguration(
            sign: signConfiguration(
                metadata: walletMetadata, relayURL: relayURL, storage: storage, prefix: prefix, clock: clock,
                requestTimeout: requestTimeout),
            shutdownDrainTimeout: drainTimeout)
    }

    /// The first element of `sequence` matching `predicate`, within `limit` (real time).
    static func first<S: AsyncSequence & Sendable>(
        _ sequence: S, within limit: Duration = .seconds(20), where predicate: @escaping @Sendable (S.Element) -> Bool = { _ in true }
    ) async throws -> S.Element where S.Element: Sendable {
        try await BoundedWait.run(within: limit) {
            for try await element in sequence where predicate(element) { return element }
            throw BoundedWait.StreamFinished()
        }
    }

    /// Whether `sequence` finishes (yields `nil`) within `limit`, skipping any elements still buffered.
    static func finishes<S: AsyncSequence & Sendable>(_ sequence: S, within limit: Duration = .seconds(20)) async throws
        -> Bool where S.Element: Sendable
    {
        try await BoundedWait.run(within: limit) {
            for try await _ in sequence {}
            return true
        }
    }

    /// Dapp connects, wallet pairs, sees the proposal, approves the narrowed namespaces; both sides settled.
    static func settle(dapp: SignClient, kit: WalletKit) async throws -> (wallet: Session, dapp: Session) {
        let proposals = kit.sessionProposals
        let connection = try await dapp.connect(optionalNamespaces: optionalNamespaces)
        let uri = try #require(connection.uri)
        try await kit.pair(uri: uri)
        let proposal = try await first(proposals) { $0.id == connection.proposalID }
        let namespaces = try WalletKit.buildApprovedNamespaces(
            proposal: proposal.proposal, supportedNamespaces: supportedNamespaces)
        let walletSession = try await kit.approveSession(proposalID: proposal.id, namespaces: namespaces)
        let dappSession = try await BoundedWait.run(within: .seconds(20)) { try await connection.approval() }
        return (walletSession, dappSession)
    }
}

/// A temporary folder removed when released.
final class WKTemporaryDirectory: Sendable {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("walletkit-kit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
}

/// A value set inside a closure and read after it (e.g. the instance a scoped helper handed out).
final class WKBox<Value: Sendable>: Sendable {
    private let storage = Locked<Value?>(nil)

    init() {}

    var value: Value? { storage.withLock { $0 } }

    func set(_ value: Value) { storage.withLock { $0 = value } }
}

/// Runs `body` with a loopback relay and a temporary folder; stops the relay afterwards, also on failure.
func withRelay(_ body: (RelayServer, WKTemporaryDirectory) async throws -> Void) async throws {
    let relay = try await WKFixture.startRelay()
    let directory = try WKTemporaryDirectory()
    do {
        try await body(relay, directory)
    } catch {
        await relay.stop()
        throw error
    }
    await relay.stop()
}
