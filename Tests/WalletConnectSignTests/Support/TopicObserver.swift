import Foundation
import Testing
import WalletConnectCore
import WalletConnectRelayServer
import WalletConnectSign
import WalletKitTesting

/// A third client on the loopback relay server that reads what the two parties of a topic say to each other: its
/// own `Relayer` (socket and relay identity) and a key chain holding copies of the symmetric keys it is given.
///
/// The relay server delivers a message to every subscriber but its publisher, so the observer sees the requests
/// and the answers of both sides, as a JS peer waiting for an answer would.
final class TopicObserver: Sendable {
    let relayer: Relayer
    let crypto: Crypto
    let inbound: AsyncStream<RelayMessage>
    let running: Task<Void, Never>

    init(url: String) {
        let crypto = Crypto(keyChain: KeyChain.inMemory())
        let relayer = Relayer(
            configuration: RelayerConfiguration(
                relayURL: url, projectID: "00000000000000000000000000000000", userAgent: "wc-2/swift-test/linux",
                requestTimeout: .seconds(30)),
            identity: crypto, storage: InMemoryStorage())
        self.crypto = crypto
        self.relayer = relayer
        // Subscribed to the stream before any topic, so nothing delivered is missed.
        self.inbound = relayer.messages()
        self.running = Task { _ = try? await relayer.run() }
    }

    /// Follows `topic`, whose symmetric key is copied from `keyChain` (the key chain of one party).
    func follow(topic: String, keyFrom keyChain: KeyChain) async throws {
        _ = try await crypto.setSymKey(try keyChain.get(topic), overrideTopic: topic)
        try await relayer.subscribe(topic: topic)
    }

    /// Follows `topic` with the symmetric key `symKey` (hex).
    func follow(topic: String, symKey: String) async throws {
        _ = try await crypto.setSymKey(symKey, overrideTopic: topic)
        try await relayer.subscribe(topic: topic)
    }

    /// The first readable type-0 JSON-RPC message matching `predicate`, within `limit` (real time).
    func next(
        within limit: Duration = BoundedWait.defaultLimit,
        where predicate: @escaping @Sendable (JSONRPCMessage) -> Bool
    ) async throws -> (rpc: JSONRPCMessage, message: RelayMessage, text: String) {
        let inbound = self.inbound
        let relayer = self.relayer
        let crypto = self.crypto
        return try await BoundedWait.run(within: limit) {
            for await message in inbound {
                await relayer.markHandled(message)
                guard (try? Crypto.envelopeType(of: message.message)) == .type0,
                    let text = try? await crypto.decode(topic: message.topic, encoded: message.message),
                    let rpc = try? JSONRPCMessage.decode(text)
                else { continue }
                if predicate(rpc) { return (rpc, message, text) }
            }
            throw BoundedWait.StreamFinished()
        }
    }

    /// The response with id `id`, within `limit`.
    func response(id: Int64, within limit: Duration = BoundedWait.defaultLimit) async throws -> (
        response: JSONRPCResponse, message: RelayMessage
    ) {
        let found = try await next(within: limit) { rpc in
            if case .response(let response) = rpc, response.id.rawValue == id { return true }
            return false
        }
        guard case .response(let response) = found.rpc else { throw EngineFixture.FixtureError.unexpected }
        return (response, found.message)
    }

    func stop() async {
        await relayer.shutdown()
        await running.value
    }
}

/// A dapp and a wallet on the loopback relay server with key chains the test can read, and an observer.
struct ParityWorld: Sendable {
    let server: RelayServer
    let url: String
    let dapp: EngineClient
    let wallet: EngineClient
    let dappKeys: KeyChain
    let walletKeys: KeyChain
    let observer: TopicObserver
    let clock: ManualClock
    /// The wall time of both clients (moves with `clock`).
    let wall: WallClock

    /// A client on a real `Relayer` connected to `url`, with the key chain `keyChain`.
    static func client(
        name: String, url: String, keyChain: KeyChain, clock: ManualClock, wallClock: WallClock,
        verifier: (any SignVerifyResolver)? = nil
    ) async throws -> EngineClient {
        let storage = InMemoryStorage()
        let crypto = Crypto(keyChain: keyChain, wallClock: wallClock)
        let relayer = Relayer(
            configuration: RelayerConfiguration(
                relayURL: url, projectID: "00000000000000000000000000000000", userAgent: "wc-2/swift-test/linux",
                requestTimeout: .seconds(30)),
            identity: crypto, storage: storage)
        return try await EngineClient.make(
            name: name, relay: relayer, storage: storage, crypto: crypto, clock: clock, wallClock: wallClock,
            relayLoop: { _ = try? await relayer.run() }, onStop: { await relayer.shutdown() }, verifier: verifier)
    }

    /// Runs `body` with a fresh world (both clients on `clock` and its wall time); stops everything afterwards.
    static func run(
        clock: ManualClock = ManualClock(), walletVerifier: (any SignVerifyResolver)? = nil,
        _ body: (ParityWorld) async throws -> Void
    ) async throws {
        let server = RelayServer(configuration: RelayServerConfiguration(host: "127.0.0.1", port: 0), state: RelayServerState())
        try await server.start()
        let url = await server.url
        let wall = ManualWallClock(clock: clock, epochMilliseconds: WallClock.system.nowMilliseconds).wallClock
        let dappKeys = KeyChain.inMemory()
        let walletKeys = KeyChain.inMemory()
        let dapp: EngineClient
        let wallet: EngineClient
        do {
            dapp = try await client(name: "dapp", url: url, keyChain: dappKeys, clock: clock, wallClock: wall)
        } catch {
            await server.stop()
            throw error
        }
        do {
            wallet = try await client(
                name: "wallet", url: url, keyChain: walletKeys, clock: clock, wallClock: wall, verifier: walletVerifier)
        } catch {
            await dapp.stop()
            await server.stop()
            throw error
        }
        let observer = TopicObserver(url: url)
        let world = ParityWorld(
            server: server, url: url, dapp: dapp, wallet: wallet, dappKeys: dappKeys, walletKeys: walletKeys,
            observer: observer, clock: clock, wall: wall)
        do {
            try await body(world)
        } catch {
            await world.stop()
            throw error
        }
        await world.stop()
    }

    func stop() async {
        await observer.stop()
        await dapp.stop()
        await wallet.stop()
        await server.stop()
    }

    /// A settled session, followed by the observer.
    func settle() async throws -> Session {
        let (session, _) = try await EngineFixture.settle(dapp: dapp, wallet: wallet)
        try await observer.follow(topic: session.topic, keyFrom: dappKeys)
        return session
    }

    /// Publishes hand-written JSON-RPC text on `topic` as `party` would (sealed with its key, sent on its socket,
    /// so the relay server delivers it to the other party and the observer only).
    func inject(_ json: String, topic: String, from party: EngineClient, tag: Int, ttl: UInt32 = 300) async throws {
        let message = try await party.crypto.encode(topic: topic, payload: json)
        try await party.relay.publish(topic: topic, message: message, options: PublishOptions(ttl: ttl, tag: tag))
    }

    /// A fresh client-to-client id.
    static func freshID() -> Int64 {
        WallClock.system.nowMilliseconds * 1000 + Int64.random(in: 0..<1000)
    }
}
