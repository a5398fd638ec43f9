import Foundation
import Testing
import WalletConnectCore
import WalletConnectSign
import WalletKitTesting

/// A wallet that goes offline and comes back as a new engine on the same storage and key chain (in-memory relay).
@Suite("Sign engine: restart on the same storage (in-memory relay)", .timeLimit(.minutes(1)))
struct EngineRestartTests {
    /// A wallet on `storage`/`keyChain`; each call builds a new engine and a new relay client.
    static func wallet(
        hub: InMemoryRelayHub, storage: any KeyValueStorage, keyChain: KeyChain, clock: any Clock<Duration> = ContinuousClock(),
        wallClock: WallClock = .system
    ) async throws -> EngineClient {
        try await EngineClient.make(
            name: "wallet", relay: hub.makeClient(), storage: storage, keyChain: keyChain, clock: clock, wallClock: wallClock)
    }

    /// Stops a wallet and takes its relay client off every topic, as a client that went offline.
    static func goOffline(_ wallet: EngineClient, hub: InMemoryRelayHub) async throws {
        await wallet.stop()
        for topic in await hub.topics(of: await wallet.relay.clientID) {
            try await wallet.relay.unsubscribe(topic: topic)
        }
    }

    @Test("a request sent while the wallet was offline is announced by the restarted wallet and answered")
    func requestWhileOffline() async throws {
        let hub = InMemoryRelayHub()
        let storage = InMemoryStorage()
        let keyChain = KeyChain.inMemory()
        let dapp = try await EngineClient.make(name: "dapp", relay: hub.makeClient())
        let first = try await Self.wallet(hub: hub, storage: storage, keyChain: keyChain)
        let (session, _) = try await EngineFixture.settle(dapp: dapp, wallet: first)
        try await Self.goOffline(first, hub: hub)

        let response = Task {
            try await dapp.engine.request(topic: session.topic, chainID: "eip155:1", method: "personal_sign", params: ["0x01"])
        }
        try await BoundedWait.until { await !hub.mailbox(of: session.topic).isEmpty }
        let second = try await Self.wallet(hub: hub, storage: storage, keyChain: keyChain)
        let announced = try #require(try await second.next { $0.sessionRequest != nil }.sessionRequest)
        #expect(announced.params.request.params == ["0x01"])
        try await second.engine.respondSessionRequest(
            topic: session.topic, response: JSONRPCResponse(id: RPCID(announced.id), result: "0xsigned"))
        #expect(try await response.boundedValue() == "0xsigned")
        await second.stop()
        await dapp.stop()
    }

    @Test("a session that expired while the wallet was offline is deleted on start: session_delete, session_expire")
    func sessionExpiredWhileOffline() async throws {
        let hub = InMemoryRelayHub()
        let storage = InMemoryStorage()
        let keyChain = KeyChain.inMemory()
        let clock = ManualClock()
        let wall = ManualWallClock(clock: clock, epochMilliseconds: WallClock.system.nowMilliseconds).wallClock
        let dapp = try await EngineClient.make(name: "dapp", relay: hub.makeClient())
        let first = try await Self.wallet(hub: hub, storage: storage, keyChain: keyChain, clock: clock, wallClock: wall)
        let (session, _) = try await EngineFixture.settle(dapp: dapp, wallet: first)
        try await Self.goOffline(first, hub: hub)
        clock.advance(by: .seconds(SignLifetimes.session + 1))

        let second = try await Self.wallet(hub: hub, storage: storage, keyChain: keyChain, clock: clock, wallClock: wall)
        let events = second.events
        let seen = try await BoundedWait.run { () -> [SignEvent] in
            var seen: [SignEvent] = []
            for await event in events {
                seen.append(event)
                if case .sessionExpire = event { return seen }
            }
            return seen
        }
        #expect(seen == [.sessionDelete(id: 0, topic: session.topic), .sessionExpire(topic: session.topic)])
        #expect(await second.engine.activeSessions().isEmpty)
        #expect(await !second.crypto.hasKey(session.topic))
        await second.stop()
        await dapp.stop()
    }

    @Test("a pending request that expired while offline: session_request_expire on start and 8000 to the dapp")
    func requestExpiredWhileOffline() async throws {
        let hub = InMemoryRelayHub()
        let storage = InMemoryStorage()
        let keyChain = KeyChain.inMemory()
        let clock = ManualClock()
        let wall = ManualWallClock(clock: clock, epochMilliseconds: WallClock.system.nowMilliseconds).wallClock
        let dapp = try await EngineClient.make(name: "dapp", relay: hub.makeClient())
        let first = try await Self.wallet(hub: hub, storage: storage, keyChain: keyChain, clock: clock, wallClock: wall)
        let (session, _) = try await EngineFixture.settle(dapp: dapp, wallet: first)
        let (response, pending) = try await EngineRequestTests.send(dapp, first, topic: session.topic, expiry: 300)
        try await Self.goOffline(first, hub: hub)
        // Well past the expiry the dapp computed from its own (real) wall clock, however slow the set-up was.
        clock.advance(by: .seconds(600))

        let second = try await Self.wallet(hub: hub, storage: storage, keyChain: keyChain, clock: clock, wallClock: wall)
        let expired = try await second.next { event in
            switch event {
            case .sessionRequest, .sessionRequestExpire: true
            default: false
            }
        }
        #expect(expired == .sessionRequestExpire(id: pending.id, topic: session.topic))
        let error = await #expect(throws: SDKError.self) { try await response.boundedValue() }
        #expect(error?.code == .sessionRequestExpired)
        #expect(await second.engine.pendingSessionRequests().isEmpty)
        #expect(await second.engine.activeSessions()[session.topic] != nil)
        await second.stop()
        await dapp.stop()
    }

    @Test("a dapp restarted between the proposal response and wc_sessionSettle still settles the session")
    func dappRestartBeforeSettlement() async throws {
        let hub = InMemoryRelayHub()
        let storage = InMemoryStorage()
        let keyChain = KeyChain.inMemory()
        var walletOptions = EngineClient.fastOptions
        walletOptions.approveStyle = .publish  // the proposal response and the settlement are two publishes
        let wallet = try await EngineClient.make(name: "wallet", relay: hub.makeClient(), options: walletOptions)
        let first = try await EngineClient.make(name: "dapp", relay: hub.makeClient(), storage: storage, keyChain: keyChain)
        let connection = try await first.engine.connect(optionalNamespaces: EngineFixture.optionalNamespaces)
        try await wallet.engine.pair(uri: try #require(connection.uri))
        _ = try await wallet.next { if case .sessionProposal = $0 { return true } else { return false } }

        // Both publishes of the approval are held back by the hub; the test delivers them one at a time.
        await hub.dropNextPublish()
        await hub.dropNextPublish()
        let walletSession = try await wallet.engine.approveSession(
            proposalID: connection.proposalID, namespaces: EngineFixture.namespaces)
        let pairingTopic = try #require(await first.engine.pendingSessionProposals().first?.pairingTopic)
        let response = try #require(await hub.publishes(on: pairingTopic).last)
        let settle = try #require(await hub.publishes(on: walletSession.topic).last)

        // The dapp handles the proposal response (it subscribes the session topic), then stops before the settlement.
        await hub.injectInbound(topic: pairingTopic, message: response.message, tag: response.options.tag)
        let dappID = await first.relay.clientID
        try await BoundedWait.until { await hub.subscribers(of: walletSession.topic).contains(dappID) }
        try await Self.goOffline(first, hub: hub)

        // A new dapp engine on the same storage and key chain resubscribes the session topic and accepts it.
        let second = try await EngineClient.make(name: "dapp", relay: hub.makeClient(), storage: storage, keyChain: keyChain)
        let secondID = await second.relay.clientID
        #expect(await hub.subscribers(of: walletSession.topic).contains(secondID))
        let acknowledged = Task {
            try await wallet.next { if case .sessionAcknowledged = $0 { return true } else { return false } }
        }
        await hub.injectInbound(topic: walletSession.topic, message: settle.message, tag: settle.options.tag)
        let settled = try await second.next { if case .sessionSettle = $0 { return true } else { return false } }
        #expect(settled == .sessionSettle(try #require(await second.engine.activeSessions()[walletSession.topic])))
        #expect(try await acknowledged.boundedValue() == .sessionAcknowledged(topic: walletSession.topic))
        #expect(await second.engine.pendingSessionProposals().isEmpty)

        // And the settled session works: a request from the restarted dapp is answered.
        let (answer, pending) = try await EngineRequestTests.send(second, wallet, topic: walletSession.topic)
        try await wallet.engine.respondSessionRequest(
            topic: walletSession.topic, response: JSONRPCResponse(id: RPCID(pending.id), result: "0xafter"))
        #expect(try await answer.boundedValue() == "0xafter")
        await second.stop()
        await wallet.stop()
    }
}
