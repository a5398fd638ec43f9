import Foundation
import Synchronization
import Testing
import WalletConnectCore
import WalletConnectRelayServer
import WalletConnectSign
import WalletKitTesting

/// Issue 12's torture test, through the project's relay server on 127.0.0.1 with real `Relayer`s: many concurrent
/// calls on the same items (approve, respond, update, extend, disconnect), interleaved with cancelled callers and
/// dropped relay connections. What the relay holds is the judge: exactly one answer per request id, one proposal
/// response per proposal, one delete per session, and both sides agreeing on the session at the end.
///
/// `WK_TORTURE_ROUNDS` (default 6) sets the number of request rounds; `WK_TORTURE_SEED` replays a run.
@Suite("Torture: concurrent calls on one item through the relay server", .serialized, .timeLimit(.minutes(3)))
struct EngineTortureTests {
    /// SplitMix64: a seeded generator, so a failing run can be replayed.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// What a call that lost a race may throw: a typed conflict, the item already gone, or an extend refused
    /// because another one already moved the expiry. Anything else is a defect.
    static func isAllowedLoss(_ error: any Error) -> Bool {
        if let error = error as? SignEngineError { return error.isConflict }
        if let error = error as? SDKError {
            return [.noMatchingKey, .invalidExtendRequest].contains(error.code) || error.message.contains("recently deleted")
        }
        return false
    }

    /// The JSON-RPC messages the relay holds on `topic`, opened with `reader`'s key.
    static func held(on topic: String, server: RelayServer, reader: Crypto) async throws -> [JSONRPCMessage] {
        var messages: [JSONRPCMessage] = []
        for stored in await server.state.storedMessages(topic: topic) {
            do {
                messages.append(try JSONRPCMessage.decode(try await reader.decode(topic: topic, encoded: stored.message)))
            } catch {
                Issue.record("cannot open a message held on \(topic): \(error)")
            }
        }
        return messages
    }

    /// Runs `calls` concurrently, cancelling the callers `cancelled` says, and returns every outcome.
    static func race<T: Sendable>(
        _ count: Int, cancel cancelled: Set<Int>, _ call: @escaping @Sendable (Int) async throws -> T
    ) async throws -> [Result<T, any Error>] {
        try await BoundedWait.run {
            let tasks = (0..<count).map { index in Task { try await call(index) } }
            for index in cancelled { tasks[index].cancel() }
            var outcomes: [Result<T, any Error>] = []
            for task in tasks { outcomes.append(await task.result) }
            return outcomes
        }
    }

    @Test("approve ×4, then rounds of respond ×4 per request with update ×2 and extend, cancellations and relay drops, then disconnect ×3")
    func tortureOneSession() async throws {
        let environment = ProcessInfo.processInfo.environment
        let rounds = environment["WK_TORTURE_ROUNDS"].flatMap(Int.init) ?? 6
        let seed = environment["WK_TORTURE_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 1...UInt64.max)
        print("torture: seed \(seed), \(rounds) rounds (WK_TORTURE_SEED=\(seed) replays it)")
        var random = SeededGenerator(state: seed)

        let server = RelayServer(configuration: RelayServerConfiguration(host: "127.0.0.1", port: 0), state: RelayServerState())
        try await server.start()
        let url = await server.url
        let walletOptions = SignEngineOptions(requestQueue: .disabled, requestQueueReleaseDelay: .zero)
        let dappKeys = KeyChain.inMemory()
        let dapp = try await EngineLoopbackTests.client(name: "dapp", url: url, keyChain: dappKeys)
        // Reads what the relay holds with copies of the dapp's keys (the dapp deletes its own with the session).
        let observer = Crypto(keyChain: KeyChain.inMemory())
        let wallet = try await EngineLoopbackTests.client(name: "wallet", url: url, options: walletOptions)
        do {
            // One proposal, four concurrent approvals (one caller cancelled): one session.
            let connection = try await dapp.engine.connect(optionalNamespaces: EngineFixture.optionalNamespaces)
            try await wallet.engine.pair(uri: try #require(connection.uri))
            let proposalEvent = try await wallet.next { if case .sessionProposal = $0 { true } else { false } }
            guard case .sessionProposal(let proposal, _) = proposalEvent else { throw EngineFixture.FixtureError.unexpected }
            let approvals = try await Self.race(4, cancel: [Int.random(in: 0..<4, using: &random)]) { _ in
                try await wallet.engine.approveSession(proposalID: proposal.id, namespaces: EngineFixture.namespaces)
            }
            let approved = approvals.compactMap { try? $0.get() }
            #expect(approved.count == 1, "approvals: \(approvals)")
            for case .failure(let error) in approvals { #expect(Self.isAllowedLoss(error), "approve: \(error)") }
            let session = try await BoundedWait.run { try await connection.approval() }
            #expect(session.topic == approved.first?.topic)
            for topic in [proposal.pairingTopic, session.topic] { _ = try await observer.setSymKey(try dappKeys.get(topic)) }
            _ = try await wallet.next { if case .sessionAcknowledged = $0 { true } else { false } }
            let proposalAnswers = try await Self.held(on: proposal.pairingTopic, server: server, reader: observer)
                .filter { if case .response(let response) = $0 { response.id == RPCID(proposal.id) } else { false } }
            #expect(proposalAnswers.count == 1)

            var requestIDs: [Int64] = []
            for round in 0..<rounds {
                // The dapp sends four requests at once; the wallet announces all of them (queue disabled).
                let sent = (0..<4).map { index in
                    Task {
                        try await dapp.engine.request(
                            topic: session.topic, chainID: "eip155:1", method: "personal_sign",
                            params: [.string("round \(round) request \(index)")])
                    }
                }
                var collected: [PendingRequest] = []
                while collected.count < 4 {
                    collected.append(try #require(try await wallet.next { $0.sessionRequest != nil }.sessionRequest))
                }
                let announced = collected
                requestIDs += announced.map(\.id)
                let dropRelay = round % 2 == 1
                let cancelled = Set((0..<16).filter { _ in Bool.random(using: &random) && Bool.random(using: &random) })
                let drop: Task<Void, Never>? =
                    dropRelay ? Task { await server.closeAllConnections(code: 4010, reason: "Rebalancing") } : nil
                // Four answers per request, two updates and an extend of the session, all at once.
                async let controllerCalls = Self.race(3, cancel: [round % 3]) { index in
                    switch index {
                    case 0: _ = try await wallet.engine.updateSession(topic: session.topic, namespaces: EngineLifecycleTests.extendedNamespaces)
                    case 1: _ = try await wallet.engine.updateSession(topic: session.topic, namespaces: EngineFixture.namespaces)
                    default: _ = try await wallet.engine.extendSession(topic: session.topic)
                    }
                }
                let answers = try await Self.race(16, cancel: cancelled) { index in
                    let request = announced[index / 4]
                    try await wallet.engine.respondSessionRequest(
                        topic: session.topic,
                        response: JSONRPCResponse(id: RPCID(request.id), result: .string("answer \(index % 4) to \(request.id)")))
                    return request.id
                }
                for outcome in try await controllerCalls {
                    if case .failure(let error) = outcome { #expect(Self.isAllowedLoss(error), "round \(round) update/extend: \(error)") }
                }
                await drop?.value
                var answered = Set<Int64>()
                for outcome in answers {
                    switch outcome {
                    case .success(let id): #expect(answered.insert(id).inserted, "round \(round): request \(id) answered twice")
                    case .failure(let error): #expect(Self.isAllowedLoss(error), "round \(round) respond: \(error)")
                    }
                }
                #expect(answered == Set(announced.map(\.id)), "round \(round): unanswered \(Set(announced.map(\.id)).subtracting(answered))")
                // Every dapp call returns one of the four answers meant for it.
                for (index, task) in sent.enumerated() {
                    let value = try await task.boundedValue()
                    guard case .string(let text) = value else {
                        Issue.record("round \(round) request \(index): \(value)")
                        continue
                    }
                    #expect(text.hasPrefix("answer "), "round \(round): \(text)")
                }
            }
            #expect(await wallet.engine.pendingSessionRequests().isEmpty)
            // The drops happened: every drop round opened a new connection for each client.
            let connections = await server.counters().totalConnections
            #expect(connections >= 2 + 2 * (rounds / 2), "relay connections opened: \(connections)")

            // At the relay: exactly one answer per request id.
            let held = try await Self.held(on: session.topic, server: server, reader: observer)
            var answersPerID: [Int64: Int] = [:]
            for case .response(let response) in held where requestIDs.contains(response.id.rawValue) {
                answersPerID[response.id.rawValue, default: 0] += 1
            }
            let wrong = requestIDs.filter { answersPerID[$0] != 1 }.map { "\($0): \(answersPerID[$0] ?? 0)" }
            #expect(wrong.isEmpty, "requests without exactly one answer at the relay: \(wrong)")

            // No lost update: once the last update is acknowledged, both sides hold the same namespaces.
            let last = try await wallet.engine.updateSession(topic: session.topic, namespaces: EngineFixture.namespaces)
            try await BoundedWait.run { try await last.acknowledged() }
            #expect(await dapp.engine.activeSessions()[session.topic]?.namespaces == EngineFixture.namespaces)
            #expect(await wallet.engine.activeSessions()[session.topic]?.namespaces == EngineFixture.namespaces)

            // Three concurrent disconnects: one delete published, the session gone on both sides.
            let disconnects = try await Self.race(3, cancel: [1]) { _ in try await wallet.engine.disconnect(topic: session.topic) }
            #expect(disconnects.filter { (try? $0.get()) != nil }.count == 1, "disconnects: \(disconnects)")
            for case .failure(let error) in disconnects { #expect(Self.isAllowedLoss(error), "disconnect: \(error)") }
            _ = try await dapp.next { if case .sessionDelete = $0 { true } else { false } }
            let deletes = try await Self.held(on: session.topic, server: server, reader: observer)
                .filter { if case .request(let request) = $0 { request.method == SignMethod.sessionDelete.rawValue } else { false } }
            #expect(deletes.count == 1)
            #expect(await wallet.engine.activeSessions().isEmpty)
            #expect(await dapp.engine.activeSessions().isEmpty)
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
}
