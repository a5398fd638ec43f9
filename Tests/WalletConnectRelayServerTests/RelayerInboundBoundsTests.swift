import Foundation
import Logging
import Testing
@testable import WalletConnectCore
import WalletKitTesting

/// The relayer's inbound bounds (issue 16, item 5) over the in-memory transport: messages out to the consumer,
/// the read-ahead, fairness between topics, and the duplicate filter's memory.
@Suite("Relayer inbound bounds", .timeLimit(.minutes(1)))
struct RelayerInboundBoundsTests {
    struct Harness {
        let transport = FakeTransport()
        let storage = InMemoryStorage()
        let wall = SettableWallClock()
        let relayer: Relayer

        init(configure: (inout RelayerConfiguration) -> Void = { _ in }) {
            var configuration = RelayerConfiguration(relayURL: "wss://relay.example.org", projectID: "p1")
            configure(&configuration)
            relayer = Relayer(
                configuration: configuration, identity: UnsignedIdentity(id: "did:key:z6MkInbound"),
                storage: storage, clock: ManualClock(), wallClock: wall.wallClock,
                logger: .init(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }), transport: transport)
        }

        /// Starts the relayer, waits for its connection and records `topics` as subscribed.
        func connect(topics: [String]) async throws -> FakeConnection {
            let connection = try await BoundedWait.run { [transport] in
                var iterator = transport.connections.makeAsyncIterator()
                guard let next = await iterator.next() else { throw CancellationError() }
                return next
            }
            try await relayer.waitUntilConnected()
            for topic in topics { await relayer.markSubscribed(topic: topic) }
            return connection
        }

        /// Rows of the duplicate filter in storage.
        func seenRows() async throws -> Int {
            try await storage.values(withPrefix: StorageKey.messages(prefix: "").rawValue + "/").count
        }

        var nowMilliseconds: Int64 { wall.wallClock.nowMilliseconds }
    }

    static func push(_ connection: FakeConnection, id: Int64, topic: String, text: String, publishedAt: Int64 = 5) async {
        await connection.deliver(
            #"{"id":\#(id),"jsonrpc":"2.0","method":"irn_subscription","params":{"id":"s","data":{"topic":"\#(topic)","message":"\#(text)","publishedAt":\#(publishedAt)}}}"#
        )
    }

    /// Acknowledgements the relayer sent on `connection`.
    static func acknowledgements(_ connection: FakeConnection) -> Int {
        connection.state.withLock { $0.sent.filter { $0.contains(#""result":true"#) }.count }
    }

    @Test("no more than maxInboundBacklog messages are out: the rest wait unacknowledged until one is handled")
    func backlogBound() async throws {
        let harness = Harness { $0.maxInboundBacklog = 4 }
        let topic = RelayerFixtures.topic()
        try await withRunningRelayers([harness.relayer]) {
            let connection = try await harness.connect(topics: [topic])
            let inbox = harness.relayer.messages()
            for index in 1...10 { await Self.push(connection, id: Int64(index), topic: topic, text: "m\(index)") }
            // Every frame was read (each push returns once the relayer took the frame): 4 are out and acknowledged.
            #expect(Self.acknowledgements(connection) == 4)
            #expect(harness.relayer.statistics.messagesDelivered == 4)
            var received: [String] = []
            for _ in 0..<10 {
                let message = try await BoundedWait.first(in: inbox)
                received.append(message.message)
                await harness.relayer.markHandled(message)
                #expect(Self.acknowledgements(connection) == min(10, 4 + received.count))
            }
            #expect(received == (1...10).map { "m\($0)" })
        }
    }

    @Test("a full read-ahead stops reading the socket until the consumer catches up; nothing is lost")
    func readAheadStopsReading() async throws {
        let harness = Harness {
            $0.maxInboundBacklog = 1
            $0.maxInboundReadAhead = 3
        }
        let topic = RelayerFixtures.topic()
        try await withRunningRelayers([harness.relayer]) {
            let connection = try await harness.connect(topics: [topic])
            let inbox = harness.relayer.messages()
            for index in 1...3 { await Self.push(connection, id: Int64(index), topic: topic, text: "m\(index)") }
            // m1 is out; m2, m3 wait. m4 fills the read-ahead: the reader waits in it (the next frame is not read).
            let reader = Task { await Self.push(connection, id: 4, topic: topic, text: "m4") }
            try await BoundedWait.until { await harness.relayer.inboundCounts.readAhead == 3 }
            #expect(Self.acknowledgements(connection) == 1)
            let first = try await BoundedWait.first(in: inbox)
            #expect(first.message == "m1")
            await harness.relayer.markHandled(first)
            // Room again: the reader goes on.
            try await Task { await reader.value }.boundedValue()
            var received = [first.message]
            for _ in 0..<3 {
                let message = try await BoundedWait.first(in: inbox)
                received.append(message.message)
                await harness.relayer.markHandled(message)
            }
            #expect(received == ["m1", "m2", "m3", "m4"])
            #expect(Self.acknowledgements(connection) == 4)
        }
    }

    @Test("a flood on one topic does not hold back a message on another: topics take turns")
    func topicsTakeTurns() async throws {
        let harness = Harness { $0.maxInboundBacklog = 2 }
        let flooded = RelayerFixtures.topic()
        let other = RelayerFixtures.topic()
        try await withRunningRelayers([harness.relayer]) {
            let connection = try await harness.connect(topics: [flooded, other])
            let inbox = harness.relayer.messages()
            for index in 1...200 { await Self.push(connection, id: Int64(index), topic: flooded, text: "ping\(index)") }
            await Self.push(connection, id: 201, topic: other, text: "proposal")
            var order: [String] = []
            while order.count < 201 {
                let message = try await BoundedWait.first(in: inbox)
                order.append(message.message)
                await harness.relayer.markHandled(message)
            }
            let position = try #require(order.firstIndex(of: "proposal"))
            // Behind at most the two messages already out and one more of the flooded topic.
            #expect(position <= 3, "proposal handled at position \(position)")
            #expect(order.filter { $0 != "proposal" } == (1...200).map { "ping\($0)" })
        }
    }

    @Test("the duplicate filter forgets a message after dedupeLifetime, in memory and in storage")
    func dedupeMemoryExpires() async throws {
        let harness = Harness { $0.dedupeLifetime = .seconds(300) }
        let topic = RelayerFixtures.topic()
        try await withRunningRelayers([harness.relayer]) {
            let connection = try await harness.connect(topics: [topic])
            let inbox = harness.relayer.messages()
            await Self.push(connection, id: 1, topic: topic, text: "old", publishedAt: harness.nowMilliseconds)
            let old = try await BoundedWait.first(in: inbox)
            await harness.relayer.markHandled(old)
            // Within the lifetime, a redelivery is a duplicate.
            await Self.push(connection, id: 2, topic: topic, text: "old", publishedAt: harness.nowMilliseconds)
            #expect(harness.relayer.statistics.duplicatesDropped == 1)
            #expect(try await harness.seenRows() == 1)

            harness.wall.advance(seconds: 301)
            await Self.push(connection, id: 3, topic: topic, text: "new", publishedAt: harness.nowMilliseconds)
            let new = try await BoundedWait.first(in: inbox)
            #expect(new.message == "new")
            await harness.relayer.markHandled(new)
            // "old" expired: only "new" is remembered, on disk too.
            #expect(try await harness.seenRows() == 1)
        }
    }

    @Test("the duplicate filter remembers at most maxRememberedMessages hashes, on disk too")
    func dedupeMemoryIsBounded() async throws {
        let harness = Harness {
            $0.maxRememberedMessages = 100
            $0.maxInboundBacklog = 1_000
        }
        let topic = RelayerFixtures.topic()
        try await withRunningRelayers([harness.relayer]) {
            let connection = try await harness.connect(topics: [topic])
            let inbox = harness.relayer.messages()
            for index in 1...500 {
                await Self.push(connection, id: Int64(index), topic: topic, text: "m\(index)", publishedAt: harness.nowMilliseconds)
                let message = try await BoundedWait.first(in: inbox)
                await harness.relayer.markHandled(message)
            }
            #expect(try await harness.seenRows() <= 100)
            #expect(await harness.relayer.inboundCounts.remembered <= 100)
        }
    }

    @Test("a discarded message leaves nothing in storage, and its slot goes to the next message")
    func discardLeavesNothing() async throws {
        let harness = Harness { $0.maxInboundBacklog = 1 }
        let topic = RelayerFixtures.topic()
        try await withRunningRelayers([harness.relayer]) {
            let connection = try await harness.connect(topics: [topic])
            let inbox = harness.relayer.messages()
            await Self.push(connection, id: 1, topic: topic, text: "garbage")
            await Self.push(connection, id: 2, topic: topic, text: "next")
            let garbage = try await BoundedWait.first(in: inbox)
            await harness.relayer.discard(garbage)
            let next = try await BoundedWait.first(in: inbox)
            #expect(next.message == "next")
            await harness.relayer.markHandled(next)
            let rows = try await harness.storage.values(withPrefix: "")
            #expect(!rows.contains { $0.key.hasSuffix(MessageTracker.hash("garbage")) })
        }
    }
}
