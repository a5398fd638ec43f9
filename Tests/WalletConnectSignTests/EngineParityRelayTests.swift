import Foundation
import Testing
import WalletConnectCore
import WalletConnectRelayServer
import WalletConnectSign
import WalletKitTesting

/// Issue 13 §1, "answer like the reference": what a JS 2.23.10 peer sends and expects, through the project's relay
/// server on 127.0.0.1 (real sockets, one `Relayer` per party), with a third client reading the topic.
@Suite("Sign engine: answers like the JS reference, over the relay server", .timeLimit(.minutes(1)))
struct EngineParityRelayTests {
    /// The first `wc_sessionDelete` request the observer reads.
    static func deleteRequest(_ observer: TopicObserver) async throws -> JSONRPCRequest {
        let found = try await observer.next { rpc in
            if case .request(let request) = rpc, request.method == "wc_sessionDelete" { return true }
            return false
        }
        guard case .request(let request) = found.rpc else { throw EngineFixture.FixtureError.unexpected }
        return request
    }

    // MARK: 1. wc_sessionDelete is answered

    @Test("a dapp's wc_sessionDelete is answered true (tag 1113) by the wallet, which then deletes the session")
    func deleteFromDappIsAnswered() async throws {
        try await ParityWorld.run { world in
            let session = try await world.settle()
            try await world.dapp.engine.disconnect(topic: session.topic)
            let request = try await Self.deleteRequest(world.observer)
            let answer = try await world.observer.response(id: request.id.rawValue, within: .seconds(10))
            #expect(answer.response.result == .bool(true))
            #expect(answer.message.tag == SignMethod.sessionDelete.responseOptions.tag)
            #expect(answer.message.tag == 1113)
            _ = try await world.wallet.next { $0 == .sessionDelete(id: request.id.rawValue, topic: session.topic) }
            #expect(await world.wallet.engine.activeSessions().isEmpty)
            #expect(await world.dapp.engine.activeSessions().isEmpty)
        }
    }

    @Test("a wallet's wc_sessionDelete is answered true (tag 1113) by the dapp, which then deletes the session")
    func deleteFromWalletIsAnswered() async throws {
        try await ParityWorld.run { world in
            let session = try await world.settle()
            try await world.wallet.engine.disconnect(topic: session.topic)
            let request = try await Self.deleteRequest(world.observer)
            let answer = try await world.observer.response(id: request.id.rawValue, within: .seconds(10))
            #expect(answer.response.result == .bool(true))
            #expect(answer.message.tag == 1113)
            _ = try await world.dapp.next { $0 == .sessionDelete(id: request.id.rawValue, topic: session.topic) }
            #expect(await world.dapp.engine.activeSessions().isEmpty)
        }
    }

    // MARK: 2. wc_sessionExtend from either peer

    @Test("wc_sessionExtend from the dapp (not the controller), as JS 2.23.10 sends it: true, expiry now + 7 days on the wallet")
    func extendFromDapp() async throws {
        try await ParityWorld.run { world in
            let session = try await world.settle()
            world.clock.advance(by: .seconds(3600))
            let expected = world.wall.nowSeconds + 604_800
            #expect(expected == session.expiry + 3600)
            let id = ParityWorld.freshID()
            // A JS dapp that called extend() has already moved its own expiry; its request carries `{}`.
            try await world.inject(
                #"{"id":\#(id),"jsonrpc":"2.0","method":"wc_sessionExtend","params":{}}"#, topic: session.topic,
                from: world.dapp, tag: 1106, ttl: 86400)
            let answer = try await world.observer.response(id: id)
            #expect(answer.response.result == .bool(true))
            #expect(answer.response.error == nil)
            #expect(answer.message.tag == 1107)
            let event = try await world.wallet.next { if case .sessionExtend = $0 { return true } else { return false } }
            #expect(event == .sessionExtend(id: id, topic: session.topic, expiry: expected))
            #expect(await world.wallet.engine.activeSessions()[session.topic]?.expiry == expected)
        }
    }

    @Test("wc_sessionExtend with {} in the second of the settlement, or an expiry past now + 7 days (clock skew): true, never 1004")
    func extendTolerant() async throws {
        try await ParityWorld.run { world in
            let session = try await world.settle()
            let now = world.wall.nowSeconds
            #expect(session.expiry == now + 604_800)
            let cases = [
                // `{}` while the expiry is already now + 7 days (JS sends `{}`; its receiver resets the expiry).
                "{}",
                // A peer whose clock is an hour ahead.
                #"{"expiry":\#(now + 604_800 + 3600)}"#,
                // A peer whose clock is an hour behind.
                #"{"expiry":\#(now + 604_800 - 3600)}"#,
            ]
            for params in cases {
                let id = ParityWorld.freshID()
                // From the wallet (the controller) to the dapp.
                try await world.inject(
                    #"{"id":\#(id),"jsonrpc":"2.0","method":"wc_sessionExtend","params":\#(params)}"#, topic: session.topic,
                    from: world.wallet, tag: 1106, ttl: 86400)
                let answer = try await world.observer.response(id: id)
                #expect(answer.response.result == .bool(true), "params \(params): \(answer.response)")
                #expect(answer.response.error == nil, "params \(params)")
                #expect(await world.dapp.engine.activeSessions()[session.topic]?.expiry == now + 604_800)
            }
        }
    }

    // MARK: 3. wc_sessionEvent outside the session is delivered, marked

    @Test("a wc_sessionEvent for a chain or an event name outside the session reaches the app, marked outsideSession")
    func eventOutsideSessionIsDelivered() async throws {
        try await ParityWorld.run { world in
            let session = try await world.settle()
            let events = world.dapp.events
            let sent: [(chain: String, name: String)] = [
                ("eip155:999", "chainChanged"),  // a chain the wallet is about to add
                ("eip155:1", "walletCustomEvent"),  // an event name the session does not list
                ("eip155:1", "chainChanged"),  // inside the session
            ]
            var ids: [Int64] = []
            for (chain, name) in sent {
                let id = ParityWorld.freshID()
                ids.append(id)
                try await world.inject(
                    #"{"id":\#(id),"jsonrpc":"2.0","method":"wc_sessionEvent","params":{"event":{"name":"\#(name)","data":999},"chainId":"\#(chain)"}}"#,
                    topic: session.topic, from: world.wallet, tag: 1110)
            }
            // The dapp handles a topic's messages in order: the third event comes after the first two.
            let received = try await BoundedWait.collect(3, from: events) { event in
                if case .sessionEvent = event { return true }
                return false
            }
            #expect(
                received == [
                    .sessionEvent(
                        id: ids[0], topic: session.topic, event: .init(name: "chainChanged", data: 999), chainID: "eip155:999",
                        outsideSession: true),
                    .sessionEvent(
                        id: ids[1], topic: session.topic, event: .init(name: "walletCustomEvent", data: 999),
                        chainID: "eip155:1", outsideSession: true),
                    .sessionEvent(
                        id: ids[2], topic: session.topic, event: .init(name: "chainChanged", data: 999), chainID: "eip155:1",
                        outsideSession: false),
                ])
            for id in ids {
                let answer = try await world.observer.response(id: id)
                #expect(answer.response.result == .bool(true))
            }
        }
    }

    // MARK: 5. Verify lookup id from the bytes received

    /// A resolver that records the plaintext it is given.
    final class RecordingVerifier: SignVerifyResolver {
        let decrypted = Locked<[String]>([])

        func verifyContext(
            attestation: String?, encryptedMessage: String, decryptedMessage: String, metadata: Metadata
        ) async -> VerifyContext {
            decrypted.withLock { $0.append(decryptedMessage) }
            return VerifyContext(origin: metadata.url, validation: .unknown, verifyUrl: "https://verify.walletconnect.org")
        }
    }

    @Test("the Verify lookup hashes the plaintext exactly as received (the JS key order), for proposals and requests")
    func verifyHashesReceivedBytes() async throws {
        let verifier = RecordingVerifier()
        try await ParityWorld.run(walletVerifier: verifier) { world in
            let session = try await world.settle()
            let id = ParityWorld.freshID()
            // JS key order (`request` before `chainId`, `method` before `params`), typed data with many keys: a
            // re-serialised tree comes out in another order.
            let typedData =
                #"{"types":{"EIP712Domain":[]},"primaryType":"Mail","domain":{"name":"Ether Mail","version":"1","chainId":1,"verifyingContract":"0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC"},"message":{"from":"Cow","to":"Bob","contents":"Hello, Bob!","nonce":7,"deadline":99,"salt":"0x01"}}"#
            let text =
                #"{"id":\#(id),"jsonrpc":"2.0","method":"wc_sessionRequest","params":{"request":{"method":"eth_signTypedData","params":["\#(EngineFixture.account)",\#(typedData)],"expiryTimestamp":\#(world.wall.nowSeconds + 900)},"chainId":"eip155:1"}}"#
            try await world.inject(text, topic: session.topic, from: world.dapp, tag: 1108, ttl: 900)
            let request = try await world.wallet.next { $0.sessionRequest != nil }
            #expect(request.sessionRequest?.id == id)
            let seen = verifier.decrypted.withLock { $0 }
            #expect(seen.count == 2)
            #expect(seen.last == text)
            #expect(seen.first?.contains(#""method":"wc_sessionPropose""#) == true)
        }
    }

    @Test("the Verify lookup of a proposal hashes the proposal's plaintext exactly as the dapp sent it")
    func verifyHashesReceivedProposal() async throws {
        let verifier = RecordingVerifier()
        try await ParityWorld.run(walletVerifier: verifier) { world in
            let connection = try await world.dapp.engine.connect(optionalNamespaces: EngineFixture.optionalNamespaces)
            let uri = try PairingURI.parse(try #require(connection.uri))
            try await world.observer.follow(topic: uri.topic, symKey: uri.symKey)
            // The relay server keeps the proposal for the observer, who subscribed after it was published.
            let proposal = try await world.observer.next { rpc in
                if case .request(let request) = rpc, request.method == "wc_sessionPropose" { return true }
                return false
            }
            try await world.wallet.engine.pair(uri: try #require(connection.uri))
            _ = try await world.wallet.next { if case .sessionProposal = $0 { return true } else { return false } }
            #expect(verifier.decrypted.withLock { $0 } == [proposal.text])
        }
    }

    // MARK: 6. What the notes say about the wire

    @Test("irn_unsubscribe params go out as {topic} (Docs/ProtocolNotes.md)")
    func unsubscribeWireForm() throws {
        let topic = String(repeating: "ab", count: 32)
        #expect(try WireJSON.string(IRN.UnsubscribeParams(topic: topic)) == #"{"topic":"\#(topic)"}"#)
        let request = IRN.Request(id: RPCID(1), method: IRN.Method.unsubscribe, params: IRN.UnsubscribeParams(topic: topic))
        let json = try JSONValue(encoding: request)
        #expect(json["params"] == .object(["topic": .string(topic)]))
    }

    @Test("client-to-client ids: 16 digits, ms × 1000 + a suffix below 1000, strictly increasing")
    func payloadIDShape() {
        let generator = RPCIDGenerator(wallClock: WallClock.system)
        let before = WallClock.system.nowMilliseconds
        let ids = (0..<2000).map { _ in generator.payloadID() }
        let after = WallClock.system.nowMilliseconds
        #expect(zip(ids, ids.dropFirst()).allSatisfy { $0 < $1 })
        #expect(ids.allSatisfy { String($0).count == 16 && $0 < 1 << 53 })
        #expect(ids.first.map { $0 / 1000 >= before } == true)
        // Strictly increasing ids may run ahead of the clock by at most one per id drawn in the same millisecond.
        #expect(ids.last.map { $0 / 1000 <= after + 2 } == true)
    }

    // MARK: 4. dApp one-click auth: a type-1 auto-reject on the pairing topic

    @Test("a JS wallet's auto-reject of wc_sessionAuthenticate, type 1 on the pairing topic, ends the dapp's wait")
    func authenticateRejectOnPairingTopic() async throws {
        try await ParityWorld.run { world in
            let authentication = try await world.dapp.engine.authenticate(AuthFixture.params())
            let uri = try PairingURI.parse(try #require(authentication.uri))
            try await world.observer.follow(topic: uri.topic, symKey: uri.symKey)
            let found = try await world.observer.next { rpc in
                if case .request(let request) = rpc, request.method == "wc_sessionAuthenticate" { return true }
                return false
            }
            guard case .request(let request) = found.rpc,
                let requester = request.params["requester"]?["publicKey"]?.stringValue
            else { throw EngineFixture.FixtureError.unexpected }
            // What a JS 2.23.10 wallet whose handler throws sends: an error, type 1 from a fresh key to the
            // requester's key, on the pairing topic, tag 1119.
            let walletKey = try await world.observer.crypto.generateKeyPair()
            let reject =
                #"{"id":\#(request.id.rawValue),"jsonrpc":"2.0","error":{"code":5002,"message":"User rejected methods."}}"#
            let envelope = try await world.observer.crypto.encode(
                topic: uri.topic, payload: reject, type: .type1, senderPublicKey: walletKey, receiverPublicKey: requester)
            try await world.observer.relayer.publish(
                topic: uri.topic, message: envelope, options: PublishOptions(ttl: 300, tag: 1119))
            let error = await #expect(throws: SDKError.self) {
                _ = try await BoundedWait.run(within: .seconds(15)) { try await authentication.response() }
            }
            #expect(error?.code.rawValue == 5002)
            #expect(await world.dapp.engine.pendingSessionProposals().isEmpty)
        }
    }
}
