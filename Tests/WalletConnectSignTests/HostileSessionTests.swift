import Foundation
import Testing
import WalletConnectCore
import WalletConnectSign
import WalletKitTesting

/// Hostile input on a settled session's topic, delivered to the wallet over the in-memory relay. Every case
/// checks the answer on the wire (an error with the sign.md §8 code, or nothing) and that the wallet's stores and
/// key chain are unchanged. A barrier ping from the dapp proves the hostile message was handled.
@Suite("Hostile peers: session topic (in-memory relay)", .timeLimit(.minutes(1)))
struct HostileSessionTests {
    /// Injects with `inject`, waits for the barrier, and returns what the wallet published meanwhile (the barrier's
    /// ping answer removed) and the peer-driven events it emitted.
    static func deliver(
        _ world: HostileWorld, session: Session, _ inject: () async throws -> Void
    ) async throws -> (published: [InMemoryRelayHub.RecordedPublish], events: [SignEvent]) {
        try await world.drainEvents(of: world.wallet, topic: session.topic)
        let start = await world.hub.publishes.count
        try await inject()
        try await world.barrier(victim: world.wallet, topic: session.topic)
        let log = EventLog()
        try await log.read(world.wallet.client) { $0.isSessionPing }
        var published = await world.publishes(by: world.wallet, since: start)
        // The last wallet publish on the topic is the answer to the barrier ping.
        if let last = published.lastIndex(where: { $0.topic == session.topic && $0.options.tag == 1115 }) {
            published.remove(at: last)
        }
        return (published, log.events.filter(\.isPeerDriven))
    }

    @Test("wrong key: a request sealed with another key is dropped; decode throws decryptionFailed")
    func wrongKey() async throws {
        try await HostileWorld.run { world, session in
            let session = try #require(session)
            let json = HostileJSON.sessionRequest(id: HostileWorld.freshID())
            let key = SecureRandom.bytes(32)
            let envelope = try Envelope.sealType0(Array(json.utf8), key: key, iv: SecureRandom.bytes(12))
            await #expect(throws: CryptoError.decryptionFailed) {
                try await world.wallet.crypto.decode(topic: session.topic, encoded: envelope)
            }
            let before = await HostileSnapshot.of(world.wallet)
            let (published, events) = try await Self.deliver(world, session: session) {
                await world.injectRaw(envelope, topic: session.topic)
            }
            #expect(published.isEmpty)
            #expect(events.isEmpty)
            #expect(await HostileSnapshot.of(world.wallet) == before)
        }
    }

    @Test("replay: a re-sealed copy of an announced request is not announced or stored again, before or after the answer")
    func replayedRequest() async throws {
        try await HostileWorld.run { world, session in
            let session = try #require(session)
            let id = HostileWorld.freshID()
            let json = HostileJSON.sessionRequest(id: id)
            let (_, first) = try await Self.deliver(world, session: session) {
                try await world.inject(json, topic: session.topic, sealedBy: world.dapp)
            }
            #expect(first.count == 1)
            #expect(await world.wallet.engine.pendingSessionRequests().map(\.id) == [id])

            // Replay while pending: fresh iv, same JSON-RPC id.
            var before = await HostileSnapshot.of(world.wallet)
            var (published, events) = try await Self.deliver(world, session: session) {
                try await world.inject(json, topic: session.topic, sealedBy: world.dapp)
            }
            #expect(published.isEmpty)
            #expect(events.isEmpty)
            #expect(await HostileSnapshot.of(world.wallet) == before)

            // Replay after the wallet answered.
            try await world.wallet.engine.respondSessionRequest(
                topic: session.topic, response: JSONRPCResponse(id: RPCID(id), result: "0x5167"))
            before = await HostileSnapshot.of(world.wallet)
            #expect(before.requests.isEmpty)
            (published, events) = try await Self.deliver(world, session: session) {
                try await world.inject(json, topic: session.topic, sealedBy: world.dapp)
            }
            #expect(published.isEmpty)
            #expect(events.isEmpty)
            #expect(await HostileSnapshot.of(world.wallet) == before)
        }
    }

    @Test("a response with an unknown id is dropped: no answer, no event, no state change")
    func unknownResponseID() async throws {
        try await HostileWorld.run { world, session in
            let session = try #require(session)
            let before = await HostileSnapshot.of(world.wallet)
            let (published, events) = try await Self.deliver(world, session: session) {
                try await world.inject(HostileJSON.result(id: HostileWorld.freshID()), topic: session.topic, sealedBy: world.dapp)
                try await world.inject(
                    #"{"id":\#(HostileWorld.freshID()),"jsonrpc":"2.0","error":{"code":5000,"message":"User rejected."}}"#,
                    topic: session.topic, sealedBy: world.dapp)
            }
            #expect(published.isEmpty)
            #expect(events.isEmpty)
            #expect(await HostileSnapshot.of(world.wallet) == before)
        }
    }

    @Test("a request on a subscribed topic without a key is dropped; no key appears for it")
    func topicWithoutKey() async throws {
        try await HostileWorld.run { world, session in
            let session = try #require(session)
            let foreign = Hex.encode(SecureRandom.bytes(32))
            let relay = try #require(world.wallet.client.relay as? InMemoryRelayClient)
            await relay.markSubscribed(topic: foreign)
            let before = await HostileSnapshot.of(world.wallet)
            let json = HostileJSON.sessionRequest(id: HostileWorld.freshID())
            let envelope = try Envelope.sealType0(Array(json.utf8), key: SecureRandom.bytes(32), iv: SecureRandom.bytes(12))
            let (published, events) = try await Self.deliver(world, session: session) {
                await world.injectRaw(envelope, topic: foreign)
            }
            #expect(published.isEmpty)
            #expect(events.isEmpty)
            #expect(await HostileSnapshot.of(world.wallet) == before)
            #expect(!(await world.wallet.crypto.hasKey(foreign)))
        }
    }

    @Test("a session request on the pairing topic is answered 10001 (tag 0) and not stored")
    func sessionRequestOnPairingTopic() async throws {
        try await HostileWorld.run { world, session in
            let session = try #require(session)
            let pairingTopic = session.pairingTopic
            let id = HostileWorld.freshID()
            let before = await HostileSnapshot.of(world.wallet)
            let (published, events) = try await Self.deliver(world, session: session) {
                try await world.inject(HostileJSON.sessionRequest(id: id), topic: pairingTopic, sealedBy: world.dapp)
            }
            let errors = try await HostileWorld.errors(in: published, readBy: world.dapp)
            #expect(errors.count == 1)
            #expect(errors.first?.id == id)
            #expect(errors.first?.error.code == SDKErrorCode.wcMethodUnsupported.rawValue)
            #expect(errors.first?.publish.topic == pairingTopic)
            #expect(errors.first?.publish.options.tag == 0)
            #expect(events.isEmpty)
            #expect(await HostileSnapshot.of(world.wallet) == before)
        }
    }

    @Test("an update from the non-controller dapp is answered 3003; the namespaces stay")
    func updateFromNonController() async throws {
        try await HostileWorld.run { world, session in
            let session = try #require(session)
            var widened = session.namespaces
            widened["eip155"]?.methods.append("eth_sign")
            let id = HostileWorld.freshID()
            let json = HostileJSON.request(
                id: id, method: "wc_sessionUpdate", params: #"{"namespaces":\#(try HostileJSON.namespaces(widened))}"#)
            let before = await HostileSnapshot.of(world.wallet)
            let (published, events) = try await Self.deliver(world, session: session) {
                try await world.inject(json, topic: session.topic, sealedBy: world.dapp)
            }
            let errors = try await HostileWorld.errors(in: published, readBy: world.dapp)
            #expect(errors.map(\.id) == [id])
            #expect(errors.first?.error.code == SDKErrorCode.unauthorizedUpdateRequest.rawValue)
            #expect(errors.first?.publish.options.tag == SignMethod.sessionUpdate.responseOptions.tag)
            #expect(events.isEmpty)
            #expect(await HostileSnapshot.of(world.wallet) == before)
        }
    }

    @Test("an extend from the non-controller dapp is answered true (JS 2.23.10); only the expiry moves, to now + 7 days")
    func extendFromNonController() async throws {
        try await HostileWorld.run { world, session in
            let session = try #require(session)
            let id = HostileWorld.freshID()
            let json = HostileJSON.request(
                id: id, method: "wc_sessionExtend", params: #"{"expiry":\#(session.expiry + 60)}"#)
            let before = await HostileSnapshot.of(world.wallet)
            let (published, events) = try await Self.deliver(world, session: session) {
                try await world.inject(json, topic: session.topic, sealedBy: world.dapp)
            }
            #expect(try await HostileWorld.errors(in: published, readBy: world.dapp).isEmpty)
            #expect(published.count == 1)
            guard case .sessionExtend(let eventID, let topic, let expiry)? = events.first else {
                Issue.record("no session_extend: \(events)")
                return
            }
            #expect(events.count == 1)
            #expect(eventID == id && topic == session.topic)
            #expect(expiry >= session.expiry && expiry <= WallClock.system.nowSeconds + 604_800)
            var after = await HostileSnapshot.of(world.wallet)
            #expect(after.sessions[session.topic]?.expiry == expiry)
            if let old = before.sessions[session.topic]?.expiry { after.sessions[session.topic]?.expiry = old }
            #expect(after == before)
        }
    }

    @Test("type-2 (plaintext) and type-1 envelopes over the relay are dropped; no key is derived")
    func plaintextAndKeyAgreementEnvelopes() async throws {
        try await HostileWorld.run { world, session in
            let session = try #require(session)
            let json = HostileJSON.sessionRequest(id: HostileWorld.freshID())
            let attacker = Crypto(keyChain: .inMemory())
            let attackerKey = try await attacker.generateKeyPair()
            let selfKey = session.selfParticipant.publicKey
            let type1 = try await attacker.encode(
                topic: session.topic, payload: json, type: .type1, senderPublicKey: attackerKey, receiverPublicKey: selfKey)
            let type2 = try await attacker.encode(topic: session.topic, payload: json, type: .type2)
            #expect(try Crypto.envelopeType(of: type2) == .type2)
            let before = await HostileSnapshot.of(world.wallet)
            let (published, events) = try await Self.deliver(world, session: session) {
                await world.injectRaw(type2, topic: session.topic)
                await world.injectRaw(type1, topic: session.topic)
            }
            #expect(published.isEmpty)
            #expect(events.isEmpty)
            #expect(await HostileSnapshot.of(world.wallet) == before)
        }
    }

    @Test("malformed envelopes and non-JSON-RPC plaintext are dropped")
    func malformedEnvelopes() async throws {
        try await HostileWorld.run { world, session in
            let session = try #require(session)
            let before = await HostileSnapshot.of(world.wallet)
            let (published, events) = try await Self.deliver(world, session: session) {
                for text in ["", "not base64!", "AA==", "Aw==", Base64Codec.encode([0] + [UInt8](repeating: 1, count: 20))] {
                    await world.injectRaw(text, topic: session.topic)
                }
                for json in ["[]", "{}", "null", #"{"id":"x","jsonrpc":"2.0","method":"wc_sessionPing","params":{}}"#, "\u{FEFF}"] {
                    try await world.inject(json, topic: session.topic, sealedBy: world.dapp)
                }
            }
            #expect(published.isEmpty)
            #expect(events.isEmpty)
            #expect(await HostileSnapshot.of(world.wallet) == before)
        }
    }

    @Test("requests for a chain or method outside the session are answered 3005 / 3001 and not stored")
    func unauthorizedChainAndMethod() async throws {
        try await HostileWorld.run { world, session in
            let session = try #require(session)
            let chainID = HostileWorld.freshID()
            let methodID = chainID + 1
            let before = await HostileSnapshot.of(world.wallet)
            let (published, events) = try await Self.deliver(world, session: session) {
                try await world.inject(
                    HostileJSON.sessionRequest(id: chainID, chainID: "eip155:137"), topic: session.topic, sealedBy: world.dapp)
                try await world.inject(
                    HostileJSON.sessionRequest(id: methodID, method: "eth_sign"), topic: session.topic, sealedBy: world.dapp)
            }
            let errors = try await HostileWorld.errors(in: published, readBy: world.dapp)
            #expect(errors.map(\.id) == [chainID, methodID])
            #expect(errors.map(\.error.code) == [SDKErrorCode.unauthorizedChain.rawValue, SDKErrorCode.unauthorizedMethod.rawValue])
            #expect(events.isEmpty)
            #expect(await HostileSnapshot.of(world.wallet) == before)
        }
    }

    @Test("an oversized request (2 MiB of params) is refused and not stored")
    func oversizedRequest() async throws {
        try await HostileWorld.run { world, session in
            let session = try #require(session)
            let id = HostileWorld.freshID()
            let big = #"[""# + String(repeating: "a", count: 2 << 20) + #""]"#
            let before = await HostileSnapshot.of(world.wallet)
            let (_, events) = try await Self.deliver(world, session: session) {
                try await world.inject(HostileJSON.sessionRequest(id: id, params: big), topic: session.topic, sealedBy: world.dapp)
            }
            // Over a relay that delivers it (the in-memory hub has no frame limit), the engine's own bound refuses it.
            let after = await HostileSnapshot.of(world.wallet)
            #expect(events.isEmpty)
            #expect(after.requests.isEmpty)
            #expect(after == before)
            #expect(after.sessions == before.sessions && after.keyTags == before.keyTags)
        }
    }
}
