import Foundation
import Testing
import WalletConnectCore
import WalletConnectSign
import WalletKitTesting

/// Update, extend, events, pings and deletes between a dapp and a wallet engine over the in-memory relay.
@Suite("Sign engine: session life (in-memory relay)", .timeLimit(.minutes(1)))
struct EngineLifecycleTests {
    static let extendedNamespaces: SessionNamespaces = [
        "eip155": SessionNamespace(
            chains: ["eip155:1", "eip155:42161", "eip155:10"],
            accounts: ["eip155:1:\(EngineFixture.account)", "eip155:42161:\(EngineFixture.account)", "eip155:10:\(EngineFixture.account)"],
            methods: EngineFixture.methods, events: EngineFixture.events)
    ]

    @Test("update by the controller: stored on both sides, acknowledged, tags 1104/1105; the dapp may not update")
    func update() async throws {
        try await EngineFixture.withSession { hub, dapp, wallet, session in
            let acknowledgement = try await wallet.engine.updateSession(topic: session.topic, namespaces: Self.extendedNamespaces)
            let event = try await dapp.next { if case .sessionUpdate = $0 { return true } else { return false } }
            guard case .sessionUpdate(_, let topic, let namespaces) = event else { return }
            #expect(topic == session.topic)
            #expect(namespaces == Self.extendedNamespaces)
            try await BoundedWait.run { try await acknowledgement.acknowledged() }
            #expect(await dapp.engine.activeSessions()[session.topic]?.namespaces == Self.extendedNamespaces)
            #expect(await wallet.engine.activeSessions()[session.topic]?.namespaces == Self.extendedNamespaces)
            let publishes = await hub.publishes(on: session.topic)
            EngineFixture.expect(try #require(publishes.first { $0.options.tag == 1104 }).options, SignMethod.sessionUpdate.requestOptions)
            EngineFixture.expect(try #require(publishes.first { $0.options.tag == 1105 }).options, SignMethod.sessionUpdate.responseOptions)
            await #expect(throws: SDKError.sdk(.unauthorizedUpdateRequest)) {
                _ = try await dapp.engine.updateSession(topic: session.topic, namespaces: EngineFixture.namespaces)
            }
        }
    }

    @Test("an update from a non-controller peer is rejected with 3003 and not stored")
    func updateFromNonController() async throws {
        try await EngineFixture.withSession { hub, dapp, wallet, session in
            // The dapp bypasses its own check by publishing a raw wc_sessionUpdate.
            let request = JSONRPCRequest(
                id: RPCID(1_800_000_000_000_000), method: "wc_sessionUpdate",
                params: ["namespaces": try JSONValue(encoding: Self.extendedNamespaces)])
            let publishes = hub.publishEvents()
            try await dapp.relay.publish(
                topic: session.topic, message: try await dapp.crypto.encode(topic: session.topic, payload: WireJSON.string(request)),
                options: PublishOptions(ttl: 86400, tag: 1104))
            let reply = try await BoundedWait.first(in: publishes) { $0.options.tag == 1105 }
            guard case .response(let response) = try await EngineFixture.open(reply, with: dapp) else { return }
            #expect(response.error?.code == SDKErrorCode.unauthorizedUpdateRequest.rawValue)
            #expect(await wallet.engine.activeSessions()[session.topic]?.namespaces == EngineFixture.namespaces)
        }
    }

    @Test("extend by the controller: the new expiry reaches the dapp; tags 1106/1107; the dapp may not extend")
    func extend() async throws {
        let clock = ManualClock()
        let start = WallClock.system.nowMilliseconds
        let wall = ManualWallClock(clock: clock, epochMilliseconds: start).wallClock
        try await EngineFixture.withSession(dappClock: clock, dappWallClock: wall, walletClock: clock, walletWallClock: wall) {
            hub, dapp, wallet, session in
            let before = session.expiry
            clock.advance(by: .seconds(3600))
            let acknowledgement = try await wallet.engine.extendSession(topic: session.topic)
            let event = try await dapp.next { if case .sessionExtend = $0 { return true } else { return false } }
            guard case .sessionExtend(_, _, let expiry) = event else { return }
            #expect(expiry == before + 3600)
            try await BoundedWait.run { try await acknowledgement.acknowledged() }
            #expect(await dapp.engine.activeSessions()[session.topic]?.expiry == before + 3600)
            #expect(await wallet.engine.activeSessions()[session.topic]?.expiry == before + 3600)
            let publishes = await hub.publishes(on: session.topic)
            EngineFixture.expect(try #require(publishes.first { $0.options.tag == 1106 }).options, SignMethod.sessionExtend.requestOptions)
            EngineFixture.expect(try #require(publishes.first { $0.options.tag == 1107 }).options, SignMethod.sessionExtend.responseOptions)
            await #expect(throws: SDKError.sdk(.unauthorizedExtendRequest)) {
                _ = try await dapp.engine.extendSession(topic: session.topic)
            }
        }
    }

    @Test("extend from a peer: whatever expiry it carries (past now + 7 days, not later, none), true and now + 7 days")
    func extendRule() async throws {
        try await EngineFixture.withSession { hub, dapp, wallet, session in
            let publishes = hub.publishEvents()
            let params: [JSONValue] = [["expiry": .int(session.expiry + 86_400)], ["expiry": .int(session.expiry - 10)], [:]]
            for (index, params) in params.enumerated() {
                // A raw extend from the wallet (the controller); the dapp ignores the params, as JS receivers do.
                let request = JSONRPCRequest(
                    id: RPCID(1_800_000_000_000_000 + Int64(index)), method: "wc_sessionExtend", params: params)
                try await wallet.relay.publish(
                    topic: session.topic,
                    message: try await wallet.crypto.encode(topic: session.topic, payload: WireJSON.string(request)),
                    options: PublishOptions(ttl: 86400, tag: 1106))
                let reply = try await BoundedWait.first(in: publishes) { $0.options.tag == 1107 }
                guard case .response(let response) = try await EngineFixture.open(reply, with: wallet) else { return }
                #expect(response.result == .bool(true), "params \(params)")
                let expiry = await dapp.engine.activeSessions()[session.topic]?.expiry
                #expect(expiry.map { $0 >= session.expiry && $0 <= WallClock.system.nowSeconds + 604_800 } == true)
            }
        }
    }

    @Test("events: the wallet emits, the dapp receives; tag 1110 (prompt); unapproved events are refused")
    func events() async throws {
        try await EngineFixture.withSession { hub, dapp, wallet, session in
            let event = SessionEventParams.Event(name: "accountsChanged", data: [.string(EngineFixture.account)])
            try await wallet.engine.emitSessionEvent(topic: session.topic, event: event, chainID: "eip155:42161")
            let received = try await dapp.next { if case .sessionEvent = $0 { return true } else { return false } }
            guard case .sessionEvent(_, let topic, let payload, let chainID, _) = received else { return }
            #expect(topic == session.topic)
            #expect(payload == event)
            #expect(chainID == "eip155:42161")
            let publish = try #require(await hub.publishes(on: session.topic).first { $0.options.tag == 1110 })
            EngineFixture.expect(publish.options, SignMethod.sessionEvent.requestOptions)
            await #expect(throws: SDKError.self) {
                try await wallet.engine.emitSessionEvent(
                    topic: session.topic, event: .init(name: "unknown", data: nil), chainID: "eip155:1")
            }
            await #expect(throws: SDKError.internal(.missingOrInvalid, context: "emit() chainId: eip155:5")) {
                try await wallet.engine.emitSessionEvent(topic: session.topic, event: event, chainID: "eip155:5")
            }
        }
    }

    @Test("session ping in both directions: tags 1114/1115, the receiver announces session_ping")
    func sessionPing() async throws {
        try await EngineFixture.withSession { hub, dapp, wallet, session in
            try await dapp.engine.ping(topic: session.topic)
            _ = try await wallet.next { $0 == .sessionPing(id: $0.pingID, topic: session.topic) }
            try await wallet.engine.ping(topic: session.topic)
            _ = try await dapp.next { if case .sessionPing = $0 { return true } else { return false } }
            let publishes = await hub.publishes(on: session.topic)
            #expect(publishes.filter { $0.options.tag == 1114 }.count == 2)
            #expect(publishes.filter { $0.options.tag == 1115 }.count == 2)
            EngineFixture.expect(try #require(publishes.first { $0.options.tag == 1114 }).options, SignMethod.sessionPing.requestOptions)
            await #expect(throws: SDKError.internal(.noMatchingKey, context: "session or pairing topic doesn't exist: none")) {
                try await dapp.engine.ping(topic: "none")
            }
        }
    }

    @Test("pairing ping and pairing delete through the engine")
    func pairingPingAndDelete() async throws {
        try await EngineFixture.withSession { hub, dapp, wallet, session in
            try await BoundedWait.run { try await dapp.engine.ping(topic: session.pairingTopic) }
            let pingPublish = try #require(await hub.publishes(on: session.pairingTopic).first { $0.options.tag == 1002 })
            #expect(pingPublish.options.ttl == 30)
            let deleted = wallet.pairing.events()
            try await dapp.engine.disconnect(topic: session.pairingTopic)
            _ = try await BoundedWait.first(in: deleted) { $0 == .deleted(topic: session.pairingTopic, byPeer: true) }
            #expect(await wallet.pairing.pairing(topic: session.pairingTopic) == nil)
            #expect(await dapp.pairing.pairing(topic: session.pairingTopic) == nil)
            // The session itself is unaffected.
            try await dapp.engine.ping(topic: session.topic)
        }
    }

    @Test("disconnect from the wallet: the dapp gets session_delete, its request fails with 6000, both stores empty")
    func disconnectFromWallet() async throws {
        try await EngineFixture.withSession { hub, dapp, wallet, session in
            let (response, _) = try await EngineRequestTests.send(dapp, wallet, topic: session.topic)
            try await wallet.engine.disconnect(topic: session.topic)
            let event = try await dapp.next { if case .sessionDelete = $0 { return true } else { return false } }
            guard case .sessionDelete(let id, let topic) = event else { return }
            #expect(topic == session.topic && id != 0)
            let error = await #expect(throws: SDKError.self) { try await response.boundedValue() }
            #expect(error?.code == .userDisconnected)
            #expect(await dapp.engine.activeSessions().isEmpty)
            #expect(await wallet.engine.activeSessions().isEmpty)
            #expect(await wallet.engine.pendingSessionRequests().isEmpty)
            let delete = try #require(await hub.publishes(on: session.topic).first { $0.options.tag == 1112 })
            EngineFixture.expect(delete.options, SignMethod.sessionDelete.requestOptions)
            #expect(await !wallet.crypto.hasKey(session.topic))
            await #expect(throws: SDKError.internal(.missingOrInvalid, context: "Record was recently deleted - session: \(session.topic)")) {
                try await wallet.engine.disconnect(topic: session.topic)
            }
        }
    }

    @Test("disconnect from the dapp: the wallet gets session_delete; the disconnecting side gets none")
    func disconnectFromDapp() async throws {
        try await EngineFixture.withSession { hub, dapp, wallet, session in
            try await dapp.engine.disconnect(topic: session.topic)
            let event = try await wallet.next { if case .sessionDelete = $0 { return true } else { return false } }
            #expect(event == .sessionDelete(id: event.deleteID, topic: session.topic))
            #expect(await wallet.engine.activeSessions().isEmpty)
            #expect(await dapp.engine.activeSessions().isEmpty)
            #expect(await hub.subscribers(of: session.topic).isEmpty)
            // Nothing about the deletion was announced to the dapp itself (a later ping of its pairing goes first).
            try await BoundedWait.run { try await dapp.engine.ping(topic: session.pairingTopic) }
        }
    }

    @Test("proposal expiry: the wallet announces proposal_expire, the dapp's approval() fails with code 0")
    func proposalExpiry() async throws {
        let clock = ManualClock()
        let wall = ManualWallClock(clock: clock, epochMilliseconds: WallClock.system.nowMilliseconds).wallClock
        try await EngineFixture.withPair(dappClock: clock, dappWallClock: wall, walletClock: clock, walletWallClock: wall) {
            _, dapp, wallet in
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
            await #expect(throws: SDKError.self) {
                _ = try await wallet.engine.approveSession(proposalID: connection.proposalID, namespaces: EngineFixture.namespaces)
            }
        }
    }

    @Test("session expiry: both sides delete it and announce session_delete then session_expire")
    func sessionExpiry() async throws {
        let clock = ManualClock()
        let wall = ManualWallClock(clock: clock, epochMilliseconds: WallClock.system.nowMilliseconds).wallClock
        try await EngineFixture.withSession(dappClock: clock, dappWallClock: wall, walletClock: clock, walletWallClock: wall) {
            _, dapp, wallet, session in
            clock.advance(by: .seconds(SignLifetimes.session + 1))
            await wallet.expirer.checkNow()
            await dapp.expirer.checkNow()
            for client in [wallet, dapp] {
                let events = client.events
                let seen = try await BoundedWait.run { () -> [SignEvent] in
                    var seen: [SignEvent] = []
                    for await event in events {
                        switch event {
                        case .sessionDelete, .sessionExpire: seen.append(event)
                        default: break
                        }
                        if case .sessionExpire = event { return seen }
                    }
                    return seen
                }
                #expect(seen == [.sessionDelete(id: 0, topic: session.topic), .sessionExpire(topic: session.topic)])
                #expect(await client.engine.activeSessions().isEmpty)
            }
        }
    }
}

extension SignEvent {
    /// The id of a `.sessionPing` (else 0), to match it in predicates.
    var pingID: Int64 {
        if case .sessionPing(let id, _) = self { return id }
        return 0
    }

    /// The id of a `.sessionDelete` (else 0).
    var deleteID: Int64 {
        if case .sessionDelete(let id, _) = self { return id }
        return 0
    }
}
