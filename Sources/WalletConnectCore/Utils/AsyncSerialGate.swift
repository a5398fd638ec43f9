/// First-in, first-out mutual exclusion for the async sections of one actor, per key.
///
/// A value in the actor's own state, used only from that actor: ``tryEnter(_:)`` and ``park(_:_:)`` decide
/// synchronously (so no other call can slip between the decision and the reservation), ``leave(_:)`` hands the
/// gate to the next waiter, whose continuation the actor resumes (never under a lock: the actor holds none).
///
/// ```swift
/// if !gate.tryEnter(key) { await withCheckedContinuation { gate.park(key, $0) } }
/// defer { gate.leave(key)?.resume() }
/// ```
package struct AsyncSerialGate<Key: Hashable & Sendable>: Sendable {
    /// Present while a key is held; its waiters in arrival order.
    private var queues: [Key: [CheckedContinuation<Void, Never>]] = [:]

    /// Creates a gate with no key held.
    package init() {}

    /// Takes `key` when nobody holds it. Returns `false` when it is held: the caller then parks.
    package mutating func tryEnter(_ key: Key) -> Bool {
        guard queues[key] == nil else { return false }
        queues[key] = []
        return true
    }

    /// Queues a caller that found `key` held; it owns the gate once its continuation is resumed.
    package mutating func park(_ key: Key, _ continuation: CheckedContinuation<Void, Never>) {
        queues[key, default: []].append(continuation)
    }

    /// Releases `key`. Returns the next waiter, which now holds the gate: the caller must resume it.
    package mutating func leave(_ key: Key) -> CheckedContinuation<Void, Never>? {
        guard var waiters = queues[key] else { return nil }
        guard !waiters.isEmpty else {
            queues[key] = nil
            return nil
        }
        let next = waiters.removeFirst()
        queues[key] = waiters
        return next
    }

    /// How many callers wait for `key`.
    package func waiterCount(_ key: Key) -> Int { queues[key]?.count ?? 0 }

    /// Whether `key` is held.
    package func isHeld(_ key: Key) -> Bool { queues[key] != nil }
}
