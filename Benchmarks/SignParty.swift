import Foundation
import Logging
import WalletConnectCore
import WalletConnectSign

/// One Sign client built by hand from the real parts — Crypto + KeyChain, Relayer (WebSocket to the relay
/// server), Expirer, Pairing, SignEngine — with their run loops in a task.
struct SignParty: Sendable {
    let storage: any KeyValueStorage
    let keyChain: KeyChain
    let crypto: Crypto
    let relayer: Relayer
    let expirer: Expirer
    let pairing: Pairing
    let engine: SignEngine
    let loops: Task<Void, Never>

    static let account = "0x3c582121909DE92Dc89A36898633C1aE4790382b"
    static let methods = ["eth_sendTransaction", "personal_sign", "eth_signTypedData"]
    static let optionalNamespaces: ProposalNamespaces = [
        "eip155": ProposalNamespace(chains: ["eip155:1"], methods: methods, events: ["chainChanged"])
    ]
    static let namespaces: SessionNamespaces = [
        "eip155": SessionNamespace(
            chains: ["eip155:1"], accounts: ["eip155:1:\(account)"], methods: methods, events: ["chainChanged"])
    ]

    /// The engine defaults a user gets: no pause between the queued requests of a session (the JS SDK's 1 s
    /// pacing is opt-in since issue 14, so this measures what an application runs).
    static let options = SignEngineOptions()

    /// Builds and starts a client connected to `url`.
    static func make(
        name: String, url: String, storage: any KeyValueStorage = InMemoryStorage(), keyChain: KeyChain = .inMemory(),
        relayerLogger: Logger = Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() })
    ) async throws -> SignParty {
        let clock = ContinuousClock()
        let crypto = Crypto(keyChain: keyChain)
        let relayer = Relayer(
            configuration: RelayerConfiguration(relayURL: url, projectID: "bench"),
            identity: crypto, storage: storage, clock: clock, logger: relayerLogger)
        let expirer = Expirer(storage: storage, clock: clock, wallClock: .system)
        let pairing = Pairing(crypto: crypto, relay: relayer, expirer: expirer, storage: storage, clock: clock, wallClock: .system)
        let metadata = Metadata(
            name: "Bench \(name)", description: "benchmark \(name)", url: "https://\(name).example", icons: [])
        let engine = SignEngine(
            metadata: metadata, crypto: crypto, relay: relayer, pairing: pairing, expirer: expirer, storage: storage,
            clock: clock, wallClock: .system, options: options)
        let relayerTask = Task { try? await relayer.run() }
        try await expirer.load()
        try await pairing.load(resubscribe: true)
        try await engine.start()
        let loops = Task {
            await withDiscardingTaskGroup { group in
                group.addTask { await relayerTask.value }
                group.addTask { try? await engine.run() }
                group.addTask { await pairing.run() }
                group.addTask { await expirer.run() }
            }
        }
        await engine.untilRunning()
        return SignParty(
            storage: storage, keyChain: keyChain, crypto: crypto, relayer: relayer, expirer: expirer, pairing: pairing,
            engine: engine, loops: loops)
    }

    /// Stops the engine, pairing, expirer and relayer and waits for the loops.
    func stop() async {
        await engine.shutdown()
        await pairing.shutdown()
        await expirer.finish()
        await relayer.shutdown()
        loops.cancel()
        await loops.value
    }
}

/// The wallet "app": approves every proposal and answers every session request with a fixed signature, each in
/// its own child task (as a UI would, concurrently).
struct WalletApp {
    static let signature: JSONValue = .string("0x" + String(repeating: "ab", count: 65))

    static func start(_ wallet: SignParty) -> Task<Void, Never> {
        let events = wallet.engine.events()
        return Task {
            await withDiscardingTaskGroup { group in
                for await event in events {
                    switch event {
                    case .sessionProposal(let proposal, _):
                        group.addTask {
                            _ = try? await wallet.engine.approveSession(
                                proposalID: proposal.id, namespaces: SignParty.namespaces)
                        }
                    case .sessionRequest(let request):
                        group.addTask {
                            try? await wallet.engine.respondSessionRequest(
                                topic: request.topic, response: JSONRPCResponse(id: RPCID(request.id), result: signature))
                        }
                    default:
                        continue
                    }
                }
            }
        }
    }
}
