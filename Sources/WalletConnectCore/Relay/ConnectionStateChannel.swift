import Synchronization

/// The relayer's connection state and its broadcast: setting and subscribing happen under one lock, so a new
/// subscriber always starts with the current state and never misses a later change.
final class ConnectionStateChannel: Sendable {
    private let state: Mutex<RelayConnectionState>
    private let broadcaster = EventBroadcaster<RelayConnectionState>(bufferSize: 1)

    init(_ initial: RelayConnectionState) {
        state = Mutex(initial)
    }

    /// The current state.
    var current: RelayConnectionState { state.withLock { $0 } }

    /// Moves to `new` (no event when unchanged). A `.closed` state is final.
    func set(_ new: RelayConnectionState) {
        state.withLock { state in
            guard state != new else { return }
            if case .closed = state { return }
            state = new
            broadcaster.yield(new)
        }
    }

    /// A stream that starts with the current state and keeps the newest one.
    func subscribe() -> AsyncStream<RelayConnectionState> {
        state.withLock { state in
            broadcaster.subscribe(startingWith: state, bufferingNewest: 1)
        }
    }

    /// Ends every stream (after the final state was yielded).
    func finish() {
        broadcaster.finish()
    }
}
