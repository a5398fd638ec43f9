import Foundation
import Logging
import Synchronization
import Testing
@testable import WalletConnectCore
import WalletKitTesting

/// The relayer's state machine over an in-memory transport and a manual clock: no sockets, no real time.
@Suite("Relayer state machine", .timeLimit(.minutes(1)))
struct RelayerStateMachineTests {
    struct Harness {
        let clock = ManualClock()
        let transport = FakeTransport()
        let storage = InMemoryStorage()
        let relayer: Relayer

        init(keepAlive: Duration = .seconds(20), requestTimeout: Duration = .seconds(60)) {
            var configuration = RelayerConfiguration(relayURL: "wss://relay.example.org", projectID: "p1")
            configuration.keepAliveInterval = keepAlive
            configuration.requestTimeout = requestTimeout
            configuration.backoff = .init(initial: .seconds(1), maximum: .seconds(8), jitter: 0)
            relayer = Relayer(
                configuration: configuration, identity: UnsignedIdentity(id: "did:key:z6MkHarness"),
                storage: storage, clock: clock, wallClock: .fixed(milliseconds: 1_800_000_000_000),
                logger: .init(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }), transport: transport)
        }

        func nextConnection() async throws -> FakeConnection {
            try await BoundedWait.run { [transport] in
                var iterator = transport.connections.makeAsyncIterator()
                guard let next = await iterator.next() else { throw TestFailure() }
                return next
            }
        }
    }

    struct TestFailure: Error {}

    static func request(_ text: String) throws -> JSONRPCRequest {
        guard case .request(let request) = try JSONRPCMessage.decode(text) else { throw TestFailure() }
        return request
    }

    @Test("the connection URL carries a fresh JWT, project id and useOnCloseEvent, sorted")
    func connectionURL() async throws {
        let harness = Harness()
        try await withRunningRelayers([harness.relayer]) {
            let connection = try await harness.nextConnection()
            let components = try #require(URLComponents(string: connection.url))
            #expect(components.host == "relay.example.org")
            let names = components.queryItems?.map(\.name) ?? []
            #expect(names == ["auth", "projectId", "useOnCloseEvent"])
            #expect(components.queryItems?.first { $0.name == "projectId" }?.value == "p1")
            let jwt = try #require(components.queryItems?.first { $0.name == "auth" }?.value)
            #expect(jwt.split(separator: ".").count == 3)
        }
    }

    @Test("shutdown is bounded when the close handshake cannot complete: the socket is aborted after the close timeout")
    func shutdownAbortsAHangingClose() async throws {
        let harness = Harness()
        let running = Task { try await harness.relayer.run() }
        let connection = try await harness.nextConnection()
        try await harness.relayer.waitUntilConnected()
        let sleepers = harness.clock.sleeperCount
        connection.hangOnClose()
        let stopping = Task { await harness.relayer.shutdown() }
        // The close timeout starts; nothing ends until it passes (the peer never answers).
        try await harness.clock.waitForSleepers(count: sleepers + 1)
        #expect(!connection.isAborted)
        harness.clock.advance(by: RelayerConfiguration(relayURL: "wss://x", projectID: "p").closeTimeout)
        try await Task { await stopping.value }.boundedValue()
        #expect(connection.isAborted)
        try await running.boundedValue()
        #expect(harness.relayer.connectionState == .closed(reason: "shutdown"))
    }

    @Test("irn_subscription is acked before it is handed on; unknown topics are acked and dropped")
    func subscriptionAckedFirst() async throws {
        let harness = Harness()
        let topic = RelayerFixtures.topic()
        try await withRunningRelayers([harness.relayer]) {
            let connection = try await harness.nextConnection()
            try await harness.relayer.waitUntilConnected()
            let inbox = harness.relayer.messages()
            var sent = connection.sentFrames.makeAsyncIterator()
            async let subscribed: Void = harness.relayer.subscribe(topic: topic)
            let subscribe = try Self.request(try #require(await sent.next()))
            #expect(subscribe.method == IRN.Method.subscribe)
            await connection.deliver(#"{"id":\#(subscribe.id),"jsonrpc":"2.0","result":"abc"}"#)
            try await subscribed

            func push(_ id: Int64, _ pushTopic: String, _ text: String) async {
                await connection.deliver(
                    #"{"id":\#(id),"jsonrpc":"2.0","method":"irn_subscription","params":{"id":"s","data":{"topic":"\#(pushTopic)","message":"\#(text)","publishedAt":5}}}"#
                )
            }
            await push(1_700_000_000_000_000_001, RelayerFixtures.topic(), "stranger")
            await push(1_700_000_000_000_000_002, topic, "hello")
            await push(1_700_000_000_000_000_003, topic, "hello")
            let message = try await BoundedWait.first(in: inbox)
            #expect(message == RelayMessage(topic: topic, message: "hello", publishedAt: 5))
            let sentFrames = connection.state.withLock { $0.sent }
            #expect(sentFrames.count == 4)
            #expect(
                Array(sentFrames.dropFirst())
                    == [1, 2, 3].map { #"{"id":170000000000000000\#($0),"jsonrpc":"2.0","result":true}"# })
            #expect(harness.relayer.statistics.duplicatesDropped == 1)
        }
    }

    @Test("one subscribe call failing does not forget a topic a concurrent call subscribed (issue 12)")
    func concurrentSubscribeFailureKeepsTheOtherCallsTopic() async throws {
        let harness = Harness()
        let topic = RelayerFixtures.topic()
        try await withRunningRelayers([harness.relayer]) {
            let connection = try await harness.nextConnection()
            try await harness.relayer.waitUntilConnected()
            var sent = connection.sentFrames.makeAsyncIterator()
            let first = Task { try await harness.relayer.subscribe(topic: topic) }
            let firstFrame = try Self.request(try #require(await sent.next()))
            let second = Task { try await harness.relayer.subscribe(topic: topic) }
            let secondFrame = try Self.request(try #require(await sent.next()))
            #expect(firstFrame.method == IRN.Method.subscribe)
            #expect(secondFrame.method == IRN.Method.subscribe)
            // The first call fails at the relay, the second succeeds.
            await connection.deliver(
                #"{"id":\#(firstFrame.id),"jsonrpc":"2.0","error":{"code":-32000,"message":"try later"}}"#)
            await #expect(throws: RelayerError.self) { try await first.boundedValue() }
            await connection.deliver(#"{"id":\#(secondFrame.id),"jsonrpc":"2.0","result":"sub"}"#)
            try await second.boundedValue()
            // The topic the second call subscribed stays recorded (resubscribed after every reconnect).
            let rows = try await harness.storage.values(withPrefix: "wc@2:core:0.3//subscription/").map(\.key)
            #expect(rows == ["wc@2:core:0.3//subscription/\(topic)"])
            #expect(try await harness.relayer.subscribedTopics == [topic])
        }
    }

    @Test("a subscribe call that fails alone forgets the topic it added")
    func failedSubscribeForgetsItsTopic() async throws {
        let harness = Harness()
        let topic = RelayerFixtures.topic()
        try await withRunningRelayers([harness.relayer]) {
            let connection = try await harness.nextConnection()
            try await harness.relayer.waitUntilConnected()
            var sent = connection.sentFrames.makeAsyncIterator()
            let call = Task { try await harness.relayer.subscribe(topic: topic) }
            let frame = try Self.request(try #require(await sent.next()))
            await connection.deliver(#"{"id":\#(frame.id),"jsonrpc":"2.0","error":{"code":-32000,"message":"no"}}"#)
            await #expect(throws: RelayerError.self) { try await call.boundedValue() }
            let rows = try await harness.storage.values(withPrefix: "wc@2:core:0.3//subscription/").count
            #expect(rows == 0)
            #expect(try await harness.relayer.subscribedTopics.isEmpty)
        }
    }

    @Test("subscriptions, seen hashes and unhandled messages are persisted under the spec's storage keys")
    func persistedRows() async throws {
        let harness = Harness()
        let topic = RelayerFixtures.topic()
        try await withRunningRelayers([harness.relayer]) {
            let connection = try await harness.nextConnection()
            try await harness.relayer.waitUntilConnected()
            await harness.relayer.markSubscribed(topic: topic)
            let inbox = harness.relayer.messages()
            await connection.deliver(
                #"{"id":1700000000000000009,"jsonrpc":"2.0","method":"irn_subscription","params":{"id":"s","data":{"topic":"\#(topic)","message":"abc","publishedAt":7}}}"#
            )
            let message = try await BoundedWait.first(in: inbox)
            let hash = CryptoHash.hashMessage("abc")
            let keys = try await harness.storage.values(withPrefix: "wc@2:core:0.3//").map(\.key)
            #expect(
                keys == [
                    "wc@2:core:0.3//messages/\(topic)/\(hash)",
                    "wc@2:core:0.3//messages_withoutClientAck/\(topic)/\(hash)",
                    "wc@2:core:0.3//subscription/\(topic)",
                ])
            await harness.relayer.markHandled(message)
            let after = try await harness.storage.values(withPrefix: "wc@2:core:0.3//messages_withoutClientAck").count
            #expect(after == 0)
        }
    }

    @Test("a publish resends with the same id after a reconnect and resolves exactly once")
    func publishRetriesWithSameID() async throws {
        let harness = Harness()
        try await withRunningRelayers([harness.relayer]) {
            let first = try await harness.nextConnection()
            try await harness.relayer.waitUntilConnected()
            let states = harness.relayer.connectionStates()
            async let published: Void = harness.relayer.publish(
                topic: RelayerFixtures.topic(), message: "m", options: PublishOptions(ttl: 300, tag: 1))
            var sentFirst = first.sentFrames.makeAsyncIterator()
            let original = try Self.request(try #require(await sentFirst.next()))
            #expect(original.method == IRN.Method.publish)
            #expect(original.params["tag"] == 1)
            first.drop(code: 1006, reason: nil)
            // Reconnect after the first backoff step (1 s, no jitter) on the manual clock: once disconnected,
            // the sleepers are the publish deadline and the backoff.
            _ = try await BoundedWait.first(in: states) { $0 == .disconnected }
            try await harness.clock.waitForSleepers(count: 2)
            harness.clock.advance(by: .seconds(1))
            let second = try await harness.nextConnection()
            var sentSecond = second.sentFrames.makeAsyncIterator()
            let resent = try Self.request(try #require(await sentSecond.next()))
            #expect(resent.id == original.id)
            #expect(resent.params == original.params)
            await second.deliver(#"{"id":\#(resent.id),"jsonrpc":"2.0","result":true}"#)
            try await published
            // A late duplicate answer for the same id is ignored.
            await second.deliver(#"{"id":\#(resent.id),"jsonrpc":"2.0","result":true}"#)
            #expect(harness.relayer.statistics.pendingCalls == 0)
        }
    }

    @Test("the request deadline runs on the injected clock")
    func requestTimeoutOnManualClock() async throws {
        let harness = Harness(requestTimeout: .seconds(60))
        try await withRunningRelayers([harness.relayer]) {
            _ = try await harness.nextConnection()
            try await harness.relayer.waitUntilConnected()
            try await harness.clock.waitForSleepers(count: 1)
            let relayer = harness.relayer
            let attempt = Task { try await relayer.subscribe(topic: RelayerFixtures.topic()) }
            try await harness.clock.waitForSleepers(count: 2)
            harness.clock.advance(by: .seconds(59))
            #expect(harness.relayer.statistics.pendingCalls == 1)
            harness.clock.advance(by: .seconds(1))
            await #expect { try await attempt.boundedValue() } throws: { ($0 as? RelayerError)?.isTimeout == true }
            #expect(try await harness.relayer.subscribedTopics.isEmpty)
        }
    }

    @Test("keep-alive: a ping after one silent interval, the socket dropped after two, then a reconnect")
    func watchdogPingsThenDrops() async throws {
        let harness = Harness(keepAlive: .seconds(20))
        try await withRunningRelayers([harness.relayer]) {
            let first = try await harness.nextConnection()
            try await harness.clock.waitForSleepers(count: 1)
            harness.clock.advance(by: .seconds(20))
            try await harness.clock.waitForSleepers(count: 1)
            #expect(first.pings == 1)
            #expect(!first.isAborted)
            harness.clock.advance(by: .seconds(20))
            try await harness.clock.waitForSleepers(count: 1)
            #expect(first.isAborted)
            harness.clock.advance(by: .seconds(1))
            _ = try await harness.nextConnection()
            try await harness.relayer.waitForConnections(2)
        }
    }

    @Test("backoff grows by the multiplier, is capped, and jitter only shortens", arguments: [0.0, 0.5, 0.999])
    func backoffDelays(random: Double) {
        let backoff = RelayerConfiguration.Backoff(
            initial: .milliseconds(100), maximum: .seconds(30), multiplier: 2, jitter: 0.5)
        let expected: [Double] = [0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 6.4, 12.8, 25.6, 30, 30]
        for (attempt, full) in expected.enumerated() {
            let delay = backoff.delay(attempt: attempt, random: random)
            let seconds = Double(delay.components.seconds) + Double(delay.components.attoseconds) / 1e18
            #expect(abs(seconds - full * (1 - 0.5 * random)) < 1e-6)
        }
    }
}
