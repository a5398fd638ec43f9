import Foundation
import Testing
import WalletConnectCore
import WalletConnectSign
import WalletKitTesting

/// Session requests and responses between a dapp and a wallet engine over the in-memory relay.
@Suite("Sign engine: session requests (in-memory relay)", .timeLimit(.minutes(1)))
struct EngineRequestTests {
    static let signParams: JSONValue = ["0xdeadbeef", .string(EngineFixture.account)]

    /// Starts a dapp request in a task and returns it with the request as announced to the wallet.
    static func send(
        _ dapp: EngineClient, _ wallet: EngineClient, topic: String, method: String = "personal_sign",
        chainID: String = "eip155:1", expiry: Int64? = nil
    ) async throws -> (Task<JSONValue, any Error>, PendingRequest) {
        let params = signParams
        let response = Task { try await dapp.engine.request(topic: topic, chainID: chainID, method: method, params: params, expiry: expiry) }
        let event = try await wallet.next { $0.sessionRequest != nil }
        return (response, try #require(event.sessionRequest))
    }

    @Test("request → announced → result: tags 1108 (prompt, ttl 900) and 1109, TVF fields, pending list emptied")
    func requestResult() async throws {
        try await EngineFixture.withSession { hub, dapp, wallet, session in
            let (response, pending) = try await Self.send(dapp, wallet, topic: session.topic)
            #expect(pending.topic == session.topic)
            #expect(pending.params.request.method == "personal_sign")
            #expect(pending.params.request.params == Self.signParams)
            #expect(pending.params.chainID == "eip155:1")
            #expect(pending.verifyContext?.verified.origin == EngineClient.dappMetadata.url)
            #expect(await wallet.engine.pendingSessionRequests() == [pending])
            let expiry = try #require(pending.params.request.expiryTimestamp)
            #expect(abs(expiry - (WallClock.system.nowSeconds + 900)) <= 2)

            try await wallet.engine.respondSessionRequest(
                topic: session.topic, response: JSONRPCResponse(id: RPCID(pending.id), result: "0xsignature"))
            #expect(try await response.boundedValue() == "0xsignature")
            #expect(await wallet.engine.pendingSessionRequests().isEmpty)

            let publishes = await hub.publishes(on: session.topic)
            let request = try #require(publishes.first { $0.options.tag == 1108 })
            EngineFixture.expect(request.options, SignMethod.sessionRequest.requestOptions)
            #expect(request.options.correlationID == pending.id)
            #expect(request.options.tvf["rpcMethods"] == ["personal_sign"])
            #expect(request.options.tvf["chainId"] == "eip155:1")
            let result = try #require(publishes.first { $0.options.tag == 1109 })
            EngineFixture.expect(result.options, SignMethod.sessionRequest.responseOptions)
            #expect(result.options.correlationID == pending.id)
            // Answering twice is refused: the request is no longer pending.
            await #expect(throws: SDKError.self) {
                try await wallet.engine.respondSessionRequest(
                    topic: session.topic, response: JSONRPCResponse(id: RPCID(pending.id), result: "again"))
            }
        }
    }

    @Test("a wallet error reaches the dapp with its code and message")
    func requestError() async throws {
        try await EngineFixture.withSession { _, dapp, wallet, session in
            let (response, pending) = try await Self.send(dapp, wallet, topic: session.topic)
            try await wallet.engine.respondSessionRequest(
                topic: session.topic,
                response: JSONRPCResponse(id: RPCID(pending.id), error: JSONRPCError(code: 4001, message: "User rejected request")))
            let error = await #expect(throws: SDKError.self) { try await response.boundedValue() }
            #expect(error?.code == .userRejectedRequest)
            #expect(error?.message == "User rejected request")
        }
    }

    @Test("custom expiry: published with ttl = expiry, expiryTimestamp = now + expiry; bounds enforced")
    func customExpiry() async throws {
        try await EngineFixture.withSession { hub, dapp, wallet, session in
            let (response, pending) = try await Self.send(dapp, wallet, topic: session.topic, expiry: 600)
            let expiry = try #require(pending.params.request.expiryTimestamp)
            #expect(abs(expiry - (WallClock.system.nowSeconds + 600)) <= 2)
            let request = try #require(await hub.publishes(on: session.topic).first { $0.options.tag == 1108 })
            #expect(request.options.ttl == 600)
            try await wallet.engine.respondSessionRequest(
                topic: session.topic, response: JSONRPCResponse(id: RPCID(pending.id), result: true))
            #expect(try await response.boundedValue() == true)
            await #expect(
                throws: SDKError.internal(
                    .missingOrInvalid,
                    context: "request() expiry: 10. Expiry must be a number (in seconds) between 300 and 604800")
            ) {
                _ = try await dapp.engine.request(
                    topic: session.topic, chainID: "eip155:1", method: "personal_sign", params: [], expiry: 10)
            }
        }
    }

    @Test("a request that arrives expired is never announced and is answered with 8000")
    func expiredOnArrival() async throws {
        let walletClock = ManualClock()
        let walletWall = ManualWallClock(clock: walletClock, epochMilliseconds: WallClock.system.nowMilliseconds)
        try await EngineFixture.withSession(walletClock: walletClock, walletWallClock: walletWall.wallClock) {
            hub, dapp, wallet, session in
            // The wallet's wall time jumps 1000 s ahead: a 300 s request from the dapp is already expired there.
            walletClock.advance(by: .seconds(1000))
            let publishes = hub.publishEvents()
            let response = Task {
                try await dapp.engine.request(
                    topic: session.topic, chainID: "eip155:1", method: "personal_sign", params: [], expiry: 300)
            }
            let error = await #expect(throws: SDKError.self) { try await response.boundedValue() }
            #expect(error?.code == .sessionRequestExpired)
            let reply = try await BoundedWait.first(in: publishes) { $0.options.tag == 1109 }
            EngineFixture.expect(reply.options, SignMethod.sessionRequest.responseOptions)
            #expect(await wallet.engine.pendingSessionRequests().isEmpty)
            // A ping after it: the wallet's next announced event is the ping, never the request.
            try await dapp.engine.ping(topic: session.topic)
            let next = try await wallet.next { event in
                switch event {
                case .sessionRequest, .sessionPing: true
                default: false
                }
            }
            guard case .sessionPing = next else {
                Issue.record("an expired request was announced: \(next)")
                return
            }
        }
    }

    @Test("a pending request that expires: session_request_expire, 8000 to the dapp, queue released")
    func expiresWhilePending() async throws {
        let walletClock = ManualClock()
        let walletWall = ManualWallClock(clock: walletClock, epochMilliseconds: WallClock.system.nowMilliseconds)
        try await EngineFixture.withSession(walletClock: walletClock, walletWallClock: walletWall.wallClock) {
            _, dapp, wallet, session in
            let (first, pending) = try await Self.send(dapp, wallet, topic: session.topic, expiry: 300)
            // A second request waits behind the first in the session's queue.
            let second = Task {
                try await dapp.engine.request(
                    topic: session.topic, chainID: "eip155:1", method: "eth_signTypedData", params: [], expiry: 3600)
            }
            try await BoundedWait.until { await wallet.engine.pendingSessionRequests().count >= 2 }
            // Well past the dapp-set expiry, which the dapp computed from its own (real) wall clock.
            walletClock.advance(by: .seconds(600))
            await wallet.expirer.checkNow()
            let expired = try await wallet.next { event in
                if case .sessionRequestExpire = event { return true } else { return false }
            }
            #expect(expired == .sessionRequestExpire(id: pending.id, topic: session.topic))
            let error = await #expect(throws: SDKError.self) { try await first.boundedValue() }
            #expect(error?.code == .sessionRequestExpired)
            // The expiry released the queue: the second request is announced at once.
            let next = try #require(try await wallet.next { $0.sessionRequest != nil }.sessionRequest)
            #expect(next.params.request.method == "eth_signTypedData")
            try await wallet.engine.respondSessionRequest(
                topic: session.topic, response: JSONRPCResponse(id: RPCID(next.id), result: "0x1"))
            #expect(try await second.boundedValue() == "0x1")
        }
    }

    @Test("responses to unknown ids and duplicate responses are dropped; the dapp sees exactly one")
    func unknownAndDuplicateResponses() async throws {
        try await EngineFixture.withSession { hub, dapp, wallet, session in
            let (response, pending) = try await Self.send(dapp, wallet, topic: session.topic)
            // A response to an id the dapp never sent, the real one, then a re-encrypted copy of it.
            let stray = JSONRPCResponse(id: RPCID(12345), result: "stray")
            try await wallet.relay.publish(
                topic: session.topic, message: try await wallet.crypto.encode(topic: session.topic, payload: WireJSON.string(stray)),
                options: PublishOptions(ttl: 900, tag: 1109))
            let real = JSONRPCResponse(id: RPCID(pending.id), result: "0xreal")
            try await wallet.engine.respondSessionRequest(topic: session.topic, response: real)
            #expect(try await response.boundedValue() == "0xreal")
            try await wallet.relay.publish(
                topic: session.topic, message: try await wallet.crypto.encode(topic: session.topic, payload: WireJSON.string(real)),
                options: PublishOptions(ttl: 900, tag: 1109))
            // An event published after both acts as a barrier: everything before it has been handled.
            try await wallet.engine.emitSessionEvent(
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
            #expect(await hub.publishes(on: session.topic).filter { $0.options.tag == 1109 }.count == 3)
        }
    }
}
