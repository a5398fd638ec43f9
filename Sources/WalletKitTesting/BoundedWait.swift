/// Bounded waits for tests: await an event with a real-time limit instead of sleeping.
///
/// The limit is a safety net (a failing test ends instead of hanging); correct tests finish long before it.
public enum BoundedWait {
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

    private enum Outcome<T: Sendable>: Sendable {
        case value(T)
        case timedOut
    }

    /// Runs `operation`, cancelling it and throwing ``TimedOut`` when it takes longer than `limit` (real time).
    /// - Throws: ``TimedOut``, or the operation's error.
    public static func run<T: Sendable>(
        within limit: Duration = .seconds(10), _ operation: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        try await withThrowingTaskGroup(of: Outcome<T>.self) { group in
            group.addTask { .value(try await operation()) }
            group.addTask {
                try await ContinuousClock().sleep(for: limit)
                return .timedOut
            }
            defer { group.cancelAll() }
            guard case .value(let value)? = try await group.next() else { throw TimedOut(limit: limit) }
            return value
        }
    }

    /// The first element of `stream` matching `predicate`, within `limit` (real time).
    /// - Throws: ``TimedOut`` or ``StreamFinished``.
    public static func first<Element: Sendable>(
        in stream: AsyncStream<Element>, within limit: Duration = .seconds(10),
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
        _ count: Int, from stream: AsyncStream<Element>, within limit: Duration = .seconds(10),
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
