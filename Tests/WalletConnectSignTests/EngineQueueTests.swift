import Foundation
import Testing
import WalletConnectCore
import WalletKitTesting

@testable import WalletConnectSign

/// The wallet's session-request queue (§11.4): the pure state machine, then the engine in each mode.
@Suite("Sign engine: session-request queue", .timeLimit(.minutes(1)))
struct EngineQueueTests {
    static func request(_ id: Int64, _ topic: String) -> PendingRequest {
        PendingRequest(
            id: id, topic: topic,
            params: SessionRequestParams(request: .init(method: "personal_sign", params: []), chainID: "eip155:1"))
    }

    static func key(_ id: Int64, _ topic: String) -> SessionRequestKey { SessionRequestKey(topic: topic, id: id) }

    @Test("per session: one active request per session, FIFO, sessions independent")
    func perSessionMachine() {
        var queue = SessionRequestQueue(mode: .perSession)
        #expect(queue.enqueue(Self.request(1, "a")).map(\.id) == [1])
        #expect(queue.enqueue(Self.request(2, "a")).isEmpty)
        #expect(queue.enqueue(Self.request(3, "b")).map(\.id) == [3])
        #expect(queue.enqueue(Self.request(4, "a")).isEmpty)
        #expect(queue.complete(Self.key(1, "a")).map(\.id) == [2])
        #expect(queue.complete(Self.key(3, "b")).isEmpty)
        #expect(queue.remove(Self.key(4, "a")).isEmpty)
        #expect(queue.complete(Self.key(2, "a")).isEmpty)
        #expect(queue.activeKeys.isEmpty && queue.waitingKeys.isEmpty)
    }

    @Test("global: one active request overall, in arrival order")
    func globalMachine() {
        var queue = SessionRequestQueue(mode: .global)
        #expect(queue.enqueue(Self.request(1, "a")).map(\.id) == [1])
        #expect(queue.enqueue(Self.request(2, "b")).isEmpty)
        #expect(queue.enqueue(Self.request(3, "a")).isEmpty)
        #expect(queue.complete(Self.key(1, "a")).map(\.id) == [2])
        #expect(queue.complete(Self.key(2, "b")).map(\.id) == [3])
    }

    @Test("disabled: everything at once; duplicates are never announced twice")
    func disabledMachineAndDedupe() {
        var queue = SessionRequestQueue(mode: .disabled)
        #expect(queue.enqueue(Self.request(1, "a")).map(\.id) == [1])
        #expect(queue.enqueue(Self.request(2, "a")).map(\.id) == [2])
        #expect(queue.enqueue(Self.request(1, "a")).isEmpty)
        var serial = SessionRequestQueue(mode: .perSession)
        _ = serial.enqueue(Self.request(1, "a"))
        #expect(serial.enqueue(Self.request(1, "a")).isEmpty)
        _ = serial.complete(Self.key(1, "a"))
        #expect(serial.enqueue(Self.request(1, "a")).isEmpty)
    }

    @Test("the same id on two sessions is two requests: both announced, each completed on its own")
    func sameIDOnTwoTopics() {
        for mode in [SessionRequestQueueMode.perSession, .disabled] {
            var queue = SessionRequestQueue(mode: mode)
            #expect(queue.enqueue(Self.request(7, "a")).map(\.topic) == ["a"])
            #expect(queue.enqueue(Self.request(7, "b")).map(\.topic) == ["b"])
            #expect(queue.enqueue(Self.request(7, "a")).isEmpty)
            _ = queue.complete(Self.key(7, "a"))
            #expect(queue.activeKeys == (mode == .perSession ? [Self.key(7, "b")] : []))
        }
        var global = SessionRequestQueue(mode: .global)
        #expect(global.enqueue(Self.request(7, "a")).map(\.topic) == ["a"])
        #expect(global.enqueue(Self.request(7, "b")).isEmpty)
        #expect(global.complete(Self.key(7, "a")).map(\.topic) == ["b"])
    }

    @Test("deleting a session drops its requests and releases the global head it held")
    func removeSessionMachine() {
        var queue = SessionRequestQueue(mode: .global)
        _ = queue.enqueue(Self.request(1, "a"))
        _ = queue.enqueue(Self.request(2, "a"))
        _ = queue.enqueue(Self.request(3, "b"))
        #expect(queue.removeSession(topic: "a").map(\.id) == [3])
        #expect(queue.waitingKeys.isEmpty)
    }

    // MARK: - Engine

    /// Settles two sessions between one dapp and one wallet.
    static func twoSessions(_ dapp: EngineClient, _ wallet: EngineClient) async throws -> (String, String) {
        let (first, _) = try await EngineFixture.settle(dapp: dapp, wallet: wallet)
        let (second, _) = try await EngineFixture.settle(dapp: dapp, wallet: wallet)
        return (first.topic, second.topic)
    }

    /// Sends a request and waits until the wallet has stored it (so arrival order is the sending order).
    static func send(_ dapp: EngineClient, _ wallet: EngineClient, topic: String, method: String) async throws
        -> Task<JSONValue, any Error>
    {
        let before = await wallet.engine.pendingSessionRequests().count
        let task = Task { try await dapp.engine.request(topic: topic, chainID: "eip155:1", method: method, params: []) }
        try await BoundedWait.until { await wallet.engine.pendingSessionRequests().count > before }
        return task
    }

    /// The methods of the requests announced before the wallet's next `session_ping` (the dapp pings as a barrier).
    static func announcedBeforePing(_ dapp: EngineClient, _ wallet: EngineClient, topic: String) async throws -> [String] {
        try await dapp.engine.ping(topic: topic)
        let events = wallet.events
        return try await BoundedWait.run { () -> [String] in
            var methods: [String] = []
            for await event in events {
                if let request = event.sessionRequest { methods.append(request.params.request.method) }
                if case .sessionPing = event { return methods }
            }
            return methods
        }
    }

    static func respond(_ wallet: EngineClient, method: String) async throws {
        let pending = try #require(await wallet.engine.pendingSessionRequests().first { $0.params.request.method == method })
        try await wallet.engine.respondSessionRequest(
            topic: pending.topic, response: JSONRPCResponse(id: RPCID(pending.id), result: .string(method)))
    }

    @Test("engine, per session (default): the second session does not wait for the first")
    func perSessionEngine() async throws {
        try await EngineFixture.withPair { _, dapp, wallet in
            let (a, b) = try await Self.twoSessions(dapp, wallet)
            let a1 = try await Self.send(dapp, wallet, topic: a, method: "personal_sign")
            let a2 = try await Self.send(dapp, wallet, topic: a, method: "eth_signTypedData")
            let b1 = try await Self.send(dapp, wallet, topic: b, method: "eth_sendTransaction")
            #expect(try await Self.announcedBeforePing(dapp, wallet, topic: a) == ["personal_sign", "eth_sendTransaction"])
            try await Self.respond(wallet, method: "personal_sign")
            #expect(try await a1.boundedValue() == "personal_sign")
            #expect(try await Self.announcedBeforePing(dapp, wallet, topic: a) == ["eth_signTypedData"])
            try await Self.respond(wallet, method: "eth_signTypedData")
            try await Self.respond(wallet, method: "eth_sendTransaction")
            #expect(try await a2.boundedValue() == "eth_signTypedData")
            #expect(try await b1.boundedValue() == "eth_sendTransaction")
        }
    }

    @Test("engine, global: one request at a time across sessions, in arrival order")
    func globalEngine() async throws {
        let options = SignEngineOptions(requestQueue: .global, requestQueueReleaseDelay: .zero)
        try await EngineFixture.withPair(walletOptions: options) { _, dapp, wallet in
            let (a, b) = try await Self.twoSessions(dapp, wallet)
            let a1 = try await Self.send(dapp, wallet, topic: a, method: "personal_sign")
            let b1 = try await Self.send(dapp, wallet, topic: b, method: "eth_sendTransaction")
            let a2 = try await Self.send(dapp, wallet, topic: a, method: "eth_signTypedData")
            #expect(try await Self.announcedBeforePing(dapp, wallet, topic: a) == ["personal_sign"])
            try await Self.respond(wallet, method: "personal_sign")
            #expect(try await Self.announcedBeforePing(dapp, wallet, topic: a) == ["eth_sendTransaction"])
            try await Self.respond(wallet, method: "eth_sendTransaction")
            #expect(try await Self.announcedBeforePing(dapp, wallet, topic: a) == ["eth_signTypedData"])
            try await Self.respond(wallet, method: "eth_signTypedData")
            for task in [a1, b1, a2] { _ = try await task.boundedValue() }
        }
    }

    @Test("engine, disabled: every request is announced at once")
    func disabledEngine() async throws {
        let options = SignEngineOptions(requestQueue: .disabled, requestQueueReleaseDelay: .zero)
        try await EngineFixture.withSession(walletOptions: options) { _, dapp, wallet, session in
            let a1 = try await Self.send(dapp, wallet, topic: session.topic, method: "personal_sign")
            let a2 = try await Self.send(dapp, wallet, topic: session.topic, method: "eth_signTypedData")
            #expect(
                try await Self.announcedBeforePing(dapp, wallet, topic: session.topic) == ["personal_sign", "eth_signTypedData"])
            try await Self.respond(wallet, method: "eth_signTypedData")
            try await Self.respond(wallet, method: "personal_sign")
            #expect(try await a1.boundedValue() == "personal_sign")
            #expect(try await a2.boundedValue() == "eth_signTypedData")
        }
    }

    @Test("release delay: the next request is announced one second (injected clock) after the answer")
    func releaseDelay() async throws {
        let clock = ManualClock()
        let wall = ManualWallClock(clock: clock, epochMilliseconds: WallClock.system.nowMilliseconds).wallClock
        let options = SignEngineOptions(requestQueueReleaseDelay: .seconds(1))
        try await EngineFixture.withSession(walletOptions: options, walletClock: clock, walletWallClock: wall) {
            _, dapp, wallet, session in
            let a1 = try await Self.send(dapp, wallet, topic: session.topic, method: "personal_sign")
            let a2 = try await Self.send(dapp, wallet, topic: session.topic, method: "eth_signTypedData")
            #expect(try await Self.announcedBeforePing(dapp, wallet, topic: session.topic) == ["personal_sign"])
            try await Self.respond(wallet, method: "personal_sign")
            #expect(try await a1.boundedValue() == "personal_sign")
            #expect(try await Self.announcedBeforePing(dapp, wallet, topic: session.topic) == [])
            // The expirer's loop and the release task sleep on the wallet's clock.
            try await BoundedWait.run { try await clock.waitForSleepers(count: 2) }
            clock.advance(by: .seconds(1))
            let next = try await wallet.next { $0.sessionRequest != nil }
            #expect(next.sessionRequest?.params.request.method == "eth_signTypedData")
            try await Self.respond(wallet, method: "eth_signTypedData")
            #expect(try await a2.boundedValue() == "eth_signTypedData")
        }
    }

    @Test("default options: the next request of a session is announced as soon as the previous is answered (issue 14)")
    func noPacingByDefault() async throws {
        let clock = ManualClock()
        let wall = ManualWallClock(clock: clock, epochMilliseconds: WallClock.system.nowMilliseconds).wallClock
        try await EngineFixture.withSession(walletOptions: SignEngineOptions(), walletClock: clock, walletWallClock: wall) {
            _, dapp, wallet, session in
            let a1 = try await Self.send(dapp, wallet, topic: session.topic, method: "personal_sign")
            let a2 = try await Self.send(dapp, wallet, topic: session.topic, method: "eth_signTypedData")
            #expect(try await Self.announcedBeforePing(dapp, wallet, topic: session.topic) == ["personal_sign"])
            try await Self.respond(wallet, method: "personal_sign")
            #expect(try await a1.boundedValue() == "personal_sign")
            // No time passes on the wallet's clock: the second request comes at once.
            #expect(try await Self.announcedBeforePing(dapp, wallet, topic: session.topic) == ["eth_signTypedData"])
            try await Self.respond(wallet, method: "eth_signTypedData")
            #expect(try await a2.boundedValue() == "eth_signTypedData")
        }
    }

    @Test("deleting a session drops its queued requests and the next session's request is announced")
    func deleteReleases() async throws {
        let options = SignEngineOptions(requestQueue: .global, requestQueueReleaseDelay: .zero)
        try await EngineFixture.withPair(walletOptions: options) { _, dapp, wallet in
            let (a, b) = try await Self.twoSessions(dapp, wallet)
            let a1 = try await Self.send(dapp, wallet, topic: a, method: "personal_sign")
            let b1 = try await Self.send(dapp, wallet, topic: b, method: "eth_sendTransaction")
            #expect(try await Self.announcedBeforePing(dapp, wallet, topic: b) == ["personal_sign"])
            try await wallet.engine.disconnect(topic: a)
            let next = try await wallet.next { $0.sessionRequest != nil }
            #expect(next.sessionRequest?.params.request.method == "eth_sendTransaction")
            #expect(await wallet.engine.pendingSessionRequests().map(\.topic) == [b])
            let error = await #expect(throws: SDKError.self) { try await a1.boundedValue() }
            #expect(error?.code == .userDisconnected)
            try await Self.respond(wallet, method: "eth_sendTransaction")
            _ = try await b1.boundedValue()
        }
    }
}
