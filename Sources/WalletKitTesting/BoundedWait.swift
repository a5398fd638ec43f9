import Synchronization
import WalletConnectCore

/// Bounded waits for tests: await an event with a real-time limit instead of sleeping.
///
/// The limit is a safety net (a failing test ends instead of hanging); correct tests finish long before it.
public enum BoundedWait {
    /// The default limit of every wait: generous, because a loaded CI machine can be many times slower than a
    /// laptop, and a correct test never gets near it.
    public static let defaultLimit: Duration = .seconds(30)

    /// Thrown when an operation did not finish within its limit.
    public struct TimedOut: Error, Sendable, CustomStringConvertible {
        /// The limit that passed.
        public let limit: Duration
        /// Describes the limit.
        public var description: String { "operation did not finish within \(limit)" }
    }

    /// Thrown when a stream finished before an element matched.
    public struct StreamFinished: Error, Sendable, CustomStringConvertible {
        /// Describes the failure.
        public var description: String { "stream finished before a matching element arrived" }

        /// Creates the error.
        public init() {}
    }

    /// Runs `operation`, cancelling it and throwing ``TimedOut`` when it takes longer than `limit` (real time).
    ///
    /// The wait ends at the limit even when `operation` ignores cancellation (a loop that never checks it, or an
    /// awaited `Task.value`): the operation is cancelled and left to finish on its own, so a broken test fails
    /// with ``TimedOut`` instead of hanging the whole run. Cancelling the caller ends the wait the same way, with
    /// `CancellationError`.
    /// - Throws: ``TimedOut``, `CancellationError`, or the operation's error.
    public static func run<T: Sendable>(
        within limit: Duration = BoundedWait.defaultLimit, _ operation: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let outcome = OneShot<T>()
        let work = Task {
            do {
                outcome.resolve(.success(try await operation()))
            } catch {
                outcome.resolve(.failure(error))
            }
        }
        let timer = Task {
            guard (try? await ContinuousClock().sleep(for: limit)) != nil else { return }
            outcome.resolve(.failure(TimedOut(limit: limit)))
        }
        defer {
            work.cancel()
            timer.cancel()
        }
        return try await withTaskCancellationHandler {
            try await outcome.value()
        } onCancel: {
            outcome.resolve(.failure(CancellationError()))
        }
    }

    /// Waits until `condition` holds, checking it again after every yield, within `limit` (real time).
    ///
    /// For state that has no event to await. The loop stops as soon as the wait is cancelled or times out.
    /// - Throws: ``TimedOut``.
    public static func until(
        within limit: Duration = BoundedWait.defaultLimit, _ condition: @escaping @Sendable () async -> Bool
    ) async throws {
        try await run(within: limit) {
            while !(await condition()) {
                try Task.checkCancellation()
                await Task.yield()
            }
        }
    }

    /// The first element of `stream` matching `predicate`, within `limit` (real time).
    /// - Throws: ``TimedOut`` or ``StreamFinished``.
    public static func first<Element: Sendable>(
        in stream: AsyncStream<Element>, within limit: Duration = BoundedWait.defaultLimit,
        where predicate: @escaping @Sendable (Element) -> Bool = { _ in true }
    ) async throws -> Element {
        try await run(within: limit) {
            for await element in stream where predicate(element) { return element }
            throw StreamFinished()
        }
    }

    /// The next `count` elements of `stream` matching `predicate`, within `limit` (real time).
    /// - Throws: ``TimedOut`` or ``StreamFinished``.
    public static func collect<Element: Sendable>(
        _ count: Int, from stream: AsyncStream<Element>, within limit: Duration = BoundedWait.defaultLimit,
        where predicate: @escaping @Sendable (Element) -> Bool = { _ in true }
    ) async throws -> [Element] {
        try await run(within: limit) {
            var collected: [Element] = []
            guard count > 0 else { return collected }
            for await element in stream where predicate(element) {
                collected.append(element)
                if collected.count == count { return collected }
            }
            throw StreamFinished()
        }
    }
}

/// A result delivered once to one waiter: the first `resolve` wins, later ones are ignored.
private final class OneShot<T: Sendable>: Sendable {
    private struct State {
        var result: Result<T, any Error>?
        var waiter: CheckedContinuation<T, any Error>?
    }

    private let state = Locked(State())

    /// The continuation is taken out under the lock and resumed after it is released.
    func resolve(_ result: Result<T, any Error>) {
        let waiter: CheckedContinuation<T, any Error>? = state.withLock { state in
            guard state.result == nil else { return nil }
            state.result = result
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(with: result)
    }

    func value() async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let ready: Result<T, any Error>? = state.withLock { state in
                if let result = state.result { return result }
                state.waiter = continuation
                return nil
            }
            if let ready { continuation.resume(with: ready) }
        }
    }
}

/// Bounded waits for the value of a throwing task.
extension Task where Failure == any Error {
    /// The task's value, awaited for at most `limit` (real time); the task is cancelled when the limit passes.
    ///
    /// Awaiting `value` directly does not end when the awaiting test is cancelled; this does.
    /// - Throws: ``BoundedWait/TimedOut``, or the task's error.
    public func boundedValue(within limit: Duration = BoundedWait.defaultLimit) async throws -> Success {
        try await BoundedWait.run(within: limit) { try await self.value }
    }
}
