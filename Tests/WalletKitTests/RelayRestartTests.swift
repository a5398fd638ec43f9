import Foundation
import Synchronization
import Testing
import WalletConnectCore
import WalletConnectRelayServer
import WalletConnectSign
import WalletKit
import WalletKitTesting

/// Issue #7 (faults): the relay is stopped while a session request is in flight and started again on the same
/// port with the same ``RelayServerState``; the request is answered exactly once after the reconnect.
///
/// A `SignClient` dapp and a `WalletKit` wallet (SQLite storage, real WebSockets on 127.0.0.1). To hold a message
/// in the relay while one side has not received it, the relay runs as two nodes over one shared state (like a
/// relay cluster): the dapp's node and the wallet's node. "The relay stops" means every node stops; it comes
/// back on the same ports.
@Suite("Faults: relay stopped and restarted with a request in flight", .timeLimit(.minutes(1)))
struct RelayRestartTests {
    /// Where the request is when the relay stops.
    enum Moment: String, CaseIterable, CustomTestStringConvertible, Sendable {
        /// The relay holds the request; the wallet has not received it (its node went down first).
        case requestHeldForWallet
        /// The wallet has received the request; its answer is sent while the relay is down.
        case walletReceivedRequest
        /// The wallet's answer is held by the relay; the dapp has not received it (its node went down first).
        case answerHeldForDapp

        var testDescription: String { rawValue }
    }

    @Test("the request is announced once and answered once; request() returns one result", arguments: Moment.allCases)
    func requestSurvivesRelayRestart(moment: Moment) async throws {
        let directory = try WKTemporaryDirectory()
        let state = RelayServerState()
        // The dapp's node and the wallet's node; one node only when the wallet has the request already.
        let twoNodes = moment != .walletReceivedRequest
        var dappNode = try await Self.startNode(state: state)
        var walletNode = twoNodes ? try await Self.startNode(state: state) : dappNode
        let dappPort = try #require(await dappNode.port)
        let walletPort = try #require(await walletNode.port)
        let dappConfiguration = WKFixture.signConfiguration(
            metadata: WKFixture.dappMetadata, relayURL: await dappNode.url, databasePath: directory.path("dapp.sqlite"),
            requestTimeout: .seconds(15))
        let walletConfiguration = WKFixture.walletConfiguration(
            relayURL: await walletNode.url, databasePath: directory.path("wallet.sqlite"), requestTimeout: .seconds(15))
        do {
            try await SignClient.withSignClient(dappConfiguration) { dapp in
                try await WalletKit.withWalletKit(walletConfiguration) { kit in
                    try await Self.run(
                        moment, state: state, dapp: dapp, kit: kit,
                        stopNodes: { dappFirst in
                            if dappFirst {
                                await dappNode.stop()
                                try await Self.disconnected(dapp.connectionStates())
                            } else {
                                await walletNode.stop()
                                try await Self.disconnected(kit.connectionStates)
                            }
                        },
                        stopAll: {
                            await dappNode.stop()
                            await walletNode.stop()
                        },
                        restart: {
                            dappNode = try await Self.startNode(state: state, port: dappPort)
                            walletNode = twoNodes ? try await Self.startNode(state: state, port: walletPort) : dappNode
                        })
                }
            }
        } catch {
            await dappNode.stop()
            await walletNode.stop()
            throw error
        }
        await dappNode.stop()
        await walletNode.stop()
    }

    /// Runs one step; a timeout names the step, the clients' connection states and what the relay holds.
    static func step<T: Sendable>(_ name: String, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as BoundedWait.TimedOut {
            let state = await Diagnostics.current?() ?? ""
            throw StepTimedOut(step: name, limit: error.limit, state: state)
        }
    }

    /// What a timed-out step reports about the clients and the relay.
    enum Diagnostics {
        @TaskLocal static var current: (@Sendable () async -> String)?
    }

    struct StepTimedOut: Error, CustomStringConvertible {
        var step: String
        var limit: Duration
        var state: String
        var description: String { "step \"\(step)\" did not finish within \(limit); \(state)" }
    }

    /// The flow for `moment`; `stopNodes(true)` stops the dapp's node only, `stopNodes(false)` the wallet's.
    static func run(
        _ moment: Moment, state: RelayServerState, dapp: SignClient, kit: WalletKit,
        stopNodes: (Bool) async throws -> Void, stopAll: () async -> Void, restart: () async throws -> Void
    ) async throws {
        let walletEvents = kit.signEvents
        let dappEvents = dapp.events()
        let (_, session) = try await WKFixture.settle(dapp: dapp, kit: kit)
        let topic = session.topic
        let publishedBefore = await state.counters().published
        let params: JSONValue = [.string("in flight"), .string(moment.rawValue)]
        let walletStates = kit.connectionStates
        let dappStates = dapp.connectionStates()
        let walletConnections = kit.signClient.relayer.statistics.connectionsOpened
        let dappConnections = dapp.relayer.statistics.connectionsOpened
        let diagnostics: @Sendable () async -> String = {
            let counters = await state.counters()
            return "wallet \(kit.signClient.relayer.connectionState) (opened \(kit.signClient.relayer.statistics.connectionsOpened)), "
                + "dapp \(dapp.relayer.connectionState) (opened \(dapp.relayer.statistics.connectionsOpened)); relay: "
                + "\(counters.connections) open, \(counters.totalConnections) total, \(counters.subscriptions) subscriptions, "
                + "\(await state.storedMessages(topic: topic).count) held on the session topic"
        }
        try await Diagnostics.$current.withValue(diagnostics) {
            try await runSteps(moment, state: state, dapp: dapp, kit: kit, topic: topic, params: params,
                walletEvents: walletEvents, dappEvents: dappEvents, walletStates: walletStates, dappStates: dappStates,
                walletConnections: walletConnections, dappConnections: dappConnections, publishedBefore: publishedBefore,
                stopNodes: stopNodes, stopAll: stopAll, restart: restart)
        }
    }

    static func runSteps(
        _ moment: Moment, state: RelayServerState, dapp: SignClient, kit: WalletKit, topic: String, params: JSONValue,
        walletEvents: WalletKitEventStream<SignEvent>, dappEvents: AsyncStream<SignEvent>,
        walletStates: AsyncStream<RelayConnectionState>, dappStates: AsyncStream<RelayConnectionState>,
        walletConnections: UInt64, dappConnections: UInt64, publishedBefore: Int,
        stopNodes: (Bool) async throws -> Void, stopAll: () async -> Void, restart: () async throws -> Void
    ) async throws {

        let request: PendingRequest
        let result: Task<JSONValue, any Error>
        switch moment {
        case .requestHeldForWallet:
            // The wallet's node goes down; the dapp's request reaches the relay and is held there.
            try await step("wallet node down") { try await stopNodes(false) }
            let held = await state.storedMessages(topic: topic).count
            result = Task {
                try await dapp.request(topic: topic, chainID: "eip155:1", method: "personal_sign", params: params)
            }
            try await step("request held at the relay") {
                try await BoundedWait.until { await state.storedMessages(topic: topic).count == held + 1 }
            }
            await stopAll()
            try await step("restart") { try await restart() }
            request = try await step("wallet announces the held request") { try await Self.nextRequest(walletEvents) }
            try await kit.respondSessionRequest(topic: topic, requestID: request.id, response: .result(request.params.request.params))

        case .walletReceivedRequest:
            // The wallet has the request; the relay stops before the answer is sent, the wallet answers while the
            // relay is down (the publish waits for the connection) and the relay comes back.
            result = Task {
                try await dapp.request(topic: topic, chainID: "eip155:1", method: "personal_sign", params: params)
            }
            request = try await Self.nextRequest(walletEvents)
            await stopAll()
            try await Self.disconnected(walletStates)
            try await Self.disconnected(dappStates)
            let answer = Task {
                try await kit.respondSessionRequest(
                    topic: topic, requestID: request.id, response: .result(request.params.request.params))
            }
            try await restart()
            try await answer.boundedValue(within: .seconds(20))

        case .answerHeldForDapp:
            // The wallet has the request; the dapp's node goes down; the answer reaches the relay and is held;
            // then the wallet's node stops too.
            result = Task {
                try await dapp.request(topic: topic, chainID: "eip155:1", method: "personal_sign", params: params)
            }
            request = try await Self.nextRequest(walletEvents)
            try await stopNodes(true)
            let held = await state.storedMessages(topic: topic).count
            try await kit.respondSessionRequest(topic: topic, requestID: request.id, response: .result(request.params.request.params))
            #expect(await state.storedMessages(topic: topic).count == held + 1)
            await stopAll()
            try await restart()
        }

        // request() returns the one answer.
        #expect(try await step("request() returns") { try await result.boundedValue(within: .seconds(20)) } == params)
        #expect(request.params.request.params == params)
        #expect(await kit.pendingSessionRequests.isEmpty)
        // The relay stored exactly one request and one answer.
        #expect(await state.counters().published - publishedBefore == 2)

        // Markers: a ping from the dapp ends the wallet's announcements, a session event from the wallet ends
        // the dapp's responses; nothing about the request may come before them twice.
        try await step("ping") { try await BoundedWait.run(within: .seconds(20)) { try await dapp.ping(topic: topic) } }
        // The wallet's first announcement was taken above (`request`); any other is a second one.
        let announced = [request.id] + (try await step("announcements") { try await Self.announcedRequests(in: walletEvents, until: topic) })
        #expect(announced == [request.id], "the wallet announced \(announced)")
        try await kit.emitSessionEvent(topic: topic, event: .init(name: "chainChanged", data: 1), chainID: "eip155:1")
        let responses = try await step("responses") { try await Self.responses(in: dappEvents, until: topic) }
        #expect(responses == [request.id], "the dapp received responses \(responses)")

        // Both clients came back after the restart.
        let walletReconnects = kit.signClient.relayer.statistics.connectionsOpened - walletConnections
        let dappReconnects = dapp.relayer.statistics.connectionsOpened - dappConnections
        #expect(walletReconnects >= 1 && dappReconnects >= 1)
        print(
            "relay restart (\(moment.rawValue)): request \(request.id) announced \(announced.count)x, "
                + "answered \(responses.count)x, reconnects wallet \(walletReconnects) dapp \(dappReconnects)")
    }

    // MARK: Helpers

    static func startNode(state: RelayServerState, port: Int = 0) async throws -> RelayServer {
        let server = RelayServer(configuration: RelayServerConfiguration(host: "127.0.0.1", port: port), state: state)
        try await server.start()
        return server
    }

    /// Waits until `states` reports anything but `.connected`.
    static func disconnected(_ states: AsyncStream<RelayConnectionState>) async throws {
        _ = try await BoundedWait.first(in: states) { $0 != .connected }
    }

    /// The next session request the wallet announces.
    static func nextRequest(_ events: WalletKitEventStream<SignEvent>) async throws -> PendingRequest {
        let event = try await WKFixture.first(events) { $0.sessionRequest != nil }
        return try #require(event.sessionRequest)
    }

    /// The ids of the session requests announced before the `sessionPing` on `topic`.
    static func announcedRequests(in events: WalletKitEventStream<SignEvent>, until topic: String) async throws -> [Int64] {
        try await BoundedWait.run(within: .seconds(20)) {
            var ids: [Int64] = []
            for await event in events {
                if let request = event.sessionRequest { ids.append(request.id) }
                if case .sessionPing(_, let pinged) = event, pinged == topic { return ids }
            }
            return ids
        }
    }

    /// The ids of the session responses received before the `sessionEvent` on `topic`.
    static func responses(in events: AsyncStream<SignEvent>, until topic: String) async throws -> [Int64] {
        try await BoundedWait.run(within: .seconds(20)) {
            var ids: [Int64] = []
            for await event in events {
                if case .sessionResponse(let id, _, _) = event { ids.append(id) }
                if case .sessionEvent(_, let on, _, _, _) = event, on == topic { return ids }
            }
            return ids
        }
    }
}

extension SignEvent {
    /// The request announced by a `.sessionRequest` event.
    var sessionRequest: PendingRequest? {
        if case .sessionRequest(let request) = self { return request }
        return nil
    }
}
