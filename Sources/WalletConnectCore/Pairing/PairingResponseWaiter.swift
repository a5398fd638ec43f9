import Synchronization

/// A one-shot slot for the response to one outgoing pairing request.
///
/// ``fulfill(_:)`` may come before or after ``value()``; the waiting continuation resumes exactly once
/// (with the response, or `CancellationError` when the waiting task is cancelled).
final class PairingResponseWaiter: Sendable {
    private enum State {
        case empty
        case waiting(CheckedContinuation<JSONRPCResponse, any Error>)
        case done(Result<JSONRPCResponse, any Error>)
        case consumed
    }

    private let state = Locked(State.empty)

    /// Delivers the outcome; later calls are ignored.
    func fulfill(_ result: Result<JSONRPCResponse, any Error>) {
        let continuation: CheckedContinuation<JSONRPCResponse, any Error>? = state.withLock { state in
            switch state {
            case .empty:
                state = .done(result)
                return nil
            case .waiting(let continuation):
                state = .consumed
                return continuation
            case .done, .consumed:
                return nil
            }
        }
        continuation?.resume(with: result)
    }

    /// Waits for the outcome.
    /// - Throws: the delivered error, or `CancellationError`.
    func value() async throws -> JSONRPCResponse {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<JSONRPCResponse, any Error>) in
                let ready: Result<JSONRPCResponse, any Error>? = state.withLock { state in
                    switch state {
                    case .empty:
                        state = .waiting(continuation)
                        return nil
                    case .done(let result):
                        state = .consumed
                        return result
                    case .waiting, .consumed:
                        return .failure(CancellationError())
                    }
                }
                if let ready { continuation.resume(with: ready) }
            }
        } onCancel: {
            fulfill(.failure(CancellationError()))
        }
    }
}
