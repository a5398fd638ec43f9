import Testing
import WalletConnectCore
import WalletKitTesting

@Suite("InMemoryRelay", .timeLimit(.minutes(1)))
struct InMemoryRelayTests {
    let topicA = String(repeating: "a", count: 64)
    let topicB = String(repeating: "b", count: 64)

    func makeHub() -> InMemoryRelayHub {
        InMemoryRelayHub(wallClock: .fixed(milliseconds: 1_700_000_000_000))
    }

    @Test func publishReachesOtherSubscribersNotPublisher() async throws {
        let hub = makeHub()
        let alice = hub.makeClient(clientID: "did:key:alice")
        let bob = hub.makeClient(clientID: "did:key:bob")
        let carol = hub.makeClient()
        try await alice.subscribe(topic: topicA)
        try await bob.subscribe(topic: topicA)
        try await carol.subscribe(topic: topicB)
        let bobStream = bob.messages()
        let aliceStream = alice.messages()
        try await alice.publish(topic: topicA, message: "hello", options: PublishOptions(ttl: 30, tag: 1002))
        try await bob.publish(topic: topicA, message: "back", options: PublishOptions())

        let received = try await BoundedWait.first(in: bobStream)
        #expect(received == RelayMessage(topic: topicA, message: "hello", publishedAt: 1_700_000_000_000, tag: 1002))
        // Alice gets bob's message but never her own.
        let aliceReceived = try await BoundedWait.first(in: aliceStream)
        #expect(aliceReceived.message == "back")
        #expect(await hub.unhandledMessages(of: "did:key:alice").map(\.message) == ["back"])
        #expect(await hub.unhandledMessages(of: carol.clientID).isEmpty)
        #expect(alice.clientID == "did:key:alice")
        #expect(carol.relayClientID.hasPrefix("did:key:"))
    }

    @Test func publishesAreRecordedWithOptions() async throws {
        let hub = makeHub()
        let client = hub.makeClient()
        let events = hub.publishEvents()
        let options = PublishOptions(ttl: 86_400, tag: 1000, prompt: false, correlationID: 7)
        try await client.publish(topic: topicA, message: "m1", options: options)
        let recorded = await hub.publishes
        #expect(recorded.count == 1)
        #expect(recorded.first?.options == options)
        #expect(recorded.first?.topic == topicA)
        #expect(recorded.first?.kind == .publish)
        let event = try await BoundedWait.first(in: events)
        #expect(event.message == "m1")
        #expect(await hub.publishes(on: topicB).isEmpty)
    }

    @Test func mailboxDeliversOnSubscribeButNotToPublisher() async throws {
        let hub = makeHub()
        let dapp = hub.makeClient()
        let wallet = hub.makeClient()
        try await dapp.subscribe(topic: topicA)
        try await dapp.publish(topic: topicA, message: "proposal", options: PublishOptions(ttl: 300, tag: 1100))
        #expect(await hub.mailbox(of: topicA).map(\.message) == ["proposal"])
        let stream = wallet.messages()
        try await wallet.subscribe(topic: topicA)
        let message = try await BoundedWait.first(in: stream)
        #expect(message.message == "proposal")
        #expect(await hub.mailbox(of: topicA).isEmpty)
        #expect(await hub.subscribeCalls.map(\.topic) == [topicA, topicA])
    }

    @Test func expiredMailboxItemsAreDiscarded() async throws {
        let clock = ManualClock()
        let hub = InMemoryRelayHub(wallClock: ManualWallClock(clock: clock).wallClock)
        let sender = hub.makeClient()
        let receiver = hub.makeClient()
        try await sender.publish(topic: topicA, message: "short", options: PublishOptions(ttl: 30))
        try await sender.publish(topic: topicA, message: "long", options: PublishOptions(ttl: 300))
        clock.advance(by: .seconds(31))
        let stream = receiver.messages()
        try await receiver.subscribe(topic: topicA)
        #expect(try await BoundedWait.first(in: stream).message == "long")
        #expect(await hub.unhandledMessages(of: receiver.clientID).map(\.message) == ["long"])
    }

    @Test func dedupeDropsDuplicatesAndUnsubscribeForgets() async throws {
        let hub = makeHub()
        let sender = hub.makeClient()
        let receiver = hub.makeClient()
        try await receiver.subscribe(topic: topicA)
        try await sender.publish(topic: topicA, message: "same", options: PublishOptions())
        try await sender.publish(topic: topicA, message: "same", options: PublishOptions())
        #expect(await hub.unhandledMessages(of: receiver.clientID).count == 1)
        #expect(await hub.duplicatesDropped == 1)
        try await receiver.unsubscribe(topic: topicA)
        #expect(await hub.subscribers(of: topicA).isEmpty)
        try await receiver.subscribe(topic: topicA)
        try await sender.publish(topic: topicA, message: "same", options: PublishOptions())
        #expect(await hub.unhandledMessages(of: receiver.clientID).count == 2)
        #expect(await hub.unsubscribeCalls.count == 1)
    }

    @Test func markHandledAndReplayUnhandled() async throws {
        let hub = makeHub()
        let sender = hub.makeClient()
        let receiver = hub.makeClient()
        try await receiver.subscribe(topics: [topicA, topicB])
        let stream = receiver.messages()
        try await sender.publish(topic: topicA, message: "one", options: PublishOptions())
        try await sender.publish(topic: topicB, message: "two", options: PublishOptions())
        let first = try await BoundedWait.collect(2, from: stream)
        #expect(first.map(\.message) == ["one", "two"])
        await receiver.markHandled(first[0])
        await receiver.replayUnhandled()
        let replayed = try await BoundedWait.first(in: stream)
        #expect(replayed.message == "two")
        #expect(await hub.unhandledMessages(of: receiver.clientID).map(\.message) == ["two"])
    }

    @Test func failNextPublishThrowsOnceAndDeliversNothing() async throws {
        let hub = makeHub()
        let sender = hub.makeClient()
        let receiver = hub.makeClient()
        try await receiver.subscribe(topic: topicA)
        await hub.failNextPublish(topic: topicA)
        await #expect(throws: InMemoryRelayError.injected) {
            try await sender.publish(topic: topicA, message: "lost", options: PublishOptions())
        }
        try await sender.publish(topic: topicA, message: "kept", options: PublishOptions())
        #expect(await hub.unhandledMessages(of: receiver.clientID).map(\.message) == ["kept"])
        #expect(await hub.failedPublishes.map(\.message) == ["lost"])
        #expect(await hub.publishes.map(\.message) == ["kept"])
    }

    @Test func failFaultOnOtherTopicDoesNotFire() async throws {
        let hub = makeHub()
        let sender = hub.makeClient()
        await hub.failNextPublish(topic: topicB)
        try await sender.publish(topic: topicA, message: "fine", options: PublishOptions())
        await #expect(throws: InMemoryRelayError.self) {
            try await sender.publish(topic: topicB, message: "fails", options: PublishOptions())
        }
    }

    @Test func dropAndDuplicateFaults() async throws {
        let hub = makeHub()
        let sender = hub.makeClient()
        let receiver = hub.makeClient()
        try await receiver.subscribe(topic: topicA)
        await hub.dropNextPublish()
        try await sender.publish(topic: topicA, message: "dropped", options: PublishOptions())
        await hub.duplicateNextPublish()
        try await sender.publish(topic: topicA, message: "twice", options: PublishOptions())
        #expect(await hub.unhandledMessages(of: receiver.clientID).map(\.message) == ["twice"])
        #expect(await hub.duplicatesDropped == 1)
        #expect(await hub.mailbox(of: topicA).isEmpty)
        #expect(await hub.publishes.count == 2)
    }

    @Test func failNextSubscribe() async throws {
        let hub = makeHub()
        let client = hub.makeClient()
        await hub.failNextSubscribe()
        await #expect(throws: InMemoryRelayError.self) { try await client.subscribe(topic: topicA) }
        #expect(await hub.subscribers(of: topicA).isEmpty)
        try await client.subscribe(topic: topicA)
        #expect(await hub.subscribers(of: topicA) == [client.clientID])
    }

    @Test func proposeSessionSubscribesAndPublishesTag1100() async throws {
        let hub = makeHub()
        let dapp = hub.makeClient()
        let wallet = hub.makeClient()
        let params = ProposeSessionParams(pairingTopic: topicA, sessionProposal: "env", correlationID: 99)
        try await dapp.proposeSession(params)
        #expect(await hub.subscribers(of: topicA) == [dapp.clientID])
        #expect(await hub.subscribeCalls.isEmpty)
        let recorded = try #require(await hub.publishes.first)
        #expect(recorded.kind == .proposeSession)
        #expect(recorded.options == PublishOptions(ttl: 300, tag: 1100, prompt: true, correlationID: 99))
        #expect(await hub.proposeSessionCalls == [params])
        let stream = wallet.messages()
        try await wallet.subscribe(topic: topicA)
        #expect(try await BoundedWait.first(in: stream).tag == 1100)
    }

    @Test func approveSessionPublishesResponseAndSettlement() async throws {
        let hub = makeHub()
        let dapp = hub.makeClient()
        let wallet = hub.makeClient()
        try await dapp.subscribe(topic: topicA)
        try await dapp.subscribe(topic: topicB)
        let stream = dapp.messages()
        let params = ApproveSessionParams(
            pairingTopic: topicA, sessionTopic: topicB, sessionProposalResponse: "resp",
            sessionSettlementRequest: "settle", correlationID: 5)
        try await wallet.approveSession(params)
        #expect(await hub.topics(of: wallet.clientID) == [topicB])
        let recorded = await hub.publishes
        #expect(recorded.map(\.options.tag) == [1101, 1102])
        #expect(recorded.map(\.topic) == [topicA, topicB])
        #expect(recorded.allSatisfy { $0.options.ttl == 300 && $0.kind == .approveSession })
        let delivered = try await BoundedWait.collect(2, from: stream)
        #expect(delivered.map(\.message) == ["resp", "settle"])
        #expect(await hub.approveSessionCalls.count == 1)
    }

    @Test func compositeCallHonoursFailFault() async throws {
        let hub = makeHub()
        let wallet = hub.makeClient()
        await hub.failNextPublish()
        let params = ApproveSessionParams(
            pairingTopic: topicA, sessionTopic: topicB, sessionProposalResponse: "r", sessionSettlementRequest: "s")
        await #expect(throws: InMemoryRelayError.self) { try await wallet.approveSession(params) }
        #expect(await hub.subscribers(of: topicB).isEmpty)
        #expect(await hub.failedPublishes.count == 2)
    }

    @Test func disconnectedClientCannotPublishAndStatesAreStreamed() async throws {
        let hub = makeHub()
        let client = hub.makeClient()
        let states = client.connectionStates()
        client.setConnectionState(.disconnected)
        await #expect(throws: InMemoryRelayError.notConnected) {
            try await client.publish(topic: topicA, message: "x", options: PublishOptions())
        }
        await #expect(throws: InMemoryRelayError.notConnected) { try await client.subscribe(topic: topicA) }
        client.setConnectionState(.connected)
        let seen = try await BoundedWait.collect(3, from: states)
        #expect(seen == [.connected, .disconnected, .connected])
        try await client.publish(topic: topicA, message: "x", options: PublishOptions())
    }

    @Test func injectInboundReachesSubscribers() async throws {
        let hub = makeHub()
        let client = hub.makeClient()
        try await client.subscribe(topic: topicA)
        let stream = client.messages()
        await hub.injectInbound(topic: topicA, message: "raw", tag: 1108)
        let message = try await BoundedWait.first(in: stream)
        #expect(message.message == "raw")
        #expect(message.tag == 1108)
    }

    @Test func markSubscribedIsNotRecordedAsSubscribe() async throws {
        let hub = makeHub()
        let client = hub.makeClient()
        await client.markSubscribed(topic: topicA)
        #expect(await hub.subscribers(of: topicA) == [client.clientID])
        #expect(await hub.subscribeCalls.isEmpty)
    }
}
