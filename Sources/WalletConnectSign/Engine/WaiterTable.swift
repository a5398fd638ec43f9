import Synchronization
import WalletConnectCore

/// Continuations waiting for a value keyed by JSON-RPC id; each resumes exactly once.
///
/// Register a slot *before* sending the request (``register(_:)``), then ``wait(_:)``: a value that arrives
/// in between is kept in the slot. A slot ends on a value, an error (timeout, peer error, shutdown) or
/// cancellation of the waiting task — whichever comes first; later resumptions are ignored.
final class WaiterTable<Value: Sendable>: Sendable {
    private enum Slot {
        case registered
        case waiting(CheckedContinuation<Value, any Error>)
        case finished(Result<Value, any Error>)
    }

    private struct State {
        var slots: [Int64: Slot] = [:]
        var shutdownError: (any Error)?
    }

    private let state = Locked(State())

    init() {}

    /// Opens a slot for `id`. Returns `false` when the table is shut down or `id` is already registered.
    @discardableResult
    func register(_ id: Int64) -> Bool {
        state.withLock { state in
            guard state.shutdownError == nil, state.slots[id] == nil else { return false }
            state.slots[id] = .registered
            return true
        }
    }

    /// Whether a slot is open (registered or waiting) for `id`.
    func isRegistered(_ id: Int64) -> Bool {
        state.withLock { state in
            switch state.slots[id] {
            case .registered, .waiting: true
            default: false
            }
        }
    }

    /// Ids with an open slot.
    var registeredIDs: [Int64] {
        state.withLock { state in
            state.slots.compactMap { id, slot in
                if case .finished = slot { return nil }
                return id
            }
        }
    }

    /// Resolves the slot of `id` with `result`. Returns `false` when there is no open slot (unknown id or
    /// already resolved).
    @discardableResult
    func resume(_ id: Int64, with result: Result<Value, any Error>) -> Bool {
        var resolved = false
        let continuation: CheckedContinuation<Value, any Error>? = state.withLock { state in
            switch state.slots[id] {
            case .registered:
                state.slots[id] = .finished(result)
                resolved = true
                return nil
            case .waiting(let continuation):
                state.slots.removeValue(forKey: id)
                resolved = true
                return continuation
            case .finished, nil:
                return nil
            }
        }
        continuation?.resume(with: result)
        return resolved
    }

    /// Waits for the value of `id` (which must have been registered).
    /// - Throws: The error the slot was resolved with, `CancellationError`, or the shutdown error.
    func wait(_ id: Int64) async throws -> Value {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Value, any Error>) in
                // nil: parked; otherwise resume at once with the result.
                let immediate: Result<Value, any Error>? = state.withLock { state in
                    switch state.slots[id] {
                    case .registered:
                        state.slots[id] = .waiting(continuation)
                        return nil
                    case .finished(let result):
                        state.slots.removeValue(forKey: id)
                        return result
                    case .waiting:
                        return .failure(WaiterTableError.alreadyWaiting)
                    case nil:
                        return .failure(state.shutdownError ?? WaiterTableError.notRegistered)
                    }
                }
                if let immediate { continuation.resume(with: immediate) }
            }
        } onCancel: {
            cancel(id)
        }
    }

    /// Ends the slot of `id` with `CancellationError` (no effect when already resolved).
    func cancel(_ id: Int64) {
        resume(id, with: .failure(CancellationError()))
    }

    /// Drops the slot of `id` without resuming anyone waiting on it later (used when the send failed).
    func discard(_ id: Int64) {
        let continuation: CheckedContinuation<Value, any Error>? = state.withLock { state in
            guard case .waiting(let continuation) = state.slots.removeValue(forKey: id) else { return nil }
            return continuation
        }
        continuation?.resume(throwing: CancellationError())
    }

    /// Fails every open slot with `error` and refuses new registrations.
    func shutdown(with error: any Error) {
        let continuations: [CheckedContinuation<Value, any Error>] = state.withLock { state in
            state.shutdownError = error
            var parked: [CheckedContinuation<Value, any Error>] = []
            for (id, slot) in state.slots {
                switch slot {
                case .waiting(let continuation):
                    parked.append(continuation)
                    state.slots.removeValue(forKey: id)
                case .registered:
                    state.slots[id] = .finished(.failure(error))
                case .finished:
                    break
                }
            }
            return parked
        }
        for continuation in continuations { continuation.resume(throwing: error) }
    }
}

/// Misuse of a ``WaiterTable``.
enum WaiterTableError: Error, Sendable {
    case notRegistered
    case alreadyWaiting
}
