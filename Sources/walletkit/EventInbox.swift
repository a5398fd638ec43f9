import Synchronization
import WalletConnectCore
import WalletConnectSign

/// Buffers a client's events so a step can wait for the first one it cares about (the demo's steps).
///
/// ``pump(_:)`` feeds it from `SignClient.events()` or `WalletKit.signEvents`; ``next(_:within:_:)`` takes the first buffered or future
/// event the matcher accepts, within a deadline. Events nobody took stay buffered.
final class EventInbox: Sendable {
    private struct State {
        var buffer: [SignEvent] = []
        var finished = false
        var waiters: [Int: AsyncStream<Void>.Continuation] = [:]
        var nextWaiter = 0
    }

    private let state = Locked(State())

    /// Delivers every event of `events` until it ends.
    func pump(_ events: some AsyncSequence<SignEvent, Never>) async {
        for await event in events { update { $0.buffer.append(event) } }
        update { $0.finished = true }
    }

    private func update(_ change: (inout State) -> Void) {
        let waiters = state.withLock { state -> [AsyncStream<Void>.Continuation] in
            change(&state)
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.yield() }
    }

    /// Removes and returns the first event `match` maps to a value, waiting up to `limit`.
    /// - Throws: ``CLIError`` when the limit passes or the events end first; `CancellationError`.
    func next<T: Sendable>(
        _ what: String, within limit: Duration, _ match: @escaping @Sendable (SignEvent) -> T?
    ) async throws -> T {
        let deadline = ContinuousClock.now + limit
        while true {
            let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
            let (found, finished, id) = state.withLock { state -> (T?, Bool, Int) in
                for (index, event) in state.buffer.enumerated() {
                    if let value = match(event) {
                        state.buffer.remove(at: index)
                        return (value, false, 0)
                    }
                }
                state.nextWaiter += 1
                state.waiters[state.nextWaiter] = continuation
                return (nil, state.finished, state.nextWaiter)
            }
            if let found { return found }
            defer { _ = state.withLock { $0.waiters.removeValue(forKey: id) } }
            if finished { throw CLIError("the client stopped before \(what)") }
            let signalled = await withTaskGroup(of: Bool.self, returning: Bool.self) { group in
                group.addTask {
                    for await _ in stream { return true }
                    return false
                }
                group.addTask {
                    try? await ContinuousClock().sleep(until: deadline)
                    return false
                }
                let first = await group.next() ?? false
                group.cancelAll()
                return first
            }
            try Task.checkCancellation()
            if !signalled && ContinuousClock.now >= deadline { throw CLIError("no \(what) within \(limit)") }
        }
    }
}
