import Foundation
import Synchronization
import WalletConnectCore

/// The floor of the Sign cases: a raw request/reply through the same relay path, two relay hops.
///
/// Socket `A` (the "dapp") publishes on request topic `R[i]`; socket `B` (the "wallet") is subscribed to every
/// `R[i]`, acks the delivery and at once publishes the same text on reply topic `P[i]`; `A` is subscribed to
/// every `P[i]`, acks the delivery and wakes lane `i`. No JSON decoding, no crypto, no storage: only the relay's
/// work and two WebSocket clients.
struct RawEcho {
    let requester: RawSocket
    let responder: RawSocket
    let requestTopics: [String]
    let lanes: [AwaitableCounter]
    let ids: IDSource

    final class IDSource: Sendable {
        private let next = Locked<Int64>(5_000_000_000)
        func take() -> Int64 {
            next.withLock { value in
                value += 1
                return value
            }
        }
    }

    /// The `data.topic` of an `irn_subscription` frame (the first `"topic":"` member).
    static func topic(of text: String) -> String? {
        guard let range = text.range(of: #""topic":""#) else { return nil }
        let start = range.upperBound
        guard let end = text[start...].firstIndex(of: "\"") else { return nil }
        return String(text[start..<end])
    }

    /// The `data.message` of an `irn_subscription` frame.
    static func message(of text: String) -> String? {
        guard let range = text.range(of: #""message":""#) else { return nil }
        let start = range.upperBound
        guard let end = text[start...].firstIndex(of: "\"") else { return nil }
        return String(text[start..<end])
    }

    static func open(url: String, laneCount: Int, run: Int) async throws -> RawEcho {
        let requestTopics = (0..<laneCount).map { RelayBenchmarks.topic(9_000 + run, $0) }
        let replyTopics = (0..<laneCount).map { RelayBenchmarks.topic(19_000 + run, $0) }
        let replyFor = Dictionary(uniqueKeysWithValues: zip(requestTopics, replyTopics))
        let laneOf = Dictionary(uniqueKeysWithValues: replyTopics.enumerated().map { ($1, $0) })
        let lanes = (0..<laneCount).map { _ in AwaitableCounter() }
        let ids = IDSource()
        let responderAcks = AwaitableCounter()
        let requesterAcks = AwaitableCounter()

        let responder = try await RawSocket.connect(url: url) { text, writer in
            guard RawFrame.isSubscription(text), let id = RawFrame.leadingID(text) else {
                responderAcks.increment()
                return false
            }
            await writer.send(RawFrame.ack(id))
            if let topic = topic(of: text), let reply = replyFor[topic], let message = message(of: text) {
                await writer.send(RawFrame.publish(reply, message: message, id: ids.take()))
            }
            return false
        }
        let requester = try await RawSocket.connect(url: url) { text, writer in
            guard RawFrame.isSubscription(text), let id = RawFrame.leadingID(text) else {
                requesterAcks.increment()
                return false
            }
            await writer.send(RawFrame.ack(id))
            if let topic = topic(of: text), let lane = laneOf[topic] { lanes[lane].increment() }
            return false
        }
        try await responder.send(RawFrame.batchSubscribe(requestTopics, id: ids.take()))
        try await responderAcks.wait(for: 1, within: .seconds(10), "echo responder subscribe")
        try await requester.send(RawFrame.batchSubscribe(replyTopics, id: ids.take()))
        try await requesterAcks.wait(for: 1, within: .seconds(10), "echo requester subscribe")
        return RawEcho(requester: requester, responder: responder, requestTopics: requestTopics, lanes: lanes, ids: ids)
    }

    /// One request/reply on `lane`; `sequence` makes the text unique (the relay dedupes by message hash).
    func roundTrip(lane: Int, sequence: Int) async throws {
        let target = lanes[lane].value + 1
        try await requester.send(
            RawFrame.publish(
                requestTopics[lane], message: RelayBenchmarks.message(lane * 10_000_000 + sequence), id: ids.take()))
        try await lanes[lane].wait(for: target, within: .seconds(30), "echo reply")
    }

    /// Sequential round-trip times in µs on lane 0.
    func latencies(_ count: Int, from start: Int) async throws -> [Double] {
        let clock = ContinuousClock()
        var samples: [Double] = []
        for index in 0..<count {
            let begin = clock.now
            try await roundTrip(lane: 0, sequence: start + index)
            samples.append((clock.now - begin).nanoseconds / 1000)
        }
        return samples
    }

    /// Round trips per second with every lane looping `perLane` sequential round trips concurrently.
    func throughput(perLane: Int, from start: Int) async throws -> Double {
        let clock = ContinuousClock()
        let begin = clock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for lane in lanes.indices {
                group.addTask {
                    for index in 0..<perLane { try await roundTrip(lane: lane, sequence: start + index) }
                }
            }
            try await group.waitForAll()
        }
        return Double(perLane * lanes.count) / ((clock.now - begin).nanoseconds / 1e9)
    }

    func close() async {
        await requester.close()
        await responder.close()
    }
}
