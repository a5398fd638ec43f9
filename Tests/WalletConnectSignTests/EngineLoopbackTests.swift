import Foundation
import Testing
import WalletConnectCore
import WalletConnectRelayServer
import WalletConnectSign
import WalletKitTesting

/// A real wallet and a real dapp — separate storage, key chains, `Relayer`s (WebSockets) — through the project's
/// relay server on 127.0.0.1: the whole session life, and a wallet restarted mid-request.
@Suite("Sign engine: wallet and dapp through the loopback relay server", .timeLimit(.minutes(1)))
struct EngineLoopbackTests {
    /// A client whose relay is a real `Relayer` connected to `url`, identified by its own `Crypto`.
    static func client(
        name: String, url: String, storage: any KeyValueStorage = InMemoryStorage(), keyChain: KeyChain = KeyChain.inMemory(),
        clock: any Clock<Duration> = ContinuousClock(), wallClock: WallClock = .system,
        options: SignEngineOptions = EngineClient.fastOptions
    ) async throws -> EngineClient {
        let crypto = Crypto(keyChain: keyChain)
        let relayer = Relayer(
            configuration: RelayerConfiguration(
                relayURL: url, projectID: "00000000000000000000000000000000", userAgent: "wc-2/swift-test/linux",
                requestTimeout: .seconds(30)),
            identity: crypto, storage: storage)
        return try await EngineClient.make(
            name: name, relay: relayer, storage: storage, crypto: crypto, clock: clock, wallClock: wallClock, options: options,
            relayLoop: { _ = try? await relayer.run() }, onStop: { await relayer.shutdown() })
    }

    /// Runs `body` with a loopback server and a dapp and a wallet connected to it; stops everything afterwards.
    /// Both clients share `clock` and its wall time unless `dappClock` is given (the relay server keeps real time).
    static func withClients(
        walletOptions: SignEngineOptions = EngineClient.fastOptions, clock: ManualClock = ManualClock(),
        dappClock: ManualClock? = nil,
        _ body: (RelayServer, EngineClient, EngineClient) async throws -> Void
    ) async throws {
        let server = RelayServer(configuration: RelayServerConfiguration(host: "127.0.0.1", port: 0), state: RelayServerState())
        try await server.start()
        let url = await server.url
        #expect(url.hasPrefix("ws://127.0.0.1:"))
        let start = WallClock.system.nowMilliseconds
        let wall = ManualWallClock(clock: clock, epochMilliseconds: start).wallClock
        let dappWall = dappClock.map { ManualWallClock(clock: $0, epochMilliseconds: start).wallClock } ?? wall
        let dapp = try await client(name: "dapp", url: url, clock: dappClock ?? clock, wallClock: dappWall)
        let wallet = try await client(name: "wallet", url: url, clock: clock, wallClock: wall, options: walletOptions)
        do {
            try await body(server, dapp, wallet)
        } catch {
            await dapp.stop()
            await wallet.stop()
            await server.stop()
            throw error
        }
        await dapp.stop()
        await wallet.stop()
        await server.stop()
    }

    @Test("approve, request/response, update, extend, event, session and pairing ping, delete from the wallet")
    func sessionLifeWalletDeletes() async throws {
        let clock = ManualClock()
        try await Self.withClients(clock: clock) { _, dapp, wallet in
            let (session, walletSession) = try await EngineFixture.settle(dapp: dapp, wallet: wallet)
            #expect(session.topic == walletSession.topic)
            // The pairing lives 5 minutes after activation: ping it before time moves on.
            try await BoundedWait.run { try await dapp.engine.ping(topic: session.pairingTopic) }

            let (response, pending) = try await EngineRequestTests.send(dapp, wallet, topic: session.topic)
            try await wallet.engine.respondSessionRequest(
                topic: session.topic, response: JSONRPCResponse(id: RPCID(pending.id), result: "0xsigned"))
            #expect(try await response.boundedValue() == "0xsigned")

            let update = try await wallet.engine.updateSession(
                topic: session.topic, namespaces: EngineLifecycleTests.extendedNamespaces)
            try await BoundedWait.run { try await update.acknowledged() }
            #expect(await dapp.engine.activeSessions()[session.topic]?.namespaces == EngineLifecycleTests.extendedNamespaces)

            clock.advance(by: .seconds(3600))
            let extend = try await wallet.engine.extendSession(topic: session.topic)
            try await BoundedWait.run { try await extend.acknowledged() }
            _ = try await dapp.next { if case .sessionExtend = $0 { return true } else { return false } }

            try await wallet.engine.emitSessionEvent(
                topic: session.topic, event: .init(name: "chainChanged", data: 10), chainID: "eip155:10")
            let event = try await dapp.next { if case .sessionEvent = $0 { return true } else { return false } }
            #expect(event == .sessionEvent(id: event.eventID, topic: session.topic, event: .init(name: "chainChanged", data: 10), chainID: "eip155:10"))

            try await BoundedWait.run { try await dapp.engine.ping(topic: session.topic) }
            try await BoundedWait.run { try await wallet.engine.ping(topic: session.topic) }

            try await wallet.engine.disconnect(topic: session.topic)
            _ = try await dapp.next { $0 == .sessionDelete(id: $0.deleteID, topic: session.topic) }
            #expect(await dapp.engine.activeSessions().isEmpty)
            #expect(await wallet.engine.activeSessions().isEmpty)
        }
    }

    @Test("reject, request error and expiry, delete from the dapp, pairing delete")
    func rejectionsAndDappDeletes() async throws {
        try await Self.withClients { _, dapp, wallet in
            // A rejected proposal.
            let rejected = try await dapp.engine.connect(optionalNamespaces: EngineFixture.optionalNamespaces)
            try await wallet.engine.pair(uri: try #require(rejected.uri))
            _ = try await wallet.next { if case .sessionProposal = $0 { return true } else { return false } }
            try await wallet.engine.rejectSession(proposalID: rejected.proposalID)
            let rejection = await #expect(throws: SDKError.self) { try await BoundedWait.run { try await rejected.approval() } }
            #expect(rejection?.code == .userRejected)

            // An accepted one.
            let (session, _) = try await EngineFixture.settle(dapp: dapp, wallet: wallet)
            let (failed, pending) = try await EngineRequestTests.send(dapp, wallet, topic: session.topic)
            try await wallet.engine.respondSessionRequest(
                topic: session.topic,
                response: JSONRPCResponse(id: RPCID(pending.id), error: JSONRPCError(code: 5000, message: "User rejected.")))
            let error = await #expect(throws: SDKError.self) { try await failed.boundedValue() }
            #expect(error?.code == .userRejected)

            try await dapp.engine.disconnect(topic: session.topic)
            _ = try await wallet.next { $0 == .sessionDelete(id: $0.deleteID, topic: session.topic) }
            #expect(await wallet.engine.activeSessions().isEmpty)

            let pairingEvents = wallet.pairing.events()
            try await dapp.engine.disconnect(topic: session.pairingTopic)
            _ = try await BoundedWait.first(in: pairingEvents) { $0 == .deleted(topic: session.pairingTopic, byPeer: true) }
        }
    }

    @Test("request expiry over the relay: the wallet answers 8000 and announces the expiry")
    func requestExpiry() async throws {
        let walletClock = ManualClock()
        try await Self.withClients(clock: walletClock, dappClock: ManualClock()) { _, dapp, wallet in
            let (session, _) = try await EngineFixture.settle(dapp: dapp, wallet: wallet)
            let (response, pending) = try await EngineRequestTests.send(dapp, wallet, topic: session.topic, expiry: 300)
            // Five minutes pass for the wallet only: its 8000 answer is what the dapp receives.
            walletClock.advance(by: .seconds(600))
            await wallet.expirer.checkNow()
            let expired = try await wallet.next { if case .sessionRequestExpire = $0 { return true } else { return false } }
            #expect(expired == .sessionRequestExpire(id: pending.id, topic: session.topic))
            let error = await #expect(throws: SDKError.self) { try await response.boundedValue() }
            #expect(error?.code == .sessionRequestExpired)
            #expect(await wallet.engine.pendingSessionRequests().isEmpty)
        }
    }

    @Test("proposal expiry over the relay: proposal_expire on the wallet, approval() fails on the dapp")
    func proposalExpiry() async throws {
        let clock = ManualClock()
        try await Self.withClients(clock: clock) { _, dapp, wallet in
            let connection = try await dapp.engine.connect(optionalNamespaces: EngineFixture.optionalNamespaces)
            try await wallet.engine.pair(uri: try #require(connection.uri))
            _ = try await wallet.next { if case .sessionProposal = $0 { return true } else { return false } }
            clock.advance(by: .seconds(301))
            await wallet.expirer.checkNow()
            await dapp.expirer.checkNow()
            let expired = try await wallet.next { if case .proposalExpire = $0 { return true } else { return false } }
            #expect(expired == .proposalExpire(id: connection.proposalID))
            await #expect(throws: SignEngine.proposalExpiredError) { try await connection.approval() }
            #expect(await wallet.engine.pendingSessionProposals().isEmpty)
            #expect(await dapp.engine.pendingSessionProposals().isEmpty)
        }
    }

    @Test("a wallet restarted mid-request (new instance, same SQLite file) answers the request exactly once")
    func walletRestartMidRequest() async throws {
        let directory = try TemporaryDirectory()
        let server = RelayServer(configuration: RelayServerConfiguration(host: "127.0.0.1", port: 0), state: RelayServerState())
        try await server.start()
        let url = await server.url
        let dapp = try await Self.client(name: "dapp", url: url)
        let databasePath = directory.path("wallet.sqlite").path
        let keyChainURL = directory.path("wallet-keychain.json")

        var walletA: EngineClient? = try await Self.client(
            name: "wallet", url: url, storage: try SQLiteStorage(path: databasePath), keyChain: try KeyChain(fileURL: keyChainURL))
        do {
            let wallet = try #require(walletA)
            let (session, _) = try await EngineFixture.settle(dapp: dapp, wallet: wallet)
            let (response, pending) = try await EngineRequestTests.send(dapp, wallet, topic: session.topic)
            // Wallet A goes away before answering.
            await wallet.stop()
            walletA = nil

            let walletB = try await Self.client(
                name: "wallet", url: url, storage: try SQLiteStorage(path: databasePath), keyChain: try KeyChain(fileURL: keyChainURL))
            // Events subscribed before start: the restored request is announced again.
            let again = try await walletB.next { $0.sessionRequest != nil }
            #expect(again.sessionRequest == pending)
            #expect(await walletB.engine.activeSessions()[session.topic] != nil)
            try await walletB.engine.respondSessionRequest(
                topic: session.topic, response: JSONRPCResponse(id: RPCID(pending.id), result: "0xafter-restart"))
            #expect(try await response.boundedValue() == "0xafter-restart")

            // Exactly one response reached the dapp: a later event is preceded by no second response.
            try await walletB.engine.emitSessionEvent(
                topic: session.topic, event: .init(name: "chainChanged", data: 1), chainID: "eip155:1")
            let events = dapp.events
            let responses = try await BoundedWait.run { () -> [Int64] in
                var ids: [Int64] = []
                for await event in events {
                    switch event {
                    case .sessionResponse(let id, _, _): ids.append(id)
                    case .sessionEvent: return ids
                    default: break
                    }
                }
                return ids
            }
            #expect(responses == [pending.id])
            #expect(await walletB.engine.pendingSessionRequests().isEmpty)
            await walletB.stop()

            // A third start on the same file has nothing left to announce, and the session is still there.
            let walletC = try await Self.client(
                name: "wallet", url: url, storage: try SQLiteStorage(path: databasePath), keyChain: try KeyChain(fileURL: keyChainURL))
            #expect(await walletC.engine.pendingSessionRequests().isEmpty)
            #expect(await walletC.engine.activeSessions()[session.topic] != nil)
            try await BoundedWait.run { try await dapp.engine.ping(topic: session.topic) }
            await walletC.stop()
        } catch {
            await walletA?.stop()
            await dapp.stop()
            await server.stop()
            throw error
        }
        await dapp.stop()
        await server.stop()
    }
}

extension SignEvent {
    /// The id of a `.sessionEvent` (else 0).
    var eventID: Int64 {
        if case .sessionEvent(let id, _, _, _, _) = self { return id }
        return 0
    }
}
