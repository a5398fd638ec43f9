import Foundation
import Synchronization
import Testing
import WalletKitTesting
@testable import WalletConnectCore

@Suite("EventBroadcaster")
struct EventBroadcasterTests {
    @Test(.timeLimit(.minutes(1)))
    func twoSubscribersEachGetEveryEvent() async throws {
        let broadcaster = EventBroadcaster<Int>()
        let first = broadcaster.subscribe()
        let second = broadcaster.subscribe()
        #expect(broadcaster.subscriberCount == 2)
        for value in 1...5 { #expect(broadcaster.yield(value) == 2) }
        broadcaster.finish()
        var a: [Int] = []
        for await value in first { a.append(value) }
        var b: [Int] = []
        for await value in second { b.append(value) }
        #expect(a == [1, 2, 3, 4, 5])
        #expect(b == [1, 2, 3, 4, 5])
    }

    @Test(.timeLimit(.minutes(1)))
    func cancelledSubscriberIsRemoved() async throws {
        let broadcaster = EventBroadcaster<Int>()
        let stream = broadcaster.subscribe()
        let kept = broadcaster.subscribe()
        let task = Task {
            var seen = 0
            for await _ in stream { seen += 1 }
            return seen
        }
        task.cancel()
        _ = await task.value
        #expect(broadcaster.subscriberCount == 1)
        #expect(broadcaster.yield(7) == 1)
        broadcaster.finish()
        var values: [Int] = []
        for await value in kept { values.append(value) }
        #expect(values == [7])
    }

    @Test(.timeLimit(.minutes(1)))
    func finishEndsAllAndRefusesNewSubscribers() async throws {
        let broadcaster = EventBroadcaster<String>()
        let a = broadcaster.subscribe()
        let b = broadcaster.subscribe(bufferingNewest: 1)
        broadcaster.finish()
        #expect(broadcaster.subscriberCount == 0)
        var count = 0
        for await _ in a { count += 1 }
        for await _ in b { count += 1 }
        #expect(count == 0)
        let late = broadcaster.subscribe()
        for await _ in late { count += 1 }
        #expect(count == 0)
        #expect(broadcaster.yield("ignored") == 0)
    }

    @Test("subscribe() is lossless: a consumer that has not read yet gets all 50,000 events, in order")
    func defaultSubscriptionIsUnbounded() async throws {
        let broadcaster = EventBroadcaster<Int>()
        let stream = broadcaster.subscribe()
        for value in 0..<50_000 { #expect(broadcaster.yield(value) == 1) }
        #expect(broadcaster.droppedCount == 0)
        broadcaster.finish()
        var expected = 0
        for await value in stream {
            #expect(value == expected)
            expected += 1
        }
        #expect(expected == 50_000)
    }

    @Test func boundedBufferDropsAndCounts() async throws {
        let broadcaster = EventBroadcaster<Int>(bufferSize: 2)
        let stream = broadcaster.subscribe()
        for value in 1...5 { broadcaster.yield(value) }
        #expect(broadcaster.droppedCount == 3)
        broadcaster.finish()
        var values: [Int] = []
        for await value in stream { values.append(value) }
        #expect(values == [1, 2])
    }

    @Test func stateStreamStartsWithCurrentValueAndKeepsNewest() async throws {
        let broadcaster = EventBroadcaster<Int>()
        let stream = broadcaster.subscribe(startingWith: 0)
        var iterator = stream.makeAsyncIterator()
        #expect(await iterator.next() == 0)
        broadcaster.yield(1)
        broadcaster.yield(2)
        #expect(await iterator.next() == 2)
        broadcaster.finish()
        #expect(await iterator.next() == nil)
    }
}

/// The lock-order inversion of issue 12: a subscriber's task cancelled (the runtime holds that task's status lock
/// while its cancellation handler runs `onTermination`, which deregisters) while a producer yields to the same
/// subscriber (resuming it needs that status lock). A broadcaster that yields while holding its own lock, which
/// `onTermination` also takes, deadlocks both threads.
@Suite("EventBroadcaster: cancellation during a broadcast")
struct EventBroadcasterCancellationTests {
    /// Set by the test once the cancelling thread is done; read by the producer thread.
    private final class Flag: Sendable {
        private let value = Atomic<Bool>(false)
        func set() { value.store(true, ordering: .releasing) }
        var isSet: Bool { value.load(ordering: .acquiring) }
    }

    @Test("cancelling 2,000 subscribers while a producer broadcasts, 5 rounds: every round ends, nothing left subscribed")
    func cancellingSubscribersDuringBroadcastNeverDeadlocks() async throws {
        for round in 0..<5 {
            let broadcaster = EventBroadcaster<Int>()
            var tasks: [Task<Int, Never>] = []
            for _ in 0..<2_000 {
                let stream = broadcaster.subscribe()
                tasks.append(Task {
                    var seen = 0
                    for await _ in stream { seen += 1 }
                    return seen
                })
            }
            let subscribers = tasks
            let stop = Flag()
            let (done, doneContinuation) = AsyncStream<Void>.makeStream()
            // Both sides run on their own threads (not the cooperative pool), so a deadlock leaves the pool free
            // and the bounded wait below reports it instead of hanging the test run.
            let producer = Thread {
                var value = 0
                while !stop.isSet {
                    broadcaster.yield(value)
                    value += 1
                }
            }
            let canceller = Thread {
                for task in subscribers { task.cancel() }
                stop.set()
                doneContinuation.yield()
                doneContinuation.finish()
            }
            producer.start()
            canceller.start()
            let finished = try await BoundedWait.run(within: .seconds(20)) {
                for await _ in done { return true }
                return false
            }
            #expect(finished, "round \(round): the cancelling thread did not finish")
            try await BoundedWait.run(within: .seconds(20)) {
                for task in subscribers { _ = await task.value }
            }
            #expect(broadcaster.subscriberCount == 0, "round \(round)")
        }
    }
}
