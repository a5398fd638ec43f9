import Synchronization

/// One broadcast channel used by every controller: many subscribers, one `AsyncStream` each.
///
/// - Each ``subscribe(bufferingNewest:)`` / ``subscribe(bufferingOldest:)`` call makes its own stream,
///   so two loops never split events between them.
/// - ``subscribe()`` is lossless: its buffer is unbounded, so a consumer that falls behind (a slow handler, a
///   starved CPU) still receives every event, in order. The events that matter are also held by the stores
///   (pending requests, proposals, unhandled relay messages), so the buffer holds no more than they do.
/// - A bounded buffer is opt-in (``subscribe(bufferingOldest:)``, ``subscribe(bufferingNewest:)``, or a
///   `bufferSize` at creation); an event that does not fit it is dropped for that subscriber and counted in
///   ``droppedCount``.
/// - Ending iteration (or cancelling the task iterating) deregisters the subscriber synchronously.
/// - ``finish()`` ends every stream and refuses new subscribers (their streams finish at once).
public final class EventBroadcaster<Event: Sendable>: Sendable {
    private struct State {
        var nextID: UInt64 = 0
        var subscribers: [UInt64: AsyncStream<Event>.Continuation] = [:]
        var isFinished = false
        var dropped: UInt64 = 0
    }

    private let state = Mutex(State())
    private let defaultPolicy: AsyncStream<Event>.Continuation.BufferingPolicy

    /// Creates a broadcaster.
    /// - Parameter bufferSize: the buffer of ``subscribe()`` streams (oldest events kept); `nil`, the default,
    ///   means unbounded: nothing is ever dropped.
    public init(bufferSize: Int? = nil) {
        self.defaultPolicy = bufferSize.map { .bufferingOldest(max(1, $0)) } ?? .unbounded
    }

    /// Subscribes with the broadcaster's buffer: unbounded (lossless) unless a `bufferSize` was given at creation.
    public func subscribe() -> AsyncStream<Event> {
        makeStream(policy: defaultPolicy)
    }

    /// Subscribes with a buffer that keeps the oldest `bufferSize` undelivered events.
    public func subscribe(bufferingOldest bufferSize: Int) -> AsyncStream<Event> {
        makeStream(policy: .bufferingOldest(max(1, bufferSize)))
    }

    /// Subscribes with a buffer that keeps only the newest `bufferSize` events (for state streams).
    public func subscribe(bufferingNewest bufferSize: Int) -> AsyncStream<Event> {
        makeStream(policy: .bufferingNewest(max(1, bufferSize)))
    }

    /// Subscribes and yields `initial` first, atomically with registration (no event can slip between).
    public func subscribe(startingWith initial: Event, bufferingNewest bufferSize: Int = 1) -> AsyncStream<Event> {
        makeStream(policy: .bufferingNewest(bufferSize), initial: initial)
    }

    private func makeStream(policy: AsyncStream<Event>.Continuation.BufferingPolicy, initial: Event? = nil)
        -> AsyncStream<Event>
    {
        let (stream, continuation) = AsyncStream<Event>.makeStream(bufferingPolicy: policy)
        let registered: Bool = state.withLock { state in
            guard !state.isFinished else { return false }
            let id = state.nextID
            state.nextID += 1
            state.subscribers[id] = continuation
            if let initial { continuation.yield(initial) }
            continuation.onTermination = { [weak self] _ in
                self?.remove(id)
            }
            return true
        }
        if !registered { continuation.finish() }
        return stream
    }

    private func remove(_ id: UInt64) {
        _ = state.withLock { $0.subscribers.removeValue(forKey: id) }
    }

    /// Sends an event to every current subscriber. Returns the number of subscribers that received it.
    @discardableResult
    public func yield(_ event: Event) -> Int {
        state.withLock { state in
            var delivered = 0
            for continuation in state.subscribers.values {
                switch continuation.yield(event) {
                case .enqueued: delivered += 1
                case .dropped: state.dropped += 1
                case .terminated: break
                @unknown default: break
                }
            }
            return delivered
        }
    }

    /// Ends every subscriber's stream and refuses new subscribers.
    public func finish() {
        let continuations = state.withLock { state in
            state.isFinished = true
            let all = Array(state.subscribers.values)
            state.subscribers.removeAll()
            return all
        }
        for continuation in continuations { continuation.finish() }
    }

    /// Number of live subscribers.
    public var subscriberCount: Int { state.withLock { $0.subscribers.count } }

    /// Events dropped because a subscriber's buffer was full.
    public var droppedCount: UInt64 { state.withLock { $0.dropped } }

    /// Whether ``finish()`` has been called.
    public var isFinished: Bool { state.withLock { $0.isFinished } }
}
