import Foundation
import Synchronization
import Testing
import WalletConnectCore
@testable import WalletConnectSign
import WalletKitTesting

/// Issue 12, "check-then-act across await": each call below used to read the engine's state, await, and act on
/// what it had read, so a second call re-entering the actor meanwhile acted on the same stale state.
@Suite("Sign engine: concurrent calls on one item (in-memory relay)", .timeLimit(.minutes(1)))
struct EngineConcurrencyTests {
    /// Whether `error` is what a losing concurrent call may get: a typed conflict, or the item already gone.
    static func isExpectedLoss(_ error: any Error) -> Bool {
        if let error = error as? SignEngineError { return error.isConflict }
        if let error = error as? SDKError { return error.code == .noMatchingKey || error.message.contains("recently deleted") }
        return false
    }

    @Test("8 concurrent respondSessionRequest for one request: one succeeds, the dapp gets one answer")
    func concurrentRespondsPublishOneAnswer() async throws {
        try await EngineFixture.withSession { hub, dapp, wallet, session in
            let (response, pending) = try await EngineRequestTests.send(dapp, wallet, topic: session.topic)
            let outcomes = try await BoundedWait.run {
                try await withThrowingTaskGroup(of: (Int, (any Error)?).self) { group in
                    for index in 0..<8 {
                        group.addTask {
                            do {
                                try await wallet.engine.respondSessionRequest(
                                    topic: session.topic,
                                    response: JSONRPCResponse(id: RPCID(pending.id), result: .string("answer-\(index)")))
                                return (index, nil)
                            } catch {
                                return (index, error)
                            }
                        }
                    }
                    var outcomes: [(Int, (any Error)?)] = []
                    for try await outcome in group { outcomes.append(outcome) }
                    return outcomes
                }
            }
            let winners = outcomes.filter { $0.1 == nil }.map(\.0)
            #expect(winners.count == 1)
            for case (_, let error?) in outcomes { #expect(Self.isExpectedLoss(error), "unexpected error: \(error)") }
            let answer = try await response.boundedValue()
            #expect(answer == .string("answer-\(winners.first ?? -1)"))
            let answers = await hub.publishes(on: session.topic).filter { $0.options.tag == 1109 }
            #expect(answers.count == 1)
            #expect(await wallet.engine.pendingSessionRequests().isEmpty)
        }
    }

    @Test("a second respondSessionRequest while the first is still finishing is refused with alreadyAnswering; one answer")
    func secondAnswerWhileTheFirstFinishesIsRefused() async throws {
        let storage = HoldingStorage()
        try await EngineFixture.withPair(walletStorage: storage) { hub, dapp, wallet in
            let (session, _) = try await EngineFixture.settle(dapp: dapp, wallet: wallet)
            let (response, pending) = try await EngineRequestTests.send(dapp, wallet, topic: session.topic)
            // Barrier: the wallet has finished handling the request's message (no write of its own in flight).
            try await BoundedWait.run { try await dapp.engine.ping(topic: session.topic) }
            // The first answer publishes, then records itself; its first write is held, so it is still in progress
            // (the request still stored) when the second answer comes.
            storage.holdWrites(1)
            let first = Task {
                try await wallet.engine.respondSessionRequest(
                    topic: session.topic, response: JSONRPCResponse(id: RPCID(pending.id), result: "first"))
            }
            try await storage.waitUntilHeld(writes: 1)
            let second = await Task {
                try await wallet.engine.respondSessionRequest(
                    topic: session.topic, response: JSONRPCResponse(id: RPCID(pending.id), result: "second"))
            }.result
            storage.releaseWrites()
            try await first.boundedValue()
            #expect(throws: SignEngineError.alreadyAnswering(topic: session.topic, id: pending.id)) { try second.get() }
            #expect(try await response.boundedValue() == "first")
            let answers = await hub.publishes(on: session.topic).filter { $0.options.tag == 1109 }
            #expect(answers.count == 1)
            #expect(await wallet.engine.pendingSessionRequests().isEmpty)
        }
    }

    @Test("an answer whose publish fails leaves the request pending; answering again works")
    func failedAnswerCanBeRetried() async throws {
        try await EngineFixture.withSession { hub, dapp, wallet, session in
            let (response, pending) = try await EngineRequestTests.send(dapp, wallet, topic: session.topic)
            await hub.failNextPublish(topic: session.topic)
            await #expect(throws: (any Error).self) {
                try await wallet.engine.respondSessionRequest(
                    topic: session.topic, response: JSONRPCResponse(id: RPCID(pending.id), result: "first"))
            }
            #expect(await wallet.engine.pendingSessionRequests().map(\.id) == [pending.id])
            try await wallet.engine.respondSessionRequest(
                topic: session.topic, response: JSONRPCResponse(id: RPCID(pending.id), result: "second"))
            #expect(try await response.boundedValue() == "second")
        }
    }

    @Test("4 concurrent approveSession for one proposal: one session, one settlement")
    func concurrentApprovesCreateOneSession() async throws {
        try await EngineFixture.withPair { hub, dapp, wallet in
            let connection = try await dapp.engine.connect(optionalNamespaces: EngineFixture.optionalNamespaces)
            try await wallet.engine.pair(uri: try #require(connection.uri))
            let event = try await wallet.next { if case .sessionProposal = $0 { true } else { false } }
            guard case .sessionProposal(let proposal, _) = event else { throw EngineFixture.FixtureError.unexpected }
            let outcomes = try await BoundedWait.run {
                try await withThrowingTaskGroup(of: Result<Session, any Error>.self) { group in
                    for _ in 0..<4 {
                        group.addTask {
                            do {
                                return .success(
                                    try await wallet.engine.approveSession(
                                        proposalID: proposal.id, namespaces: EngineFixture.namespaces))
                            } catch {
                                return .failure(error)
                            }
                        }
                    }
                    var outcomes: [Result<Session, any Error>] = []
                    for try await outcome in group { outcomes.append(outcome) }
                    return outcomes
                }
            }
            let sessions = outcomes.compactMap { try? $0.get() }
            #expect(sessions.count == 1)
            for case .failure(let error) in outcomes {
                #expect(Self.isExpectedLoss(error) || (error as? SDKError)?.code == .missingOrInvalid, "unexpected error: \(error)")
            }
            let settled = try await BoundedWait.run { try await connection.approval() }
            #expect(settled.topic == sessions.first?.topic)
            #expect(await wallet.engine.activeSessions().count == 1)
            #expect(await hub.publishes.filter { $0.kind == .approveSession && $0.topic == proposal.pairingTopic }.count == 1)
        }
    }

    @Test("a second approveSession while the first is storing its session is refused; one session, one proposal response")
    func secondApprovalWhileTheFirstRunsIsRefused() async throws {
        let storage = HoldingStorage()
        try await EngineFixture.withPair(walletStorage: storage) { hub, dapp, wallet in
            let connection = try await dapp.engine.connect(optionalNamespaces: EngineFixture.optionalNamespaces)
            try await wallet.engine.pair(uri: try #require(connection.uri))
            let event = try await wallet.next { if case .sessionProposal = $0 { true } else { false } }
            guard case .sessionProposal(let proposal, _) = event else { throw EngineFixture.FixtureError.unexpected }
            // Barrier: the wallet has finished with the proposal's message (no write of its own in flight).
            try await BoundedWait.run { try await dapp.engine.ping(topic: proposal.pairingTopic) }
            // The first approval's first write (its session record) is held: it is in progress, the proposal still
            // stored, when the second approval comes.
            storage.holdWrites(1)
            let first = Task { try await wallet.engine.approveSession(proposalID: proposal.id, namespaces: EngineFixture.namespaces) }
            try await storage.waitUntilHeld(writes: 1)
            let second = await Task {
                try await wallet.engine.approveSession(proposalID: proposal.id, namespaces: EngineFixture.namespaces)
            }.result
            storage.releaseWrites()
            let session = try await first.boundedValue()
            #expect(throws: SignEngineError.proposalInProgress(id: proposal.id, approving: true)) { try second.get() }
            #expect(try await BoundedWait.run { try await connection.approval() }.topic == session.topic)
            #expect(await wallet.engine.activeSessions().keys.sorted() == [session.topic])
            #expect(await hub.publishes.filter { $0.kind == .approveSession && $0.topic == proposal.pairingTopic }.count == 1)
        }
    }

    @Test("reject while an approval of the same proposal is in progress is refused; the approval settles")
    func rejectDuringApprovalIsRefused() async throws {
        try await EngineFixture.withPair { _, dapp, wallet in
            let connection = try await dapp.engine.connect(optionalNamespaces: EngineFixture.optionalNamespaces)
            try await wallet.engine.pair(uri: try #require(connection.uri))
            let event = try await wallet.next { if case .sessionProposal = $0 { true } else { false } }
            guard case .sessionProposal(let proposal, _) = event else { throw EngineFixture.FixtureError.unexpected }
            let approving = Task { try await wallet.engine.approveSession(proposalID: proposal.id, namespaces: EngineFixture.namespaces) }
            let rejecting = Task { try await wallet.engine.rejectSession(proposalID: proposal.id) }
            let approval = await approving.result
            let rejection = await rejecting.result
            // Exactly one of the two acted.
            switch (approval, rejection) {
            case (.success(let session), .failure(let error)):
                #expect(Self.isExpectedLoss(error) || (error as? SDKError)?.code == .missingOrInvalid, "\(error)")
                #expect(try await BoundedWait.run { try await connection.approval() }.topic == session.topic)
            case (.failure(let error), .success):
                #expect(Self.isExpectedLoss(error) || (error as? SDKError)?.code == .missingOrInvalid, "\(error)")
                await #expect(throws: SDKError.self) { try await BoundedWait.run { try await connection.approval() } }
            default:
                Issue.record("approve and reject both \(approval) / \(rejection)")
            }
        }
    }

    @Test("a request whose session is deleted while its Verify lookup is awaited is neither stored nor announced")
    func requestForSessionDeletedDuringVerify() async throws {
        let verifier = HeldVerifier()
        try await EngineFixture.withPair(walletVerifier: verifier) { hub, dapp, wallet in
            let (deleted, _) = try await EngineFixture.settle(dapp: dapp, wallet: wallet)
            let (kept, _) = try await EngineFixture.settle(dapp: dapp, wallet: wallet)
            verifier.hold()
            let request = Task {
                try await dapp.engine.request(topic: deleted.topic, chainID: "eip155:1", method: "personal_sign", params: ["0x01"])
            }
            try await BoundedWait.until { verifier.heldCount == 1 }
            try await wallet.engine.disconnect(topic: deleted.topic)
            verifier.release()
            let error = await #expect(throws: SDKError.self) { try await request.boundedValue() }
            #expect(error?.code == .userDisconnected)
            // Barrier: inbound messages are handled in order, so once the wallet announces the ping on the other
            // session, it has finished with the request.
            try await BoundedWait.run { try await dapp.engine.ping(topic: kept.topic) }
            let seen = try await BoundedWait.run { () -> [SignEvent] in
                var seen: [SignEvent] = []
                for await event in wallet.events {
                    seen.append(event)
                    if case .sessionPing(_, let topic) = event, topic == kept.topic { break }
                }
                return seen
            }
            #expect(!seen.contains { $0.sessionRequest != nil }, "announced: \(seen)")
            #expect(await wallet.engine.pendingSessionRequests().isEmpty)
        }
    }

    @Test("two concurrent start() calls load the stores once and restore once")
    func concurrentStartsLoadOnce() async throws {
        let storage = HoldingStorage()
        let hub = InMemoryRelayHub()
        let crypto = Crypto(keyChain: KeyChain.inMemory(), wallClock: .system)
        let relay = hub.makeClient()
        let expirer = Expirer(storage: storage, clock: ContinuousClock(), wallClock: .system)
        let pairing = Pairing(
            crypto: crypto, relay: relay, expirer: expirer, storage: storage, clock: ContinuousClock(), wallClock: .system)
        let engine = SignEngine(
            metadata: EngineClient.walletMetadata, crypto: crypto, relay: relay, pairing: pairing, expirer: expirer,
            storage: storage)
        storage.holdReads(1)
        let first = Task { try await engine.start() }
        try await storage.waitUntilHeld(reads: 1)
        let second = Task { try await engine.start() }
        // The second call either waits for the first, or (the old bug) starts a second load right away.
        try await BoundedWait.until { await engine.startWaiters == 1 || storage.readPrefixes.count >= 2 }
        storage.releaseReads()
        try await first.boundedValue()
        try await second.boundedValue()
        let sessionReads = storage.readPrefixes.filter { $0.contains("session") && !$0.contains("Request") }
        #expect(sessionReads.count == 1, "session store read \(sessionReads.count) times: \(storage.readPrefixes)")
        await pairing.shutdown()
        await expirer.finish()
    }
}

/// A Verify resolver whose lookups a test can hold (a slow Verify server), answering UNKNOWN when released.
final class HeldVerifier: SignVerifyResolver {
    private struct State {
        var holding = false
        var held: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Locked(State())

    func hold() { state.withLock { $0.holding = true } }

    var heldCount: Int { state.withLock { $0.held.count } }

    func release() {
        let held = state.withLock { state in
            state.holding = false
            defer { state.held = [] }
            return state.held
        }
        for continuation in held { continuation.resume() }
    }

    func verifyContext(
        attestation: String?, encryptedMessage: String, decryptedMessage: String, metadata: Metadata
    ) async -> VerifyContext {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let held = state.withLock { state in
                guard state.holding else { return false }
                state.held.append(continuation)
                return true
            }
            if !held { continuation.resume() }
        }
        return VerifyContext(origin: metadata.url, validation: .unknown, verifyUrl: "https://verify.example")
    }
}
