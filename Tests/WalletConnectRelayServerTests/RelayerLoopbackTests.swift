import Foundation
import Testing
import WalletConnectCore
import WalletConnectRelayServer
import WalletKitTesting

/// The client `Relayer` against the real relay server on 127.0.0.1: publish/subscribe, acks, TTL, dedupe.
@Suite("Relayer loopback", .timeLimit(.minutes(1)))
struct RelayerLoopbackTests {
    @Test("publish on one client arrives on another subscribed client")
    func publishSubscribeBetweenTwoClients() async throws {
        let server = try await RelayerFixtures.startServer()
        let url = await server.url
        let alice = RelayerFixtures.relayer(url: url)
        let bob = RelayerFixtures.relayer(url: url)
        let topic = RelayerFixtures.topic()
        try await withRunningRelayers([alice, bob]) {
            let inbox = alice.messages()
            try await alice.subscribe(topic: topic)
            #expect(try await alice.subscribedTopics == [topic])
            try await bob.publish(topic: topic, message: "hello-alice", options: PublishOptions(ttl: 300, tag: 1108))
            let received = try await BoundedWait.first(in: inbox)
            #expect(received.topic == topic)
            #expect(received.message == "hello-alice")
            #expect(received.tag == 1108)
            #expect(received.publishedAt > 0)
            // The ack goes out before the message is handed on.
            #expect(alice.statistics.acknowledgementsSent >= 1)
            #expect(alice.statistics.messagesDelivered == 1)
        }
        await server.stop()
    }

    @Test("a consumer that stalls while 1,500 messages arrive still gets every one of them, in order, once")
    func stalledConsumerLosesNothing() async throws {
        let server = try await RelayerFixtures.startServer()
        let url = await server.url
        let receiver = RelayerFixtures.relayer(url: url)
        let topic = RelayerFixtures.topic()
        // Past the old 1,024-message buffer. Published in batches of 100 by a raw client, in order: 1,500
        // sequential publishes through a second Relayer took over a minute under ThreadSanitizer on a loaded
        // machine (the suite's limit), and the publisher is not what this test is about.
        let count = 1_500
        try await withRunningRelayers([receiver]) {
            // Taken and not read until everything has arrived: the old 1,024-message buffer dropped the rest.
            let inbox = receiver.messages()
            try await receiver.subscribe(topic: topic)
            let publisher = try await connectClient(server)
            for start in stride(from: 0, to: count, by: 100) {
                let messages = (start..<min(start + 100, count)).map {
                    IRN.PublishParams(topic: topic, message: "m\($0)", ttl: 300, tag: 1108)
                }
                let answer = try await publisher.call(IRN.Method.batchPublish, IRN.BatchPublishParams(messages: messages))
                #expect(answer.error == nil)
            }
            await publisher.close()
            // Every message is held by the relay or the receiver (at most `maxInboundBacklog` handed out and not
            // handled, the rest waiting unacknowledged); each one comes as the consumer finishes the one before.
            #expect(receiver.statistics.messagesDelivered <= 64)
            let received = try await receiver.collectHandling(count, from: inbox)
            #expect(received.map(\.message) == (0..<count).map { "m\($0)" })
        }
        await server.stop()
    }

    @Test("a burst past the outbound queue is windowed: held back, then delivered as acks arrive, every message once")
    func burstPastTheQueueIsWindowed() async throws {
        let count = 40
        try await withRelay(RelayServerConfiguration(host: "127.0.0.1", port: 0, maxQueuedFramesPerConnection: 8)) { server in
            let url = await server.url
            let receiver = RelayerFixtures.relayer(url: url)
            let topic = RelayerFixtures.topic()
            try await withRunningRelayers([receiver]) {
                let inbox = receiver.messages()
                try await receiver.subscribe(topic: topic)
                // One batch of 40: the relay fans them out in one go, far past the 8-frame queue (4 in flight).
                let publisher = try await connectClient(server)
                let messages = (0..<count).map { IRN.PublishParams(topic: topic, message: "m\($0)", ttl: 300, tag: 1108) }
                let answer = try await publisher.call(IRN.Method.batchPublish, IRN.BatchPublishParams(messages: messages))
                #expect(answer.error == nil)
                let received = try await BoundedWait.collect(count, from: inbox)
                #expect(received.map(\.message) == messages.map(\.message))
                #expect(await server.counters().dropped == 0)
                #expect(receiver.statistics.connectionsOpened == 1)
                #expect(receiver.statistics.duplicatesDropped == 0)
                await publisher.close()
            }
        }
    }

    @Test("publish resolves on the relay's ack; relay errors carry their JSON-RPC code")
    func acknowledgementSemantics() async throws {
        let server = try await RelayerFixtures.startServer()
        let url = await server.url
        let relayer = RelayerFixtures.relayer(url: url)
        try await withRunningRelayers([relayer]) {
            let topic = RelayerFixtures.topic()
            try await relayer.publish(topic: topic, message: "stored", options: PublishOptions(ttl: 300))
            // By the time publish returned, the relay has stored it (the ack comes after the store).
            #expect(await server.counters().published == 1)
            #expect(relayer.statistics.pendingCalls == 0)

            // An invalid topic is refused by the relay: a typed error with the JSON-RPC code.
            let error = await #expect(throws: RelayerError.self) {
                try await relayer.publish(topic: "not-a-topic", message: "x", options: PublishOptions(ttl: 300))
            }
            #expect(error?.isRelayError == true)
            #expect(error?.rpcError?.code == -32600)
            #expect(error?.method == IRN.Method.publish)
            #expect(relayer.statistics.pendingCalls == 0)
        }
        await server.stop()
    }

    @Test("a publish made before the connection exists waits for it, then completes")
    func publishWhileDisconnectedWaitsForConnection() async throws {
        let server = try await RelayerFixtures.startServer()
        let url = await server.url
        let relayer = RelayerFixtures.relayer(url: url)
        let topic = RelayerFixtures.topic()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await relayer.publish(topic: topic, message: "early", options: PublishOptions(ttl: 300))
            }
            // The publish is registered and waiting; only now does the relayer start connecting.
            #expect(relayer.connectionState == .disconnected)
            group.addTask { try await relayer.run() }
            try await group.next()
            #expect(await server.counters().published == 1)
            await relayer.shutdown()
            try await group.waitForAll()
        }
        #expect(relayer.connectionState == .closed(reason: "shutdown"))
        await server.stop()
    }

    @Test("a call with no reachable relay times out on the injected deadline; shutdown fails pending calls")
    func timeoutAndShutdown() async throws {
        // Bind and stop a server to get a port nobody listens on.
        let server = try await RelayerFixtures.startServer()
        let url = await server.url
        await server.stop()
        let relayer = Relayer(
            configuration: RelayerFixtures.configuration(url: url, requestTimeout: .milliseconds(300)),
            identity: UnsignedIdentity(), storage: InMemoryStorage())
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await relayer.run() }
            await #expect {
                try await relayer.publish(
                    topic: RelayerFixtures.topic(), message: "nobody", options: PublishOptions(ttl: 300))
            } throws: { ($0 as? RelayerError)?.isTimeout == true }
            await relayer.shutdown()
            try await group.waitForAll()
        }
        await #expect(throws: RelayerError.shutdown) {
            try await relayer.subscribe(topic: RelayerFixtures.topic())
        }
    }

    @Test("a message past its TTL is not delivered; one within its TTL is")
    func ttlExpiry() async throws {
        let time = SettableWallClock()
        let state = RelayServerState(wallClock: time.wallClock)
        let server = try await RelayerFixtures.startServer(state: state)
        let url = await server.url
        let alice = RelayerFixtures.relayer(url: url)
        let bob = RelayerFixtures.relayer(url: url)
        let topic = RelayerFixtures.topic()
        try await withRunningRelayers([alice, bob]) {
            // Published while nobody is subscribed: held by the relay.
            try await bob.publish(topic: topic, message: "short-lived", options: PublishOptions(ttl: 30))
            try await bob.publish(topic: topic, message: "long-lived", options: PublishOptions(ttl: 3600))
            time.advance(seconds: 60)
            let inbox = alice.messages()
            try await alice.subscribe(topic: topic)
            try await bob.publish(topic: topic, message: "marker", options: PublishOptions(ttl: 300))
            let received = try await BoundedWait.collect(2, from: inbox)
            #expect(received.map(\.message) == ["long-lived", "marker"])
            #expect(await state.storedMessages(topic: topic).map(\.message).contains("short-lived") == false)
        }
        await server.stop()
    }

    @Test("the same message text delivered again on a topic is dropped; own publishes are not echoed")
    func duplicatesAreDropped() async throws {
        let time = SettableWallClock()
        let state = RelayServerState(wallClock: time.wallClock)
        let server = try await RelayerFixtures.startServer(state: state)
        let url = await server.url
        let alice = RelayerFixtures.relayer(url: url)
        let bob = RelayerFixtures.relayer(url: url)
        let topic = RelayerFixtures.topic()
        try await withRunningRelayers([alice, bob]) {
            let inbox = alice.messages()
            try await alice.subscribe(topic: topic)
            try await bob.publish(topic: topic, message: "twice", options: PublishOptions(ttl: 30))
            // Once the relay forgot the first copy (ttl passed), it accepts and delivers the same text again.
            time.advance(seconds: 60)
            try await bob.publish(topic: topic, message: "twice", options: PublishOptions(ttl: 30))
            try await alice.publish(topic: topic, message: "from-alice", options: PublishOptions(ttl: 300))
            try await bob.publish(topic: topic, message: "marker", options: PublishOptions(ttl: 300))
            let received = try await BoundedWait.collect(2, from: inbox)
            #expect(received.map(\.message) == ["twice", "marker"])
            #expect(alice.statistics.duplicatesDropped == 1)
            #expect(alice.statistics.messagesDelivered == 2)
            #expect(alice.statistics.acknowledgementsSent == 3)
        }
        await server.stop()
    }

    @Test("unhandled messages survive a restart and come back through replayUnhandled()")
    func unhandledMessagesReplayAfterRestart() async throws {
        let server = try await RelayerFixtures.startServer()
        let url = await server.url
        let storage = InMemoryStorage()
        let identity = UnsignedIdentity()
        let topic = RelayerFixtures.topic()
        let bob = RelayerFixtures.relayer(url: url)
        let first = RelayerFixtures.relayer(url: url, identity: identity, storage: storage)
        try await withRunningRelayers([first, bob]) {
            let inbox = first.messages()
            try await first.subscribe(topic: topic)
            try await bob.publish(topic: topic, message: "handled", options: PublishOptions(ttl: 300))
            try await bob.publish(topic: topic, message: "pending", options: PublishOptions(ttl: 300))
            let received = try await BoundedWait.collect(2, from: inbox)
            await first.markHandled(received[0])
        }
        let second = RelayerFixtures.relayer(url: url, identity: identity, storage: storage)
        try await withRunningRelayers([second]) {
            #expect(try await second.subscribedTopics == [topic])
            let inbox = second.messages()
            await second.replayUnhandled()
            let replayed = try await BoundedWait.first(in: inbox)
            #expect(replayed.message == "pending")
            await second.markHandled(replayed)
            await second.replayUnhandled()
            try await second.waitUntilConnected()
        }
        // Nothing is left unhandled after markHandled.
        let third = RelayerFixtures.relayer(url: url, identity: identity, storage: storage)
        let inbox = third.messages()
        await third.replayUnhandled()
        await third.shutdown()
        var leftovers: [RelayMessage] = []
        for await message in inbox { leftovers.append(message) }
        #expect(leftovers.isEmpty)
        await server.stop()
    }
}
