import Foundation
import HTTPTypes
import Logging
import Testing
import WalletConnectCore
import WalletConnectRelayServer
import WalletKitTesting

/// Runs `body` against a started relay, stopping it afterwards.
func withRelay<T>(
    _ configuration: RelayServerConfiguration = RelayServerConfiguration(),
    state: RelayServerState = RelayServerState(),
    _ body: (RelayServer) async throws -> T
) async throws -> T {
    var logger = Logger(label: "relay-test-server", factory: { _ in SwiftLogNoOpLogHandler() })
    if ProcessInfo.processInfo.environment["WALLETKIT_TEST_TRACE"] != nil {
        logger = Logger(label: "relay-test-server", factory: { StreamLogHandler.standardError(label: $0) })
        logger.logLevel = .trace
    }
    let server = RelayServer(configuration: configuration, state: state, logger: logger)
    try await server.start()
    do {
        let result = try await body(server)
        await server.stop()
        return result
    } catch {
        await server.stop()
        throw error
    }
}

/// Connects a test client with a fixed client id (`iss` of an unsigned JWT; accepted without strict auth).
func connectClient(_ server: RelayServer, clientID: String? = nil) async throws -> RelayTestClient {
    let url = await server.url
    guard let clientID else { return try await RelayTestClient.connect(url) }
    return try await RelayTestClient.connect("\(url)/?auth=\(RelayTest.fakeJWT(iss: clientID))")
}

@Suite("Relay server: publish, subscribe, ack, mailbox", .timeLimit(.minutes(1)))
struct RelayServerTests {
    @Test("the default ttl bounds are core.md's (IRN.minTTL, IRN.maxTTL)")
    func defaultTTLBounds() {
        // RelayStoreLimits' public defaults spell the package constants out (a default argument cannot name them).
        #expect(RelayStoreLimits().minTTL == IRN.minTTL)
        #expect(RelayStoreLimits().maxTTL == IRN.maxTTL)
    }

    @Test("a subscriber gets the message, the publisher does not")
    func publishSubscribe() async throws {
        try await withRelay { server in
            let alice = try await connectClient(server, clientID: "did:key:alice")
            let bob = try await connectClient(server, clientID: "did:key:bob")
            let topic = RelayTest.topic()
            let aliceSub = try await alice.subscribe(topic)
            let bobSub = try await bob.subscribe(topic)
            #expect(bobSub == IRN.subscriptionID(topic: topic, clientID: "did:key:bob"))
            #expect(aliceSub != bobSub && aliceSub.count == 64)

            let published = try await alice.publish(topic, "hello", tag: 1108)
            #expect(published.result == .bool(true))
            let delivery = try await bob.nextSubscription()
            #expect(delivery.params.data.message == "hello")
            #expect(delivery.params.data.topic == topic)
            #expect(delivery.params.data.tag == 1108)
            #expect(delivery.params.id == bobSub)
            #expect(delivery.id.rawValue >= IRN.minRequestID)
            try bob.ack(delivery.id)

            // Alice's next frame is the answer to a later request, not her own message.
            _ = try await alice.fetch(topic)
            #expect(!alice.buffered.contains { if case .request? = $0.rpc { true } else { false } })
            await alice.close()
            await bob.close()
            let counters = await server.counters()
            #expect(counters.published == 1 && counters.delivered == 1)
        }
    }

    @Test("unacked messages come again on resubscribe; acked ones do not")
    func ackSemantics() async throws {
        try await withRelay { server in
            let publisher = try await connectClient(server, clientID: "did:key:pub")
            let topic = RelayTest.topic()
            var receiver = try await connectClient(server, clientID: "did:key:recv")
            _ = try await receiver.subscribe(topic)
            try await publisher.publish(topic, "m1")
            let first = try await receiver.nextSubscription()
            #expect(first.params.data.message == "m1")
            // No ack: reconnect with the same client id and subscribe again.
            await receiver.close()
            receiver = try await connectClient(server, clientID: "did:key:recv")
            _ = try await receiver.subscribe(topic)
            let again = try await receiver.nextSubscription()
            #expect(again.params.data.message == "m1")
            #expect(again.id != first.id)
            try receiver.ack(again.id)
            // Round trip so the ack is processed, then resubscribe: nothing comes.
            _ = try await receiver.call(IRN.Method.createTopic, IRN.CreateTopicParams(topic: topic))
            try await receiver.unsubscribe(topic)
            _ = try await receiver.subscribe(topic)
            _ = try await receiver.fetch(topic)
            #expect(!receiver.buffered.contains { if case .request? = $0.rpc { true } else { false } })
            #expect(await server.counters().acked == 1)
            await publisher.close()
            await receiver.close()
        }
    }

    @Test("mailbox: a message for a topic without subscribers is delivered on subscribe")
    func mailbox() async throws {
        try await withRelay { server in
            let publisher = try await connectClient(server, clientID: "did:key:pub")
            let topic = RelayTest.topic()
            try await publisher.publish(topic, "offline-1", tag: 1100)
            try await publisher.publish(topic, "offline-2", tag: 0)
            #expect(await server.state.storedMessages(topic: topic).count == 2)
            let late = try await connectClient(server, clientID: "did:key:late")
            _ = try await late.subscribe(topic)
            let one = try await late.nextSubscription()
            let two = try await late.nextSubscription()
            #expect([one.params.data.message, two.params.data.message] == ["offline-1", "offline-2"])
            #expect(one.params.data.tag == 1100)
            #expect(two.params.data.tag == nil)  // tag 0 is omitted on the wire
            // The publisher itself is not served its own mailbox.
            _ = try await publisher.subscribe(topic)
            let fetched = try await publisher.fetch(topic)
            #expect(fetched.messages.isEmpty)
            #expect(!publisher.buffered.contains { if case .request? = $0.rpc { true } else { false } })
            await publisher.close()
            await late.close()
        }
    }

    @Test("ttl expiry uses the injected wall clock")
    func ttlExpiry() async throws {
        let clock = RelayTest.ManualWallClock()
        let state = RelayServerState(wallClock: clock.wallClock)
        try await withRelay(state: state) { server in
            let publisher = try await connectClient(server, clientID: "did:key:pub")
            let topic = RelayTest.topic()
            let keep = RelayTest.topic()
            try await publisher.publish(topic, "short", ttl: 10)
            try await publisher.publish(keep, "long", ttl: 3600)
            #expect(await state.storedMessages(topic: topic).first?.publishedAt == 1_750_000_000_000)
            clock.advance(seconds: 11)
            #expect(await state.storedMessages(topic: topic).isEmpty)
            let late = try await connectClient(server, clientID: "did:key:late")
            _ = try await late.subscribe(topic)
            _ = try await late.subscribe(keep)
            let delivered = try await late.nextSubscription()
            #expect(delivered.params.data.message == "long")
            #expect(try await late.fetch(topic).messages.isEmpty)
            #expect(!late.buffered.contains { if case .request? = $0.rpc { true } else { false } })
            #expect(await server.counters().mailboxSize == 1)
            await publisher.close()
            await late.close()
        }
    }

    @Test("fetch pages with hasMore and retires what it returns for its connection; a new connection gets them again")
    func fetchPaging() async throws {
        let state = RelayServerState(limits: RelayStoreLimits(fetchPageSize: 2))
        try await withRelay(state: state) { server in
            let publisher = try await connectClient(server, clientID: "did:key:pub")
            let topic = RelayTest.topic()
            for index in 1...5 { try await publisher.publish(topic, "msg-\(index)") }
            let reader = try await connectClient(server, clientID: "did:key:reader")
            var pages: [[String]] = []
            var more = true
            while more {
                let page = try await reader.fetch(topic)
                pages.append(page.messages.map(\.message))
                more = page.hasMore
                #expect(pages.count <= 3)
            }
            #expect(pages == [["msg-1", "msg-2"], ["msg-3", "msg-4"], ["msg-5"]])
            let batch = try await reader.call(
                IRN.Method.batchFetchMessages, IRN.BatchFetchMessagesParams(topics: [topic]))
            #expect(try #require(batch.result).decode(as: IRN.FetchMessagesResult.self).messages.isEmpty)
            #expect(await server.counters().fetched == 5)
            await publisher.close()
            await reader.close()

            // A fetch result has no ack: if it was lost with its connection, the client's next connection must
            // get the messages again (as subscriptions it acknowledges), not find them retired.
            let again = try await connectClient(server, clientID: "did:key:reader")
            _ = try await again.subscribe(topic)
            var redelivered: [String] = []
            for _ in 1...5 {
                let delivery = try await again.nextSubscription()
                redelivered.append(delivery.params.data.message)
                try again.ack(delivery.id)
            }
            #expect(redelivered == (1...5).map { "msg-\($0)" })
            await again.close()
            let last = try await connectClient(server, clientID: "did:key:reader")
            #expect(try await last.fetch(topic).messages.isEmpty)
            await last.close()
        }
    }

    @Test("batch subscribe and unsubscribe")
    func batches() async throws {
        try await withRelay { server in
            let client = try await connectClient(server, clientID: "did:key:batch")
            let other = try await connectClient(server, clientID: "did:key:other")
            let topics = [RelayTest.topic(), RelayTest.topic()]
            let response = try await client.call(IRN.Method.batchSubscribe, IRN.BatchSubscribeParams(topics: topics))
            let ids = try #require(response.result).decode(as: [String].self)
            #expect(ids == topics.map { IRN.subscriptionID(topic: $0, clientID: "did:key:batch") })
            try await other.publish(topics[1], "to-second")
            #expect(try await client.nextSubscription().params.data.topic == topics[1])
            let unsubscribe = try await client.call(
                IRN.Method.batchUnsubscribe,
                IRN.BatchUnsubscribeParams(subscriptions: topics.map { IRN.UnsubscribeParams(topic: $0) }))
            #expect(unsubscribe.result == .bool(true))
            #expect(await server.counters().subscriptions == 0)
            await client.close()
            await other.close()
        }
    }

    @Test("binary frames carrying JSON text are accepted")
    func binaryFrames() async throws {
        try await withRelay { server in
            let client = try await connectClient(server)
            let id = client.makeID()
            let request = IRN.Request(id: id, method: IRN.Method.subscribe, params: IRN.SubscribeParams(topic: RelayTest.topic()))
            client.sendBinary(Array(try WireJSON.encode(request)))
            let response = try await client.response(to: id)
            #expect(response.result?.stringValue?.count == 64)
            await client.close()
        }
    }

    @Test("wc_proposeSession and wc_approveSession publish with tags 1100, 1101, 1102")
    func compositeSessionCalls() async throws {
        try await withRelay { server in
            let dapp = try await connectClient(server, clientID: "did:key:dapp")
            let wallet = try await connectClient(server, clientID: "did:key:wallet")
            let pairing = RelayTest.topic()
            let session = RelayTest.topic()
            let proposed = try await dapp.call(
                IRN.Method.proposeSession,
                ProposeSessionParams(
                    pairingTopic: pairing, sessionProposal: "proposal", attestation: "att", correlationID: 42))
            #expect(proposed.result == .bool(true))
            _ = try await wallet.subscribe(pairing)
            let proposal = try await wallet.nextSubscription()
            #expect(proposal.params.data.message == "proposal")
            #expect(proposal.params.data.tag == IRN.Tag.sessionPropose)
            #expect(proposal.params.data.attestation == "att")
            try wallet.ack(proposal.id)

            let approved = try await wallet.call(
                IRN.Method.approveSession,
                ApproveSessionParams(
                    pairingTopic: pairing, sessionTopic: session, sessionProposalResponse: "response",
                    sessionSettlementRequest: "settle", approvedChains: ["eip155:1"]))
            #expect(approved.result == .bool(true))
            // The dapp is subscribed to the pairing topic by wc_proposeSession.
            let response = try await dapp.nextSubscription()
            #expect(response.params.data.message == "response")
            #expect(response.params.data.tag == IRN.Tag.sessionProposeResponse)
            try dapp.ack(response.id)
            _ = try await dapp.subscribe(session)
            let settle = try await dapp.nextSubscription()
            #expect(settle.params.data.message == "settle" && settle.params.data.topic == session)
            #expect(settle.params.data.tag == IRN.Tag.sessionSettle)
            // The wallet was subscribed to the session topic: it gets what the dapp publishes there.
            try await dapp.publish(session, "request")
            #expect(try await wallet.nextSubscription().params.data.message == "request")
            await dapp.close()
            await wallet.close()
        }
    }

    @Test("stopping and starting on the same port with the same state keeps the mailbox")
    func restartKeepsMailbox() async throws {
        let state = RelayServerState()
        // A port below the kernel's ephemeral range (32768+), so no client socket of a parallel test can
        // take it between the stop and the restart. Retried in case something else holds it.
        var started: (RelayServer, Int)?
        for _ in 0..<20 where started == nil {
            let candidate = RelayServer(
                configuration: RelayServerConfiguration(port: Int.random(in: 20_000..<32_000)), state: state)
            if let port = try? await candidate.start() { started = (candidate, port) }
        }
        let (first, port) = try #require(started)
        let publisher = try await connectClient(first, clientID: "did:key:pub")
        let topic = RelayTest.topic()
        try await publisher.publish(topic, "held")
        await first.stop()
        #expect(try await publisher.closed() == 1001)

        let second = RelayServer(configuration: RelayServerConfiguration(port: port), state: state)
        #expect(try await second.start() == port)
        let receiver = try await connectClient(second, clientID: "did:key:recv")
        _ = try await receiver.subscribe(topic)
        #expect(try await receiver.nextSubscription().params.data.message == "held")
        await receiver.close()
        await second.stop()
    }
}
