import Foundation
import Testing
import WalletConnectCore
import WalletConnectSign
import WalletKitTesting

/// Every pending call resumes exactly once: on the response, a timeout on the injected clock, cancellation or
/// shutdown.
@Suite("Sign engine: pending calls resume exactly once", .timeLimit(.minutes(1)))
struct EngineWaiterTests {
    @Test("an unacknowledged update times out after 300 s of the injected clock")
    func acknowledgementTimeout() async throws {
        let clock = ManualClock()
        let wall = ManualWallClock(clock: clock, epochMilliseconds: WallClock.system.nowMilliseconds).wallClock
        try await EngineFixture.withSession(walletClock: clock, walletWallClock: wall) { _, dapp, wallet, session in
            // The dapp stops answering.
            await dapp.stop()
            let acknowledgement = try await wallet.engine.updateSession(
                topic: session.topic, namespaces: EngineLifecycleTests.extendedNamespaces)
            let waiting = Task { try await acknowledgement.acknowledged() }
            // The expirer's loop and the acknowledgement timeout sleep on the wallet's clock.
            try await BoundedWait.run { try await clock.waitForSleepers(count: 2) }
            clock.advance(by: .seconds(299))
            clock.advance(by: .seconds(1))
            let error = await #expect(throws: SignEngineError.self) { try await waiting.boundedValue() }
            #expect(error?.isTimeout == true)
            #expect(error?.description == "Session update request expired without receiving any acknowledgement")
        }
    }

    @Test("a waiting request ends with shutDown when the engine stops")
    func shutdownResumes() async throws {
        try await EngineFixture.withSession { _, dapp, wallet, session in
            let (response, _) = try await EngineRequestTests.send(dapp, wallet, topic: session.topic)
            await dapp.stop()
            await #expect(throws: SignEngineError.shutDown) { try await response.boundedValue() }
            await #expect(throws: SignEngineError.shutDown) {
                _ = try await dapp.engine.request(topic: session.topic, chainID: "eip155:1", method: "personal_sign", params: [])
            }
        }
    }

    @Test("cancelling a waiting request throws CancellationError; the late response is dropped quietly")
    func cancellation() async throws {
        try await EngineFixture.withSession { _, dapp, wallet, session in
            let (response, pending) = try await EngineRequestTests.send(dapp, wallet, topic: session.topic)
            response.cancel()
            await #expect(throws: CancellationError.self) { try await response.boundedValue() }
            try await wallet.engine.respondSessionRequest(
                topic: session.topic, response: JSONRPCResponse(id: RPCID(pending.id), result: "late"))
            // The dapp is still healthy.
            let (next, nextPending) = try await EngineRequestTests.send(dapp, wallet, topic: session.topic)
            try await wallet.engine.respondSessionRequest(
                topic: session.topic, response: JSONRPCResponse(id: RPCID(nextPending.id), result: "fine"))
            #expect(try await next.boundedValue() == "fine")
        }
    }

    @Test("approval() after the settlement returns at once; calls before start() are refused")
    func approvalAfterSettleAndNotStarted() async throws {
        try await EngineFixture.withPair { _, dapp, wallet in
            let connection = try await dapp.engine.connect(optionalNamespaces: EngineFixture.optionalNamespaces)
            try await wallet.engine.pair(uri: try #require(connection.uri))
            _ = try await wallet.next { if case .sessionProposal = $0 { return true } else { return false } }
            _ = try await wallet.engine.approveSession(proposalID: connection.proposalID, namespaces: EngineFixture.namespaces)
            _ = try await dapp.next { if case .sessionSettle = $0 { return true } else { return false } }
            let session = try await BoundedWait.run { try await connection.approval() }
            #expect(await dapp.engine.activeSessions()[session.topic] != nil)
        }
        let hub = InMemoryRelayHub()
        let relay = hub.makeClient()
        let crypto = Crypto(keyChain: KeyChain.inMemory())
        let storage = InMemoryStorage()
        let expirer = Expirer(storage: storage, clock: ContinuousClock(), wallClock: .system)
        let engine = SignEngine(
            metadata: EngineClient.walletMetadata, crypto: crypto, relay: relay,
            pairing: Pairing(crypto: crypto, relay: relay, expirer: expirer, storage: storage, clock: ContinuousClock(), wallClock: .system),
            expirer: expirer, storage: storage)
        await #expect(throws: SignEngineError.notStarted) { try await engine.ping(topic: "x") }
    }
}
