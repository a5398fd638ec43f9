import Foundation
import Logging
import WalletConnectCore
import WalletConnectRelayServer

/// Case 3: the project's relay server (in-process on 127.0.0.1:0) — fan-out throughput and publish → deliver
/// latency — against raw WebSocket round trips through the same server measured in the same run.
enum RelayBenchmarks {
    /// A 1 KiB envelope's worth of base64 text (1404 characters); each message gets a unique prefix.
    static let filler = String(Base64Codec.encode([UInt8](repeating: 0x5a, count: 1053)).dropFirst(12))

    static func message(_ index: Int) -> String {
        let tag = String(index, radix: 16)
        return String(repeating: "A", count: 12 - tag.count) + tag + filler
    }

    static func topic(_ run: Int, _ index: Int) -> String {
        Hex.encode(SHA256Digest.hash(Array("bench-\(run)-\(index)".utf8)))
    }

    /// Starts a relay server with mailbox limits large enough for the runs, calls `body` with its URL, stops it.
    static func withServer<R>(_ body: (String) async throws -> R) async throws -> R {
        let limits = RelayStoreLimits(maxMessagesPerTopic: 100_000, maxMessages: 5_000_000)
        let server = RelayServer(
            configuration: RelayServerConfiguration(port: 0, permessageDeflate: false),
            state: RelayServerState(limits: limits))
        try await server.start()
        let url = await server.url
        do {
            let result = try await body(url)
            await server.stop()
            return result
        } catch {
            await server.stop()
            throw error
        }
    }

    // MARK: floors

    /// A raw socket that answers nothing and counts every response frame.
    struct Prober {
        let socket: RawSocket
        let responses: AwaitableCounter
        let topic: String

        static func open(url: String) async throws -> Prober {
            let responses = AwaitableCounter()
            let socket = try await RawSocket.connect(url: url) { _, _ in
                responses.increment()
                return false
            }
            let prober = Prober(socket: socket, responses: responses, topic: RelayBenchmarks.topic(-1, 0))
            try await socket.send(RawFrame.subscribe(prober.topic, id: 1_000_000_000))
            try await responses.wait(for: 1, within: .seconds(10), "first subscribe")
            return prober
        }

        /// Round-trip times (µs) of `count` sequential `irn_subscribe` calls on an already-subscribed topic.
        func roundTrips(_ count: Int) async throws -> [Double] {
            let clock = ContinuousClock()
            var samples: [Double] = []
            samples.reserveCapacity(count)
            for index in 0..<count {
                let target = responses.value + 1
                let start = clock.now
                try await socket.send(RawFrame.subscribe(topic, id: 2_000_000_000 + Int64(index)))
                try await responses.wait(for: target, within: .seconds(10), "raw round trip")
                samples.append((clock.now - start).nanoseconds / 1000)
            }
            return samples
        }

        /// Requests per second of `count` pipelined `irn_subscribe` calls with at most `window` outstanding.
        func pipelined(_ count: Int, window: Int) async throws -> Double {
            let clock = ContinuousClock()
            let base = responses.value
            let start = clock.now
            for index in 0..<count {
                if index >= window { try await responses.wait(for: base + index - window + 1, within: .seconds(30), "window") }
                try await socket.send(RawFrame.subscribe(topic, id: 3_000_000_000 + Int64(index)))
            }
            try await responses.wait(for: base + count, within: .seconds(60), "pipelined round trips")
            return Double(count) / ((clock.now - start).nanoseconds / 1e9)
        }
    }

    // MARK: raw relay clients

    /// A raw subscriber: acks every `irn_subscription` and counts the deliveries.
    struct Subscriber {
        let socket: RawSocket
        let deliveries: AwaitableCounter
        let responses: AwaitableCounter

        static func open(url: String) async throws -> Subscriber {
            let deliveries = AwaitableCounter()
            let responses = AwaitableCounter()
            let socket = try await RawSocket.connect(url: url) { text, writer in
                if RawFrame.isSubscription(text), let id = RawFrame.leadingID(text) {
                    await writer.send(RawFrame.ack(id))
                    deliveries.increment()
                } else {
                    responses.increment()
                }
                return false
            }
            return Subscriber(socket: socket, deliveries: deliveries, responses: responses)
        }

        func subscribe(_ topics: [String], id: Int64) async throws {
            let target = responses.value + 1
            try await socket.send(RawFrame.batchSubscribe(topics, id: id))
            try await responses.wait(for: target, within: .seconds(10), "batch subscribe")
        }
    }

    // MARK: cases

    static func run() async throws -> [BenchmarkResult] {
        try await withServer { url in
            let prober = try await Prober.open(url: url)
            _ = try await prober.roundTrips(500)  // warm-up
            let floorRTT = try await prober.roundTrips(5_000)
            let floorRate = try await median(5) { try await prober.pipelined(20_000, window: 256) }

            let publisherResponses = AwaitableCounter()
            let publisher = try await RawSocket.connect(url: url) { _, _ in
                publisherResponses.increment()
                return false
            }
            let subscribers = try await (0..<4).asyncMap { _ in try await Subscriber.open(url: url) }
            var nextID: Int64 = 4_000_000_000
            var runNumber = 0

            /// Publishes `count` messages over `topicCount` fresh topics with at most `window` publishes awaiting
            /// their ack; returns deliveries per second over `fanOut` subscribers.
            func fanOutRun(count: Int, topicCount: Int, fanOut: Int, window: Int) async throws -> Double {
                runNumber += 1
                let topics = (0..<topicCount).map { topic(runNumber, $0) }
                for subscriber in subscribers.prefix(fanOut) {
                    nextID += 1
                    try await subscriber.subscribe(topics, id: nextID)
                }
                let before = subscribers.prefix(fanOut).map(\.deliveries.value)
                let responseBase = publisherResponses.value
                let clock = ContinuousClock()
                let start = clock.now
                for index in 0..<count {
                    if index >= window {
                        try await publisherResponses.wait(
                            for: responseBase + index - window + 1, within: .seconds(30), "publish window")
                    }
                    nextID += 1
                    try await publisher.send(
                        RawFrame.publish(topics[index % topicCount], message: message(index), id: nextID))
                }
                for (subscriber, base) in zip(subscribers.prefix(fanOut), before) {
                    try await subscriber.deliveries.wait(for: base + count, within: .seconds(120), "deliveries")
                }
                let seconds = (clock.now - start).nanoseconds / 1e9
                return Double(count * fanOut) / seconds
            }

            _ = try await fanOutRun(count: 2_000, topicCount: 100, fanOut: 1, window: 256)  // warm-up
            let fanOut1 = try await median(5) { try await fanOutRun(count: 20_000, topicCount: 100, fanOut: 1, window: 256) }
            let fanOut4 = try await median(5) { try await fanOutRun(count: 10_000, topicCount: 100, fanOut: 4, window: 256) }

            // Sequential publish → deliver latency, one subscriber, round robin over 100 topics.
            runNumber += 1
            let latencyTopics = (0..<100).map { topic(runNumber, $0) }
            nextID += 1
            try await subscribers[0].subscribe(latencyTopics, id: nextID)
            let clock = ContinuousClock()
            var latencies: [Double] = []
            for index in 0..<5_500 {
                let target = subscribers[0].deliveries.value + 1
                let start = clock.now
                nextID += 1
                try await publisher.send(
                    RawFrame.publish(latencyTopics[index % latencyTopics.count], message: message(index), id: nextID))
                try await subscribers[0].deliveries.wait(for: target, within: .seconds(10), "latency delivery")
                if index >= 500 { latencies.append((clock.now - start).nanoseconds / 1000) }
            }
            let relayerRate = try await relayerFanOut(url: url)

            await publisher.close()
            for subscriber in subscribers { await subscriber.socket.close() }
            await prober.socket.close()

            let rttP50 = Measure.percentile(floorRTT, 50)
            let rttP99 = Measure.percentile(floorRTT, 99)
            let latP50 = Measure.percentile(latencies, 50)
            let latP99 = Measure.percentile(latencies, 99)
            let floorNote = "raw WSClient irn_subscribe (already subscribed) pipelined, window 256"
            return [
                BenchmarkResult(
                    name: "relay_fanout_1sub_msgs_per_s", value: fanOut1, unit: "msg/s", floorName: floorNote,
                    floor: floorRate, ratio: fanOut1 / floorRate, higherIsBetter: true, target: ">= 50000 msg/s",
                    notes: "raw publisher (publish window 256) -> relay -> 1 raw subscriber acking; 1404-char messages over 100 topics"),
                BenchmarkResult(
                    name: "relay_fanout_4sub_deliveries_per_s", value: fanOut4, unit: "msg/s", floorName: floorNote,
                    floor: floorRate, ratio: fanOut4 / floorRate, higherIsBetter: true, target: ">= 50000 msg/s",
                    notes: "same, every topic subscribed by 4 raw sockets; counts deliveries"),
                BenchmarkResult(
                    name: "relay_fanout_relayer_msgs_per_s", value: relayerRate, unit: "msg/s", floorName: floorNote,
                    floor: floorRate, ratio: relayerRate / floorRate, higherIsBetter: true, target: ">= 50000 msg/s",
                    notes: "Relayer.publish (256 concurrent) -> relay -> Relayer.messages() + markHandled, in-memory storage"),
                BenchmarkResult(
                    name: "relay_publish_deliver_p50_us", value: latP50, unit: "us", floorName: "raw WSClient round trip p50",
                    floor: rttP50, ratio: latP50 / rttP50, higherIsBetter: false, target: "(informative)",
                    notes: "raw publisher -> relay -> raw subscriber, sequential over 100 topics, 5000 samples"),
                BenchmarkResult(
                    name: "relay_publish_deliver_p99_us", value: latP99, unit: "us", floorName: "raw WSClient round trip p99",
                    floor: rttP99, ratio: latP99 / rttP99, higherIsBetter: false, target: "(informative)",
                    notes: "as above, 99th percentile"),
            ]
        }
    }

    /// Deliveries per second between two ``Relayer``s (the project's relay client) through the server.
    static func relayerFanOut(url: String) async throws -> Double {
        let publisher = makeRelayer(url: url)
        let subscriber = makeRelayer(url: url)
        let runs = Task { try await publisher.relayer.run() }
        let subscriberRuns = Task { try await subscriber.relayer.run() }
        defer {
            runs.cancel()
            subscriberRuns.cancel()
        }
        let received = AwaitableCounter()
        let messages = subscriber.relayer.messages()
        let consumer = Task {
            for await message in messages {
                await subscriber.relayer.markHandled(message)
                received.increment()
            }
        }
        var runNumber = 1_000
        func oneRun(count: Int, topicCount: Int, concurrency: Int) async throws -> Double {
            runNumber += 1
            let topics = (0..<topicCount).map { topic(runNumber, $0) }
            try await subscriber.relayer.subscribe(topics: topics)
            let base = received.value
            let clock = ContinuousClock()
            let start = clock.now
            let run = runNumber
            try await withThrowingTaskGroup(of: Void.self) { group in
                for lane in 0..<concurrency {
                    group.addTask {
                        var index = lane
                        while index < count {
                            try await publisher.relayer.publish(
                                topic: topics[index % topicCount], message: message(run * 1_000_000 + index),
                                options: PublishOptions(ttl: 300))
                            index += concurrency
                        }
                    }
                }
                try await group.waitForAll()
            }
            try await received.wait(for: base + count, within: .seconds(120), "relayer deliveries")
            return Double(count) / ((clock.now - start).nanoseconds / 1e9)
        }
        _ = try await oneRun(count: 1_000, topicCount: 100, concurrency: 256)
        let rate = try await median(3) { try await oneRun(count: 10_000, topicCount: 100, concurrency: 256) }
        await publisher.relayer.shutdown()
        await subscriber.relayer.shutdown()
        consumer.cancel()
        return rate
    }

    struct RelayerParts {
        let relayer: Relayer
        let crypto: Crypto
    }

    static func makeRelayer(url: String, storage: any KeyValueStorage = InMemoryStorage()) -> RelayerParts {
        let crypto = Crypto(keyChain: KeyChain.inMemory())
        let relayer = Relayer(
            configuration: RelayerConfiguration(relayURL: url, projectID: "bench"),
            identity: crypto, storage: storage)
        return RelayerParts(relayer: relayer, crypto: crypto)
    }
}

/// The median of `count` runs of `body`.
func median(_ count: Int, _ body: () async throws -> Double) async throws -> Double {
    var values: [Double] = []
    for _ in 0..<count { values.append(try await body()) }
    return Measure.percentile(values, 50)
}

extension Sequence {
    /// Sequential async map.
    func asyncMap<T>(_ transform: (Element) async throws -> T) async throws -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
