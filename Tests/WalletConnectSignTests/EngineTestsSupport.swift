import Foundation
import Testing
import WalletConnectCore
import WalletConnectSign
import WalletKitTesting

/// One Sign client under test: its own storage, key chain, relay client, expirer, pairing controller and
/// engine, with `run()` loops running in a task.
struct EngineClient: Sendable {
    let name: String
    let storage: any KeyValueStorage
    let crypto: Crypto
    let relay: any RelayClient
    let expirer: Expirer
    let pairing: Pairing
    let engine: SignEngine
    /// Subscribed before `start()`, so nothing the engine announces is missed.
    let events: AsyncStream<SignEvent>
    let loops: Task<Void, Never>
    let background: Task<Void, Never>
    let onStop: (@Sendable () async -> Void)?

    static let walletMetadata = Metadata(
        name: "Test Wallet", description: "wallet under test", url: "https://wallet.example", icons: [])
    static let dappMetadata = Metadata(
        name: "Test Dapp", description: "dapp under test", url: "https://dapp.example", icons: [])

    /// Builds, starts and runs a client. `relayLoop` (e.g. a real `Relayer`'s `run()`) starts first, so calls that
    /// wait for a connection during start-up can complete; `onStop` runs when the client stops.
    static func make(
        name: String, relay: any RelayClient, storage: any KeyValueStorage = InMemoryStorage(),
        keyChain: KeyChain? = nil, crypto existingCrypto: Crypto? = nil, clock: any Clock<Duration> = ContinuousClock(),
        wallClock: WallClock = .system, metadata: Metadata? = nil, options: SignEngineOptions = EngineClient.fastOptions,
        relayLoop: (@Sendable () async -> Void)? = nil, onStop: (@Sendable () async -> Void)? = nil,
        verifier: (any SignVerifyResolver)? = nil
    ) async throws -> EngineClient {
        let crypto = existingCrypto ?? Crypto(keyChain: keyChain ?? KeyChain.inMemory(), wallClock: wallClock)
        let expirer = Expirer(storage: storage, clock: clock, wallClock: wallClock)
        let pairing = Pairing(crypto: crypto, relay: relay, expirer: expirer, storage: storage, clock: clock, wallClock: wallClock)
        let background = Task {
            await withDiscardingTaskGroup { group in
                if let relayLoop { group.addTask { await relayLoop() } }
                group.addTask { await pairing.run() }
                group.addTask { await expirer.run() }
            }
        }
        let engine = SignEngine(
            metadata: metadata ?? (name.hasPrefix("dapp") ? dappMetadata : walletMetadata), crypto: crypto,
            relay: relay, pairing: pairing, expirer: expirer, storage: storage, clock: clock, wallClock: wallClock,
            options: options, verifier: verifier)
        let events = engine.events()
        do {
            try await expirer.load()
            try await pairing.load()
            try await engine.start()
        } catch {
            background.cancel()
            await onStop?()
            throw error
        }
        let loops = Task { _ = try? await engine.run() }
        await engine.untilRunning()
        return EngineClient(
            name: name, storage: storage, crypto: crypto, relay: relay, expirer: expirer, pairing: pairing,
            engine: engine, events: events, loops: loops, background: background, onStop: onStop)
    }

    /// Options for tests: no queue release delay.
    static let fastOptions = SignEngineOptions(requestQueueReleaseDelay: .zero)

    /// Stops the loops (the engine shuts down) and waits for them.
    func stop() async {
        loops.cancel()
        await loops.value
        background.cancel()
        await onStop?()
        await background.value
        await pairing.shutdown()
        await expirer.finish()
    }

    /// The first event matching `predicate`, within 10 s of real time.
    func next(
        _ label: String = "event", within limit: Duration = BoundedWait.defaultLimit, where predicate: @escaping @Sendable (SignEvent) -> Bool
    ) async throws -> SignEvent {
        try await BoundedWait.first(in: events, within: limit, where: predicate)
    }
}

/// Common fixtures and flows.
enum EngineFixture {
    static let account = "0x3c582121909DE92Dc89A36898633C1aE4790382b"
    static let methods = ["eth_sendTransaction", "personal_sign", "eth_signTypedData"]
    static let events = ["chainChanged", "accountsChanged"]

    static let optionalNamespaces: ProposalNamespaces = [
        "eip155": ProposalNamespace(chains: ["eip155:1", "eip155:42161"], methods: methods, events: events)
    ]

    static let namespaces: SessionNamespaces = [
        "eip155": SessionNamespace(
            chains: ["eip155:1", "eip155:42161"], accounts: ["eip155:1:\(account)", "eip155:42161:\(account)"],
            methods: methods, events: events)
    ]

    /// A settled session between `dapp` and `wallet`: connect, pair, approve, await both sides.
    static func settle(dapp: EngineClient, wallet: EngineClient) async throws -> (dapp: Session, wallet: Session) {
        let connection = try await dapp.engine.connect(optionalNamespaces: optionalNamespaces)
        let uri = try #require(connection.uri)
        try await wallet.engine.pair(uri: uri)
        let proposalEvent = try await wallet.next { if case .sessionProposal = $0 { return true } else { return false } }
        guard case .sessionProposal(let proposal, _) = proposalEvent else { throw FixtureError.unexpected }
        #expect(proposal.id == connection.proposalID)
        let acknowledged = Task {
            try await wallet.next { event in
                if case .sessionAcknowledged = event { return true } else { return false }
            }
        }
        let walletSession = try await wallet.engine.approveSession(proposalID: proposal.id, namespaces: namespaces)
        let dappSession = try await BoundedWait.run { try await connection.approval() }
        _ = try await acknowledged.boundedValue()
        return (dappSession, walletSession)
    }

    enum FixtureError: Error { case unexpected }
}

extension SignEvent {
    /// The request announced by a `.sessionRequest` event.
    var sessionRequest: PendingRequest? {
        if case .sessionRequest(let request) = self { return request }
        return nil
    }
}

/// A temporary directory removed at the end of a test.
final class TemporaryDirectory: Sendable {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("walletkit-engine-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func path(_ name: String) -> URL { url.appendingPathComponent(name) }
}

extension EngineFixture {
    /// Runs `body` with a dapp and a wallet on a fresh hub (optionally on a shared manual clock, the wallet on
    /// `walletStorage` and with `walletVerifier`), stopping both afterwards, also on failure.
    static func withPair(
        dappOptions: SignEngineOptions = EngineClient.fastOptions, walletOptions: SignEngineOptions = EngineClient.fastOptions,
        dappClock: any Clock<Duration> = ContinuousClock(), dappWallClock: WallClock = .system,
        walletClock: any Clock<Duration> = ContinuousClock(), walletWallClock: WallClock = .system,
        walletStorage: any KeyValueStorage = InMemoryStorage(), walletVerifier: (any SignVerifyResolver)? = nil,
        _ body: (InMemoryRelayHub, EngineClient, EngineClient) async throws -> Void
    ) async throws {
        let hub = InMemoryRelayHub(wallClock: walletWallClock)
        let dapp = try await EngineClient.make(
            name: "dapp", relay: hub.makeClient(), clock: dappClock, wallClock: dappWallClock, options: dappOptions)
        let wallet = try await EngineClient.make(
            name: "wallet", relay: hub.makeClient(), storage: walletStorage, clock: walletClock,
            wallClock: walletWallClock, options: walletOptions, verifier: walletVerifier)
        do {
            try await body(hub, dapp, wallet)
        } catch {
            await dapp.stop()
            await wallet.stop()
            throw error
        }
        await dapp.stop()
        await wallet.stop()
    }

    /// ``withPair(dappOptions:walletOptions:dappClock:dappWallClock:walletClock:walletWallClock:_:)`` plus a settled session.
    static func withSession(
        dappOptions: SignEngineOptions = EngineClient.fastOptions, walletOptions: SignEngineOptions = EngineClient.fastOptions,
        dappClock: any Clock<Duration> = ContinuousClock(), dappWallClock: WallClock = .system,
        walletClock: any Clock<Duration> = ContinuousClock(), walletWallClock: WallClock = .system,
        _ body: (InMemoryRelayHub, EngineClient, EngineClient, Session) async throws -> Void
    ) async throws {
        try await withPair(
            dappOptions: dappOptions, walletOptions: walletOptions, dappClock: dappClock, dappWallClock: dappWallClock,
            walletClock: walletClock, walletWallClock: walletWallClock
        ) { hub, dapp, wallet in
            let (session, _) = try await settle(dapp: dapp, wallet: wallet)
            try await body(hub, dapp, wallet, session)
        }
    }

    /// Publish options compared with the method table.
    static func expect(_ options: PublishOptions, _ expected: RPCOptions, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(Int64(options.ttl) == expected.ttl, sourceLocation: sourceLocation)
        #expect(options.tag == expected.tag, sourceLocation: sourceLocation)
        #expect(options.prompt == expected.prompt, sourceLocation: sourceLocation)
    }

    /// Decrypts a recorded publish with `client`'s key for its topic.
    static func open(_ publish: InMemoryRelayHub.RecordedPublish, with client: EngineClient) async throws -> JSONRPCMessage {
        try JSONRPCMessage.decode(try await client.crypto.decode(topic: publish.topic, encoded: publish.message))
    }
}
