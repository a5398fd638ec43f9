import Synchronization
import WalletConnectCore

/// A value announced once to any number of waiters; waiting is cancellation-aware (a cancelled waiter gets `nil`).
package final class OneShotSignal<Value: Sendable>: Sendable {
    private struct State {
        var value: Value?
        var waiters: [AsyncStream<Value>.Continuation] = []
    }

    private let state = Locked(State())

    package init() {}

    /// The value, once announced.
    package var value: Value? { state.withLock { $0.value } }

    /// Announces `value` to every waiter; later calls are ignored. Returns whether this call announced it.
    @discardableResult
    package func resolve(_ value: Value) -> Bool {
        let waiters: [AsyncStream<Value>.Continuation]? = state.withLock { state in
            guard state.value == nil else { return nil }
            state.value = value
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        guard let waiters else { return false }
        for waiter in waiters {
            waiter.yield(value)
            waiter.finish()
        }
        return true
    }

    /// Waits for the value; `nil` when the waiting task is cancelled first.
    package func wait() async -> Value? {
        let (stream, continuation) = AsyncStream<Value>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let immediate: Value? = state.withLock { state in
            if let value = state.value { return value }
            state.waiters.append(continuation)
            return nil
        }
        if let immediate { return immediate }
        for await value in stream { return value }
        return nil
    }
}
