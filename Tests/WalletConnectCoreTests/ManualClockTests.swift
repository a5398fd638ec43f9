import Synchronization
import Testing
import WalletConnectCore
import WalletKitTesting

@Suite("ManualClock", .timeLimit(.minutes(1)))
struct ManualClockTests {
    @Test func startsAtZeroAndAdvances() {
        let clock = ManualClock()
        #expect(clock.now == ManualClock.Instant(offset: .zero))
        clock.advance(by: .seconds(5))
        #expect(clock.now.offset == .seconds(5))
        clock.advance(to: ManualClock.Instant(offset: .seconds(2)))
        #expect(clock.now.offset == .seconds(5), "advance(to:) into the past must not move time backwards")
        clock.advance(to: ManualClock.Instant(offset: .seconds(9)))
        #expect(clock.now.offset == .seconds(9))
        #expect(clock.minimumResolution == .nanoseconds(1))
    }

    @Test func sleepPastDeadlineReturnsImmediately() async throws {
        let clock = ManualClock()
        clock.advance(by: .seconds(10))
        try await clock.sleep(until: ManualClock.Instant(offset: .seconds(3)))
        try await clock.sleep(for: .zero)
        #expect(clock.sleeperCount == 0)
        #expect(clock.sleepCallCount == 2)
    }

    @Test func sleeperResumesOnlyWhenDeadlineReached() async throws {
        let clock = ManualClock()
        let woke = Locked(false)
        let task = Task {
            try await clock.sleep(for: .seconds(5))
            woke.withLock { $0 = true }
        }
        try await clock.waitForSleepers(count: 1)
        clock.advance(by: .seconds(4))
        #expect(clock.sleeperCount == 1, "deadline not reached yet")
        #expect(woke.withLock { $0 } == false)
        clock.advance(by: .seconds(1))
        try await task.boundedValue()
        #expect(woke.withLock { $0 })
        #expect(clock.sleeperCount == 0)
    }

    @Test func sleepersWakeInDeadlineOrder() async throws {
        let clock = ManualClock()
        let order = Locked<[Int]>([])
        let first = Task {
            try await clock.sleep(for: .seconds(3))
            order.withLock { $0.append(3) }
        }
        try await clock.waitForSleepers(count: 1)
        let second = Task {
            try await clock.sleep(for: .seconds(1))
            order.withLock { $0.append(1) }
        }
        try await clock.waitForSleepers(count: 2)
        #expect(clock.nextDeadline == ManualClock.Instant(offset: .seconds(1)))
        #expect(clock.advanceToNextDeadline())
        try await second.boundedValue()
        #expect(clock.sleeperCount == 1)
        #expect(clock.advanceToNextDeadline())
        try await first.boundedValue()
        #expect(order.withLock { $0 } == [1, 3])
        #expect(clock.advanceToNextDeadline() == false)
    }

    @Test func cancellationResumesSleeperWithCancellationError() async throws {
        let clock = ManualClock()
        let task = Task { try await clock.sleep(for: .seconds(60)) }
        try await clock.waitForSleepers(count: 1)
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.boundedValue() }
        #expect(clock.sleeperCount == 0)
        // A later advance must not resume the cancelled sleeper a second time (would crash a checked continuation).
        clock.advance(by: .seconds(120))
    }

    @Test func alreadyCancelledTaskThrowsAtOnce() async throws {
        let clock = ManualClock()
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            try await clock.sleep(for: .seconds(1))
        }
        await #expect(throws: CancellationError.self) { try await task.boundedValue() }
        #expect(clock.sleeperCount == 0)
    }

    @Test func manySleepersAllResumeExactlyOnce() async throws {
        let clock = ManualClock()
        let count = 50
        let woken = Locked(0)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<count {
                group.addTask {
                    try await clock.sleep(for: .milliseconds(index + 1))
                    woken.withLock { $0 += 1 }
                }
            }
            try await clock.waitForSleepers(count: count)
            clock.advance(by: .milliseconds(count))
            try await group.waitForAll()
        }
        #expect(woken.withLock { $0 } == count)
        #expect(clock.sleeperCount == 0)
    }

    @Test func waitForSleepersIsCancellable() async throws {
        let clock = ManualClock()
        let waiter = Task { try await clock.waitForSleepers(count: 3) }
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.boundedValue() }
    }

    @Test func waitForSleepersReturnsAtOnceWhenEnough() async throws {
        let clock = ManualClock()
        try await clock.waitForSleepers(count: 0)
        let task = Task { try await clock.sleep(for: .seconds(1)) }
        try await clock.waitForSleepers()
        try await clock.waitForSleepers()
        clock.advance(by: .seconds(1))
        try await task.boundedValue()
    }

    @Test func wallClockFollowsManualTime() {
        let clock = ManualClock()
        let manual = ManualWallClock(clock: clock, epochSeconds: 1_700_000_000)
        let wall = manual.wallClock
        #expect(wall.nowMilliseconds == 1_700_000_000_000)
        #expect(wall.nowSeconds == 1_700_000_000)
        clock.advance(by: .milliseconds(1500))
        #expect(wall.nowMilliseconds == 1_700_000_001_500)
        #expect(wall.nowSeconds == 1_700_000_001)
        #expect(manual.nowMilliseconds == 1_700_000_001_500)
        let other = clock.makeWallClock(epochMilliseconds: 42)
        #expect(other.nowMilliseconds == 42 + 1500)
    }

    @Test func usableAsAnyClock() async throws {
        let clock = ManualClock()
        let erased: any Clock<Duration> = clock
        let task = Task { try await erased.sleep(for: .seconds(30)) }
        try await clock.waitForSleepers()
        clock.advance(by: .seconds(30))
        try await task.boundedValue()
    }
}
