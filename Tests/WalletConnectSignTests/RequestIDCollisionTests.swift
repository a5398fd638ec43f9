import Foundation
import Testing
import WalletConnectCore
import WalletConnectSign
import WalletKitTesting

/// JSON-RPC ids are unique per sender, not across peers: two dapps (or two sessions of one) can send requests
/// with the same 16-digit id (`ms × 1000 + counter`, both in the same millisecond). A wallet that keyed pending
/// requests, their history and their queue by id alone dropped the second as a duplicate and never announced it
/// (the 4010-storm failure: one request of thousands stuck). Requests are keyed by (topic, id).
@Suite("Same request id on two sessions", .timeLimit(.minutes(1)))
struct RequestIDCollisionTests {
    @Test("two sessions send the same id: both are announced, stored, answered on their own topic, and cleared")
    func sameIDOnTwoSessionsBothAnswered() async throws {
        try await HostileWorld.run { world, first in
            let first = try #require(first)
            let second = try await EngineFixture.settle(dapp: world.dapp.client, wallet: world.wallet.client).wallet
            #expect(first.topic != second.topic)
            let id = HostileWorld.freshID()
            let start = await world.hub.publishes.count

            try await world.inject(HostileJSON.sessionRequest(id: id, params: #"["first"]"#), topic: first.topic, sealedBy: world.dapp)
            try await world.inject(HostileJSON.sessionRequest(id: id, params: #"["second"]"#), topic: second.topic, sealedBy: world.dapp)
            var announced: [String: PendingRequest] = [:]
            for _ in 0..<2 {
                let event = try await world.wallet.client.next { $0.sessionRequest != nil }
                let request = try #require(event.sessionRequest)
                announced[request.topic] = request
            }
            #expect(announced[first.topic]?.id == id)
            #expect(announced[second.topic]?.id == id)
            #expect(announced[first.topic]?.params.request.params == [.string("first")])
            #expect(announced[second.topic]?.params.request.params == [.string("second")])
            #expect(await world.wallet.engine.pendingSessionRequests().count == 2)

            // Each answer goes to its own session, and answering one leaves the other pending.
            try await world.wallet.engine.respondSessionRequest(
                topic: second.topic, response: JSONRPCResponse(id: RPCID(id), result: .string("answer-2")))
            #expect(await world.wallet.engine.pendingSessionRequests().map(\.topic) == [first.topic])
            try await world.wallet.engine.respondSessionRequest(
                topic: first.topic, response: JSONRPCResponse(id: RPCID(id), result: .string("answer-1")))
            #expect(await world.wallet.engine.pendingSessionRequests().isEmpty)

            var answers: [String: JSONValue] = [:]
            for publish in await world.publishes(by: world.wallet, since: start) {
                if case .response(let response) = try await HostileWorld.open(publish, with: world.dapp), response.id == RPCID(id) {
                    answers[publish.topic] = response.result
                }
            }
            #expect(answers == [first.topic: .string("answer-1"), second.topic: .string("answer-2")])

            // A redelivered copy of either is still recognised as answered (history per topic): not announced again.
            try await world.inject(HostileJSON.sessionRequest(id: id, params: #"["first"]"#), topic: first.topic, sealedBy: world.dapp)
            try await world.barrier(victim: world.wallet, topic: first.topic)
            #expect(await world.wallet.engine.pendingSessionRequests().isEmpty)
        }
    }

    @Test("a response on another session's topic does not resolve our request of that id")
    func responseOnTheWrongTopicIsDropped() async throws {
        try await HostileWorld.run { world, first in
            let first = try #require(first)
            let second = try await EngineFixture.settle(dapp: world.dapp.client, wallet: world.wallet.client).wallet
            // The dapp asks on the first session; the wallet's answer to that id arrives on the second session's
            // topic first (a confused or hostile peer), then on the right one.
            let request = Task {
                try await world.dapp.engine.request(
                    topic: first.topic, chainID: "eip155:1", method: "personal_sign", params: [.string("x")])
            }
            let announced = try #require(try await world.wallet.client.next { $0.sessionRequest != nil }.sessionRequest)
            try await world.inject(
                HostileJSON.result(id: announced.id, #""wrong-session""#), topic: second.topic, sealedBy: world.wallet)
            try await world.barrier(victim: world.dapp, topic: second.topic)
            try await world.wallet.engine.respondSessionRequest(
                topic: first.topic, response: JSONRPCResponse(id: RPCID(announced.id), result: .string("right")))
            #expect(try await request.boundedValue() == .string("right"))
        }
    }

    @Test("on SQLite: both requests and both history records survive a reopen; rows stored by id alone are moved")
    func persistedByTopicAndIDAndMigrated() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("wallet.sqlite").path
        let id = HostileWorld.freshID()
        let (a, b) = (String(repeating: "a", count: 64), String(repeating: "b", count: 64))
        func stored(_ topic: String) -> StoredSessionRequest {
            StoredSessionRequest(
                request: PendingRequest(
                    id: id, topic: topic,
                    params: SessionRequestParams(request: .init(method: "personal_sign", params: [.string(topic)]), chainID: "eip155:1")),
                expiryTimestamp: 4_000_000_000, receivedAt: 1)
        }
        do {
            let storage = try SQLiteStorage(path: path)
            let requests = RequestStore(storage: storage)
            try await requests.load()
            try await requests.set(stored(a))
            try await requests.set(stored(b))
            let history = SignRPCHistory(storage: storage, wallClock: .system)
            try await history.load()
            #expect(try await history.set(id: id, topic: a, method: "wc_sessionRequest", direction: .incoming))
            #expect(try await history.set(id: id, topic: b, method: "wc_sessionRequest", direction: .incoming))
            #expect(try await history.set(id: id, topic: a, method: "wc_sessionPing", direction: .outgoing))
            try await history.resolveIncoming(topic: a, id: id)
        }
        let storage = try SQLiteStorage(path: path)
        let requests = RequestStore(storage: storage)
        try await requests.load()
        #expect(Set(await requests.all.map(\.topic)) == [a, b])
        #expect(await requests.record(topic: b, id: id)?.request.params.request.params == [.string(b)])
        let history = SignRPCHistory(storage: storage, wallClock: .system)
        try await history.load()
        #expect(await history.incoming(topic: a, id: id)?.isResolved == true)
        #expect(await history.incoming(topic: b, id: id)?.isResolved == false)
        #expect(await history.outgoing(id: id)?.method == "wc_sessionPing")

        // Rows written by an earlier version, under the id alone, are found by (topic, id) after a load.
        let legacyID = id + 1
        let c = String(repeating: "c", count: 64)
        var legacy = stored(c)
        legacy.request.id = legacyID
        let legacyRequests = Store<StoredSessionRequest>(storage: storage, storageKey: .client("request", prefix: ""))
        try await legacyRequests.load()
        try await legacyRequests.set(String(legacyID), legacy)
        let legacyHistory = Store<RPCHistoryRecord>(storage: storage, storageKey: .history(prefix: ""))
        try await legacyHistory.load()
        try await legacyHistory.set(
            String(legacyID),
            RPCHistoryRecord(id: legacyID, topic: c, method: "wc_sessionRequest", direction: .incoming, isResolved: true, expiry: 4_000_000_000))
        let reopened = RequestStore(storage: storage)
        try await reopened.load()
        #expect(await reopened.record(topic: c, id: legacyID) == legacy)
        #expect(await reopened.all.count == 3)
        let reopenedHistory = SignRPCHistory(storage: storage, wallClock: .system)
        try await reopenedHistory.load()
        #expect(await reopenedHistory.incoming(topic: c, id: legacyID)?.isResolved == true)
        #expect(await reopenedHistory.outgoing(id: legacyID) == nil)
        // Moved, not copied: a fresh load of the raw rows has the new keys only.
        let rows = Store<StoredSessionRequest>(storage: storage, storageKey: .client("request", prefix: ""))
        try await rows.load()
        #expect(Set(await rows.keys) == [a + "/\(id)", b + "/\(id)", c + "/\(legacyID)"])
    }

    @Test("a proposal whose id another pairing's pending proposal holds is refused with an error; the first is untouched")
    func proposalIDInUseIsRefused() async throws {
        try await HostileWorld.run(settled: false) { world, _ in
            let wallet = world.wallet.client
            func propose() async throws -> Proposal {
                let connection = try await world.dapp.engine.connect(optionalNamespaces: EngineFixture.optionalNamespaces)
                try await wallet.engine.pair(uri: try #require(connection.uri))
                guard case .sessionProposal(let proposal, _) = try await wallet.next(where: {
                    if case .sessionProposal = $0 { return true } else { return false }
                }) else { throw EngineFixture.FixtureError.unexpected }
                return proposal
            }
            let first = try await propose()
            let second = try await propose()
            #expect(first.pairingTopic != second.pairingTopic)

            // The dapp's proposal on the second pairing, sent again with the first proposal's id.
            let publishes = await world.publishes(by: world.dapp, since: 0)
            let sent = try #require(publishes.last { $0.topic == second.pairingTopic && $0.options.tag == 1100 })
            guard case .request(let original) = try await HostileWorld.open(sent, with: world.dapp) else {
                throw EngineFixture.FixtureError.unexpected
            }
            let colliding = JSONRPCRequest(id: RPCID(first.id), method: original.method, params: original.params)
            let start = await world.hub.publishes.count
            try await world.inject(try WireJSON.string(colliding), topic: second.pairingTopic, sealedBy: world.dapp)
            try await BoundedWait.until { await !(world.publishes(by: world.wallet, since: start).isEmpty) }

            let answers = try await HostileWorld.errors(in: world.publishes(by: world.wallet, since: start), readBy: world.dapp)
            #expect(answers.count == 1)
            #expect(answers.first?.publish.topic == second.pairingTopic)
            #expect(answers.first?.id == first.id)
            #expect(answers.first?.error.code == SDKErrorCode.missingOrInvalid.rawValue)
            let pending = await wallet.engine.pendingSessionProposals()
            #expect(Set(pending.map(\.id)) == [first.id, second.id])
            #expect(pending.first { $0.id == first.id }?.pairingTopic == first.pairingTopic)
        }
    }
}
