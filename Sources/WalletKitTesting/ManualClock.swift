import Synchronization
import WalletConnectCore

/// A `Clock` whose time only moves when a test calls ``advance(by:)`` or ``advance(to:)``.
///
/// - ``sleep(until:tolerance:)`` suspends until time reaches the deadline; it is cancellation-aware and
///   each sleeper resumes exactly once (on advance or on cancellation).
/// - ``waitForSleepers(count:within:)`` lets a test wait until code under test is parked in `sleep`, so tests
///   never need a real sleep to synchronise.
/// - ``makeWallClock(epochMilliseconds:)`` gives a `WallClock` driven by the same manual time.
public final class ManualClock: Clock, Sendable {
    /// A point in manual time: the offset from the clock's creation.
    public struct Instant: InstantProtocol, Hashable, Sendable, CustomStringConvertible {
        /// Time elapsed since the clock's start.
        public var offset: Duration

        /// Creates an instant at `offset` from the clock's start.
        public init(offset: Duration) { self.offset = offset }

        /// Returns this instant moved by `duration`.
        public func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }

        /// The duration from this instant to `other`.
        public func duration(to other: Instant) -> Duration { other.offset - offset }

        /// Orders instants by offset.
        public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }

        /// The offset, e.g. `Instant(5.0 seconds)`.
        public var description: String { "Instant(\(offset))" }
    }

    private struct Sleeper {
        var deadline: Instant
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct SleeperWaiter {
        var count: Int
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now = Instant(offset: .zero)
        var nextID: UInt64 = 0
        var sleepers: [UInt64: Sleeper] = [:]
        /// Ids cancelled before their continuation was registered.
        var cancelledEarly: Set<UInt64> = []
        var waiters: [UInt64: SleeperWaiter] = [:]
        var cancelledWaiters: Set<UInt64> = []
        var sleepCalls: Int = 0

        mutating func makeID() -> UInt64 {
            defer { nextID += 1 }
            return nextID
        }

        /// Removes and returns the waiters satisfied by the current number of sleepers.
        mutating func takeSatisfiedWaiters() -> [CheckedContinuation<Void, any Error>] {
            let ready = waiters.filter { sleepers.count >= $0.value.count }
            for id in ready.keys { waiters.removeValue(forKey: id) }
            return ready.values.map(\.continuation)
        }
    }

    private let state = Locked(State())

    /// Creates a clock at offset zero.
    public init() {}

    /// The current manual instant.
    public var now: Instant { state.withLock { $0.now } }

    /// The smallest step: one nanosecond.
    public var minimumResolution: Duration { .nanoseconds(1) }

    /// Number of tasks currently suspended in ``sleep(until:tolerance:)``.
    public var sleeperCount: Int { state.withLock { $0.sleepers.count } }

    /// Total number of `sleep` calls so far (including those that returned at once).
    public var sleepCallCount: Int { state.withLock { $0.sleepCalls } }

    /// The earliest deadline among current sleepers.
    public var nextDeadline: Instant? { state.withLock { $0.sleepers.values.map(\.deadline).min() } }

    /// Suspends until manual time reaches `deadline`.
    /// - Throws: `CancellationError` when the calling task is cancelled before the deadline is reached.
    public func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        try Task.checkCancellation()
        let id: UInt64? = state.withLock { state in
            state.sleepCalls += 1
            return state.now >= deadline ? nil : state.makeID()
        }
        guard let id else { return }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                enum Outcome { case registered([CheckedContinuation<Void, any Error>]), resume, cancel }
                let outcome: Outcome = state.withLock { state in
                    if state.cancelledEarly.remove(id) != nil { return .cancel }
                    if state.now >= deadline { return .resume }
                    state.sleepers[id] = Sleeper(deadline: deadline, continuation: continuation)
                    return .registered(state.takeSatisfiedWaiters())
                }
                switch outcome {
                case .registered(let waiters): for waiter in waiters { waiter.resume() }
                case .resume: continuation.resume()
                case .cancel: continuation.resume(throwing: CancellationError())
                }
            }
        } onCancel: {
            let continuation: CheckedContinuation<Void, any Error>? = state.withLock { state in
                if let sleeper = state.sleepers.removeValue(forKey: id) { return sleeper.continuation }
                state.cancelledEarly.insert(id)
                return nil
            }
            continuation?.resume(throwing: CancellationError())
        }
    }

    /// Moves time forward by `duration` and wakes every sleeper whose deadline is reached.
    public func advance(by duration: Duration) {
        precondition(duration >= .zero, "ManualClock cannot go backwards")
        let target = state.withLock { $0.now.advanced(by: duration) }
        advance(to: target)
    }

    /// Moves time to `instant` (no effect if it is in the past) and wakes every sleeper whose deadline is reached.
    ///
    /// Sleepers are resumed in deadline order.
    public func advance(to instant: Instant) {
        let due: [CheckedContinuation<Void, any Error>] = state.withLock { state in
            if instant > state.now { state.now = instant }
            let now = state.now
            let ready = state.sleepers.filter { $0.value.deadline <= now }.sorted {
                ($0.value.deadline, $0.key) < ($1.value.deadline, $1.key)
            }
            for (id, _) in ready { state.sleepers.removeValue(forKey: id) }
            // In the `cancelledEarly` race the id was never registered, so nothing to clean here.
            return ready.map(\.value.continuation)
        }
        for continuation in due { continuation.resume() }
    }

    /// Moves time forward to the earliest sleeper's deadline, if any. Returns whether a sleeper was woken.
    @discardableResult
    public func advanceToNextDeadline() -> Bool {
        guard let next = nextDeadline else { return false }
        advance(to: next)
        return true
    }

    /// Suspends until at least `count` tasks are suspended in ``sleep(until:tolerance:)``, within `limit` (real
    /// time).
    ///
    /// Use it before ``advance(by:)`` so the code under test is known to be waiting on this clock. The limit turns
    /// a sleeper that never comes (code that finished another way, or never reached its sleep) into a
    /// ``BoundedWait/TimedOut`` naming the wait, instead of a hang that only the test's time limit ends.
    /// - Throws: ``BoundedWait/TimedOut``, or `CancellationError` when the calling task is cancelled first.
    public func waitForSleepers(count: Int = 1, within limit: Duration = BoundedWait.defaultLimit) async throws {
        if sleeperCount >= count { return }
        try await BoundedWait.run(within: limit) { [self] in try await self.parkUntilSleepers(count: count) }
    }

    private func parkUntilSleepers(count: Int) async throws {
        try Task.checkCancellation()
        let id: UInt64? = state.withLock { state in
            state.sleepers.count >= count ? nil : state.makeID()
        }
        guard let id else { return }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                enum Outcome { case registered, resume, cancel }
                let outcome: Outcome = state.withLock { state in
                    if state.cancelledWaiters.remove(id) != nil { return .cancel }
                    if state.sleepers.count >= count { return .resume }
                    state.waiters[id] = SleeperWaiter(count: count, continuation: continuation)
                    return .registered
                }
                switch outcome {
                case .registered: break
                case .resume: continuation.resume()
                case .cancel: continuation.resume(throwing: CancellationError())
                }
            }
        } onCancel: {
            let continuation: CheckedContinuation<Void, any Error>? = state.withLock { state in
                if let waiter = state.waiters.removeValue(forKey: id) { return waiter.continuation }
                state.cancelledWaiters.insert(id)
                return nil
            }
            continuation?.resume(throwing: CancellationError())
        }
    }

    /// A `WallClock` reading `epochMilliseconds` plus this clock's elapsed time.
    public func makeWallClock(epochMilliseconds: Int64) -> WallClock {
        ManualWallClock(clock: self, epochMilliseconds: epochMilliseconds).wallClock
    }
}

/// Wall time driven by a ``ManualClock``: a fixed Unix epoch offset plus the manual clock's elapsed time.
///
/// Advancing the manual clock moves both the `Clock` used for timeouts and the wall time used for expiries.
public struct ManualWallClock: Sendable {
    /// The manual clock that drives this wall time.
    public let clock: ManualClock
    /// Unix milliseconds at manual offset zero.
    public let epochMilliseconds: Int64

    /// Creates wall time starting at `epochMilliseconds` (default 2025-01-01T00:00:00Z).
    public init(clock: ManualClock, epochMilliseconds: Int64 = 1_735_689_600_000) {
        self.clock = clock
        self.epochMilliseconds = epochMilliseconds
    }

    /// Creates wall time starting at `epochSeconds` (whole seconds).
    public init(clock: ManualClock, epochSeconds: Int64) {
        self.init(clock: clock, epochMilliseconds: epochSeconds * 1000)
    }

    /// Current Unix milliseconds.
    public var nowMilliseconds: Int64 {
        let (seconds, attoseconds) = clock.now.offset.components
        return epochMilliseconds + seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }

    /// Current whole Unix seconds.
    public var nowSeconds: Int64 { nowMilliseconds / 1000 }

    /// A `WallClock` to inject into the code under test.
    public var wallClock: WallClock {
        let clock = self.clock
        let epoch = epochMilliseconds
        return WallClock {
            let (seconds, attoseconds) = clock.now.offset.components
            return epoch + seconds * 1000 + attoseconds / 1_000_000_000_000_000
        }
    }
}
