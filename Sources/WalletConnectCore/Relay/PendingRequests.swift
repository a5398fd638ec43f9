import Synchronization

/// The table of relay calls awaiting an answer: id → waiter, in a `Locked` so task-cancellation handlers can
/// resolve entries synchronously.
///
/// Life of an entry: ``register(_:)`` (before anything is sent) → ``markSent(_:generation:)`` → ``wait(_:)``
/// (attaches the continuation, or returns at once when an outcome is already buffered) → ``remove(_:)``.
/// Each attached continuation is resumed exactly once: by a response, by the loss of the connection it was sent
/// on, by cancellation, or by ``failAll(_:)``.
final class PendingRequests: Sendable {
    /// What a wait ends with.
    enum Outcome: Sendable {
        case response(JSONRPCResponse)
        /// The connection the request was sent on dropped before an answer came: send again.
        case disconnected
    }

    private struct Entry {
        var continuation: CheckedContinuation<Outcome, any Error>?
        var buffered: Result<Outcome, any Error>?
        var generation: UInt64?
        var cancelled = false
    }

    private struct State {
        var entries: [RPCID: Entry] = [:]
        var failure: (any Error)?
    }

    private let state = Locked(State())

    /// Number of calls in flight.
    var count: Int { state.withLock { $0.entries.count } }

    /// Registers `id` so an answer that arrives before ``wait(_:)`` is kept.
    func register(_ id: RPCID) {
        state.withLock { state in
            var entry = Entry()
            if let failure = state.failure { entry.buffered = .failure(failure) }
            state.entries[id] = entry
        }
    }

    /// Records the connection generation the request is about to be sent on; clears a stale disconnect.
    func markSent(_ id: RPCID, generation: UInt64) {
        state.withLock { state in
            guard var entry = state.entries[id] else { return }
            entry.generation = generation
            if case .success(.disconnected) = entry.buffered { entry.buffered = nil }
            state.entries[id] = entry
        }
    }

    /// Waits for the outcome of `id`. Throws `CancellationError` when the task is cancelled, or the
    /// ``failAll(_:)`` error.
    func wait(_ id: RPCID) async throws -> Outcome {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Outcome, any Error>) in
                let ready: Result<Outcome, any Error>? = state.withLock { state in
                    guard var entry = state.entries[id] else { return .failure(CancellationError()) }
                    if entry.cancelled { return .failure(CancellationError()) }
                    if let buffered = entry.buffered {
                        entry.buffered = nil
                        state.entries[id] = entry
                        return buffered
                    }
                    entry.continuation = continuation
                    state.entries[id] = entry
                    return nil
                }
                if let ready { continuation.resume(with: ready) }
            }
        } onCancel: {
            resolve(id) { entry in
                entry.cancelled = true
                return .failure(CancellationError())
            }
        }
    }

    /// Delivers a relay response. Returns `false` when no call waits for that id.
    @discardableResult
    func deliver(_ response: JSONRPCResponse) -> Bool {
        resolve(response.id) { _ in .success(.response(response)) }
    }

    /// Tells every call sent on connection `generation` that it must be sent again.
    func connectionLost(generation: UInt64) {
        let resumes: [(CheckedContinuation<Outcome, any Error>, Result<Outcome, any Error>)] = state.withLock {
            state in
            var out: [(CheckedContinuation<Outcome, any Error>, Result<Outcome, any Error>)] = []
            for (id, var entry) in state.entries where entry.generation == generation {
                if let continuation = entry.continuation {
                    entry.continuation = nil
                    out.append((continuation, .success(.disconnected)))
                } else if entry.buffered == nil {
                    entry.buffered = .success(.disconnected)
                }
                state.entries[id] = entry
            }
            return out
        }
        for (continuation, result) in resumes { continuation.resume(with: result) }
    }

    /// Fails every call, now and later (shutdown or fatal close).
    func failAll(_ error: any Error) {
        let continuations: [CheckedContinuation<Outcome, any Error>] = state.withLock { state in
            state.failure = error
            var out: [CheckedContinuation<Outcome, any Error>] = []
            for (id, var entry) in state.entries {
                if let continuation = entry.continuation {
                    entry.continuation = nil
                    out.append(continuation)
                } else {
                    entry.buffered = .failure(error)
                }
                state.entries[id] = entry
            }
            return out
        }
        for continuation in continuations { continuation.resume(throwing: error) }
    }

    /// Forgets `id`; a waiter still attached (should not happen) is cancelled.
    func remove(_ id: RPCID) {
        let continuation = state.withLock { $0.entries.removeValue(forKey: id)?.continuation }
        continuation?.resume(throwing: CancellationError())
    }

    @discardableResult
    private func resolve(_ id: RPCID, _ outcome: (inout Entry) -> Result<Outcome, any Error>) -> Bool {
        let action: (CheckedContinuation<Outcome, any Error>?, Result<Outcome, any Error>)? = state.withLock {
            state in
            guard var entry = state.entries[id] else { return nil }
            let result = outcome(&entry)
            let continuation = entry.continuation
            entry.continuation = nil
            if continuation == nil { entry.buffered = result }
            state.entries[id] = entry
            return (continuation, result)
        }
        guard let action else { return false }
        action.0?.resume(with: action.1)
        return true
    }
}
