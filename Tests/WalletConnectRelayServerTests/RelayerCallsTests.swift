import Foundation
import Testing
import WalletConnectCore
import WalletConnectRelayServer
import WalletKitTesting

/// Relay calls against the real server: batches of 500, unsubscribe, composite session calls, many calls in
/// flight, cancellation.
@Suite("Relayer calls", .timeLimit(.minutes(1)))
struct RelayerCallsTests {
    @Test("1 200 topics subscribe in batches of 500 and are resubscribed in batches after a 4010 reconnect")
    func batchSubscribeAndResubscribe() async throws {
        let server = try await RelayerFixtures.startServer()
        let url = await server.url
        let topics = (0..<1200).map { _ in RelayerFixtures.topic() }
        let alice = RelayerFixtures.relayer(url: url)
        let bob = RelayerFixtures.relayer(url: url)
        try await withRunningRelayers([alice, bob]) {
            let inbox = alice.messages()
            try await alice.subscribe(topics: topics)
            #expect(try await alice.subscribedTopics.count == 1200)
            #expect(await server.counters().subscriptions == 1200)
            await server.closeAllConnections(code: 4010, reason: "Rebalancing")
            try await alice.waitForConnections(2)
            #expect(await server.counters().subscriptions == 1200)
            try await bob.publish(topic: topics[1199], message: "last", options: PublishOptions(ttl: 300))
            try await bob.publish(topic: topics[0], message: "first", options: PublishOptions(ttl: 300))
            let received = try await BoundedWait.collect(2, from: inbox)
            #expect(received.map(\.message) == ["last", "first"])
        }
        await server.stop()
    }

    @Test("persisted topics are subscribed once per connection: restore + connect, subscribe again, reconnect")
    func persistedTopicsSubscribedOncePerConnection() async throws {
        let server = try await RelayerFixtures.startServer()
        let url = await server.url
        let storage = InMemoryStorage()
        let topics = (0..<1200).map { _ in RelayerFixtures.topic() }
        let seeding = RelayerFixtures.relayer(url: url, storage: storage)
        try await withRunningRelayers([seeding]) { try await seeding.subscribe(topics: topics) }
        let seeded = await server.counters()
        #expect(seeded.batchSubscribeCalls == 3)

        // A restarted client: the relayer resubscribes its persisted topics on connect while the engine's
        // restore asks for the same topics; each batch must reach the relay once.
        let restarted = RelayerFixtures.relayer(url: url, storage: storage)
        let extra = RelayerFixtures.topic()
        try await withRunningRelayers([restarted]) {
            try await restarted.subscribe(topics: topics.reversed())
            let afterRestore = await server.counters()
            #expect(afterRestore.batchSubscribeCalls - seeded.batchSubscribeCalls == 3)
            #expect(afterRestore.subscribeRequestedTopics - seeded.subscribeRequestedTopics == 1200)

            // Already subscribed on this connection: nothing is sent; a new topic goes alone.
            try await restarted.subscribe(topics: topics + [extra])
            let afterExtra = await server.counters()
            #expect(afterExtra.batchSubscribeCalls == afterRestore.batchSubscribeCalls)
            #expect(afterExtra.subscribeCalls - afterRestore.subscribeCalls == 1)
            #expect(afterExtra.subscribeRequestedTopics - afterRestore.subscribeRequestedTopics == 1)

            // After a reconnect every topic is resubscribed exactly once, and asking again sends nothing.
            await server.closeAllConnections(code: 4010, reason: "Rebalancing")
            try await restarted.waitForConnections(2)
            try await restarted.subscribe(topics: topics + [extra])
            let afterReconnect = await server.counters()
            #expect(afterReconnect.batchSubscribeCalls - afterExtra.batchSubscribeCalls == 3)
            #expect(afterReconnect.subscribeRequestedTopics - afterExtra.subscribeRequestedTopics == 1201)
            #expect(afterReconnect.subscribeCalls == afterExtra.subscribeCalls)
            #expect(afterReconnect.subscriptions == 1201)
        }
        await server.stop()
    }

    @Test("after unsubscribe the topic's messages are no longer delivered")
    func unsubscribeStopsDelivery() async throws {
        let server = try await RelayerFixtures.startServer()
        let url = await server.url
        let alice = RelayerFixtures.relayer(url: url)
        let bob = RelayerFixtures.relayer(url: url)
        let dropped = RelayerFixtures.topic()
        let kept = RelayerFixtures.topic()
        try await withRunningRelayers([alice, bob]) {
            let inbox = alice.messages()
            try await alice.subscribe(topics: [dropped, kept])
            try await alice.unsubscribe(topic: dropped)
            #expect(try await alice.subscribedTopics == [kept])
            try await bob.publish(topic: dropped, message: "gone", options: PublishOptions(ttl: 300))
            try await bob.publish(topic: kept, message: "marker", options: PublishOptions(ttl: 300))
            let received = try await BoundedWait.first(in: inbox)
            #expect(received.message == "marker")
            #expect(alice.statistics.messagesDelivered == 1)
        }
        await server.stop()
    }

    @Test("wc_proposeSession and wc_approveSession subscribe the caller and publish for the peer")
    func compositeSessionCalls() async throws {
        let server = try await RelayerFixtures.startServer()
        let url = await server.url
        let dapp = RelayerFixtures.relayer(url: url)
        let wallet = RelayerFixtures.relayer(url: url)
        let pairingTopic = RelayerFixtures.topic()
        let sessionTopic = RelayerFixtures.topic()
        try await withRunningRelayers([dapp, wallet]) {
            let walletInbox = wallet.messages()
            let dappInbox = dapp.messages()
            try await wallet.subscribe(topic: pairingTopic)
            try await dapp.proposeSession(
                ProposeSessionParams(pairingTopic: pairingTopic, sessionProposal: "proposal", correlationID: 42))
            #expect(try await dapp.subscribedTopics == [pairingTopic])
            let proposal = try await BoundedWait.first(in: walletInbox)
            #expect(proposal.message == "proposal")
            #expect(proposal.tag == IRN.Tag.sessionPropose)

            try await wallet.approveSession(
                ApproveSessionParams(
                    pairingTopic: pairingTopic, sessionTopic: sessionTopic, sessionProposalResponse: "response",
                    sessionSettlementRequest: "settle", approvedChains: ["eip155:1"]))
            #expect(try await wallet.subscribedTopics == [pairingTopic, sessionTopic])
            let response = try await BoundedWait.first(in: dappInbox)
            #expect(response.message == "response")
            #expect(response.tag == IRN.Tag.sessionProposeResponse)

            // The dapp joins the session topic and gets the held settlement request.
            try await dapp.subscribe(topic: sessionTopic)
            let settle = try await BoundedWait.first(in: dappInbox)
            #expect(settle.message == "settle")
            #expect(settle.tag == IRN.Tag.sessionSettle)

            // The wallet now receives on the session topic without having sent irn_subscribe for it.
            try await dapp.publish(topic: sessionTopic, message: "request", options: PublishOptions(ttl: 300))
            let request = try await BoundedWait.first(in: walletInbox)
            #expect(request.message == "request")
        }
        await server.stop()
    }

    @Test("200 publishes in flight at once each resolve exactly once")
    func manyConcurrentPublishes() async throws {
        let server = try await RelayerFixtures.startServer()
        let url = await server.url
        let alice = RelayerFixtures.relayer(url: url)
        let bob = RelayerFixtures.relayer(url: url)
        let topic = RelayerFixtures.topic()
        let count = 200
        try await withRunningRelayers([alice, bob]) {
            let inbox = alice.messages()
            try await alice.subscribe(topic: topic)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<count {
                    group.addTask {
                        try await bob.publish(topic: topic, message: "m\(index)", options: PublishOptions(ttl: 300))
                    }
                }
                try await group.waitForAll()
            }
            #expect(bob.statistics.pendingCalls == 0)
            #expect(await server.counters().published == count)
            let received = try await alice.collectHandling(count, from: inbox)
            #expect(Set(received.map(\.message)) == Set((0..<count).map { "m\($0)" }))
        }
        await server.stop()
    }

    @Test("cancelling a call that waits for a connection ends it at once and leaves nothing pending")
    func cancellationWhileWaiting() async throws {
        let relayer = RelayerFixtures.relayer(url: "ws://127.0.0.1:9")
        let call = Task {
            try await relayer.publish(topic: RelayerFixtures.topic(), message: "never", options: PublishOptions())
        }
        call.cancel()
        await #expect(throws: CancellationError.self) { try await call.boundedValue() }
        #expect(relayer.statistics.pendingCalls == 0)
        await relayer.shutdown()
    }
}
