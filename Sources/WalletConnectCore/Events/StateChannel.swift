import Synchronization

/// A current value and its broadcast, for state streams (connection state, lifecycle state).
///
/// - A new subscriber's stream starts with the current value and never misses a later change; each subscriber
///   gets every value at most once, in the order the values were set (with one setter at a time, every value;
///   under concurrent setters an intermediate one may be skipped, never the last).
/// - No continuation is yielded to or finished while the lock is held: a setter records the value under the lock,
///   and whichever caller finds no delivery in progress delivers outside it, looping until nothing is left. A
///   subscriber's `onTermination` (which may run while the runtime holds its task's status lock) only takes the
///   lock to deregister, so the two can never wait on each other.
package final class StateChannel<Value: Sendable & Equatable>: Sendable {
    private struct Subscriber {
        let continuation: AsyncStream<Value>.Continuation
        /// The version of the last value this subscriber was given (0: none yet).
        var deliveredVersion: UInt64
    }

    private struct State {
        var value: Value
        var version: UInt64 = 1
        var subscribers: [UInt64: Subscriber] = [:]
        var nextID: UInt64 = 0
        var isDelivering = false
        var finishRequested = false
        var isFinished = false
    }

    /// What one round of delivery does, decided under the lock.
    private enum Round {
        case deliver(Value, [AsyncStream<Value>.Continuation])
        case finish([AsyncStream<Value>.Continuation])
        case done
    }

    private let state: Locked<State>
    private let bufferSize: Int

    /// Creates a channel holding `initial`; each subscriber keeps the newest `bufferSize` undelivered values.
    package init(_ initial: Value, bufferSize: Int = 1) {
        self.state = Locked(State(value: initial))
        self.bufferSize = max(1, bufferSize)
    }

    /// The current value.
    package var current: Value { state.withLock { $0.value } }

    /// Sets the value (nothing happens when `accept(current, new)` is false, or after ``finish()``).
    /// - Returns: Whether the value changed.
    @discardableResult
    package func set(_ new: Value, when accept: (Value, Value) -> Bool = { $0 != $1 }) -> Bool {
        let changed = state.withLock { state in
            guard !state.isFinished, !state.finishRequested, accept(state.value, new) else { return false }
            state.value = new
            state.version += 1
            return true
        }
        if changed { deliver() }
        return changed
    }

    /// A stream that starts with the current value.
    package func subscribe() -> AsyncStream<Value> {
        let (stream, continuation) = AsyncStream<Value>.makeStream(bufferingPolicy: .bufferingNewest(bufferSize))
        let id: UInt64? = state.withLock { state in
            guard !state.isFinished, !state.finishRequested else { return nil }
            let id = state.nextID
            state.nextID += 1
            state.subscribers[id] = Subscriber(continuation: continuation, deliveredVersion: 0)
            return id
        }
        guard let id else {
            continuation.yield(current)
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in
            self?.remove(id)
        }
        deliver()
        return stream
    }

    /// Ends every stream once the current value has been delivered; later values and subscribers are refused
    /// (a late subscriber gets the final value and an ended stream).
    package func finish() {
        state.withLock { $0.finishRequested = true }
        deliver()
    }

    /// Number of live subscribers.
    package var subscriberCount: Int { state.withLock { $0.subscribers.count } }

    private func remove(_ id: UInt64) {
        _ = state.withLock { $0.subscribers.removeValue(forKey: id) }
    }

    /// Delivers until nothing is owed, unless another caller is already delivering (it will see this change).
    private func deliver() {
        let starts = state.withLock { state in
            guard !state.isDelivering else { return false }
            state.isDelivering = true
            return true
        }
        guard starts else { return }
        while true {
            switch nextRound() {
            case .deliver(let value, let continuations):
                for continuation in continuations { continuation.yield(value) }
            case .finish(let continuations):
                for continuation in continuations { continuation.finish() }
                return
            case .done:
                return
            }
        }
    }

    private func nextRound() -> Round {
        state.withLock { state in
            let version = state.version
            var owed: [AsyncStream<Value>.Continuation] = []
            for (id, subscriber) in state.subscribers where subscriber.deliveredVersion < version {
                owed.append(subscriber.continuation)
                state.subscribers[id]?.deliveredVersion = version
            }
            if !owed.isEmpty { return .deliver(state.value, owed) }
            state.isDelivering = false
            guard state.finishRequested, !state.isFinished else { return .done }
            state.isFinished = true
            let all = state.subscribers.values.map(\.continuation)
            state.subscribers.removeAll()
            return .finish(all)
        }
    }
}
