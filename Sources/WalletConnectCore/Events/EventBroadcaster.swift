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
///
/// No continuation is yielded to, finished or resumed while the broadcaster's lock is held: the lock only guards
/// the subscriber table, which ``yield(_:)`` copies before it delivers. A subscriber's `onTermination` runs while
/// the Swift runtime holds its task's status lock (when the task is cancelled) and takes the broadcaster's lock to
/// deregister; delivering under that lock would need the same task status lock in the other order, a deadlock.
/// Events from one producer (an actor, or any caller that yields one event after another) arrive in order at
/// every subscriber. A subscriber deregistered while an event is being delivered may still receive it, or not.
package final class EventBroadcaster<Event: Sendable>: Sendable {
    private struct State {
        var nextID: UInt64 = 0
        var subscribers: [UInt64: AsyncStream<Event>.Continuation] = [:]
        /// The continuations of `subscribers`, rebuilt only when a subscriber comes or goes, so a broadcast copies
        /// an array reference under the lock and nothing else.
        var snapshot: [AsyncStream<Event>.Continuation] = []
        var isFinished = false
        var dropped: UInt64 = 0

        mutating func rebuildSnapshot() {
            snapshot = Array(subscribers.values)
        }
    }

    private let state = Locked(State())
    private let defaultPolicy: AsyncStream<Event>.Continuation.BufferingPolicy

    /// Creates a broadcaster.
    /// - Parameter bufferSize: the buffer of ``subscribe()`` streams (oldest events kept); `nil`, the default,
    ///   means unbounded: nothing is ever dropped.
    package init(bufferSize: Int? = nil) {
        self.defaultPolicy = bufferSize.map { .bufferingOldest(max(1, $0)) } ?? .unbounded
    }

    /// Subscribes with the broadcaster's buffer: unbounded (lossless) unless a `bufferSize` was given at creation.
    package func subscribe() -> AsyncStream<Event> {
        makeStream(policy: defaultPolicy)
    }

    /// Subscribes with a buffer that keeps the oldest `bufferSize` undelivered events.
    package func subscribe(bufferingOldest bufferSize: Int) -> AsyncStream<Event> {
        makeStream(policy: .bufferingOldest(max(1, bufferSize)))
    }

    /// Subscribes with a buffer that keeps only the newest `bufferSize` events (for state streams).
    package func subscribe(bufferingNewest bufferSize: Int) -> AsyncStream<Event> {
        makeStream(policy: .bufferingNewest(max(1, bufferSize)))
    }

    /// Subscribes and yields `initial` first, atomically with registration (no event can slip between).
    package func subscribe(startingWith initial: Event, bufferingNewest bufferSize: Int = 1) -> AsyncStream<Event> {
        makeStream(policy: .bufferingNewest(bufferSize), initial: initial)
    }

    private func makeStream(policy: AsyncStream<Event>.Continuation.BufferingPolicy, initial: Event? = nil)
        -> AsyncStream<Event>
    {
        let (stream, continuation) = AsyncStream<Event>.makeStream(bufferingPolicy: policy)
        // The initial value goes in before registration, outside the lock: nobody else can reach this continuation
        // yet, and every event yielded after registration follows it.
        if let initial { continuation.yield(initial) }
        let id: UInt64? = state.withLock { state in
            guard !state.isFinished else { return nil }
            let id = state.nextID
            state.nextID += 1
            state.subscribers[id] = continuation
            state.rebuildSnapshot()
            return id
        }
        guard let id else {
            continuation.finish()
            return stream
        }
        // Set outside the lock: on an already terminated stream `onTermination` runs at once, and it takes the lock.
        continuation.onTermination = { [weak self] _ in
            self?.remove(id)
        }
        return stream
    }

    /// Deregisters a subscriber. Called from `onTermination`, possibly while the runtime holds the subscriber's
    /// task status lock: it takes only the table lock, which is never held while a continuation is touched.
    private func remove(_ id: UInt64) {
        state.withLock { state in
            guard state.subscribers.removeValue(forKey: id) != nil else { return }
            state.rebuildSnapshot()
        }
    }

    /// Sends an event to every current subscriber. Returns the number of subscribers that received it.
    ///
    /// The subscriber table is copied under the lock and the event delivered after it is released.
    @discardableResult
    package func yield(_ event: Event) -> Int {
        let subscribers = state.withLock { $0.snapshot }
        var delivered = 0
        var dropped: UInt64 = 0
        for continuation in subscribers {
            switch continuation.yield(event) {
            case .enqueued: delivered += 1
            case .dropped: dropped += 1
            case .terminated: break
            @unknown default: break
            }
        }
        if dropped > 0 { state.withLock { $0.dropped += dropped } }
        return delivered
    }

    /// Ends every subscriber's stream and refuses new subscribers.
    package func finish() {
        let continuations = state.withLock { state in
            state.isFinished = true
            let all = state.snapshot
            state.subscribers.removeAll()
            state.snapshot = []
            return all
        }
        for continuation in continuations { continuation.finish() }
    }

    /// Number of live subscribers.
    package var subscriberCount: Int { state.withLock { $0.subscribers.count } }

    /// Events dropped because a subscriber's buffer was full.
    package var droppedCount: UInt64 { state.withLock { $0.dropped } }

    /// Whether ``finish()`` has been called.
    package var isFinished: Bool { state.withLock { $0.isFinished } }
}
