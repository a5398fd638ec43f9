import Synchronization

/// Where calls wait for an open relay connection. State in a `Locked`; each waiter resumes exactly once
/// (connection opened, relayer failed, or its task cancelled).
final class ConnectionGate: Sendable {
    /// An open connection and its generation number (grows by one per connection).
    struct Open: Sendable {
        var connection: any RelayConnection
        var generation: UInt64
    }

    private struct Waiter {
        var newerThan: UInt64
        /// `nil` until the waiting task attached it.
        var continuation: CheckedContinuation<Open, any Error>?
    }

    private struct State {
        var open: Open?
        var failure: (any Error)?
        var nextWaiterID: UInt64 = 0
        /// A slot is created before waiting; a missing slot at attach time means "cancelled".
        var waiters: [UInt64: Waiter] = [:]
    }

    private let state = Locked(State())

    /// The open connection, if any.
    var current: Open? { state.withLock { $0.open } }

    /// Opens the gate with `open` and releases every waiter that accepts its generation.
    func open(_ open: Open) {
        let released: [CheckedContinuation<Open, any Error>] = state.withLock { state in
            guard state.failure == nil else { return [] }
            state.open = open
            var out: [CheckedContinuation<Open, any Error>] = []
            for (id, waiter) in state.waiters where waiter.newerThan < open.generation {
                guard let continuation = waiter.continuation else { continue }
                out.append(continuation)
                state.waiters[id] = nil
            }
            return out
        }
        for continuation in released { continuation.resume(returning: open) }
    }

    /// Closes the gate if `generation` is still the open connection.
    func close(generation: UInt64) {
        state.withLock { state in
            if state.open?.generation == generation { state.open = nil }
        }
    }

    /// Fails every waiter, now and later.
    func fail(_ error: any Error) {
        let waiters: [CheckedContinuation<Open, any Error>] = state.withLock { state in
            state.failure = error
            state.open = nil
            let all = state.waiters.values.compactMap(\.continuation)
            state.waiters = state.waiters.filter { $0.value.continuation == nil }
            return all
        }
        for continuation in waiters { continuation.resume(throwing: error) }
    }

    /// Waits for an open connection whose generation is greater than `newerThan`.
    func wait(newerThan: UInt64 = 0) async throws -> Open {
        let id = state.withLock { state in
            let id = state.nextWaiterID
            state.nextWaiterID += 1
            state.waiters[id] = Waiter(newerThan: newerThan, continuation: nil)
            return id
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Open, any Error>) in
                let ready: Result<Open, any Error>? = state.withLock { state in
                    guard state.waiters[id] != nil else { return .failure(CancellationError()) }
                    if let failure = state.failure {
                        state.waiters[id] = nil
                        return .failure(failure)
                    }
                    if let open = state.open, open.generation > newerThan {
                        state.waiters[id] = nil
                        return .success(open)
                    }
                    state.waiters[id]?.continuation = continuation
                    return nil
                }
                if let ready { continuation.resume(with: ready) }
            }
        } onCancel: {
            let continuation = state.withLock { $0.waiters.removeValue(forKey: id)?.continuation }
            continuation?.resume(throwing: CancellationError())
        }
    }
}
