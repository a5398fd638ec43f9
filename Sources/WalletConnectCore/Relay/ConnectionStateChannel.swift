/// The relayer's connection state and its broadcast (a ``StateChannel``): a new subscriber always starts with the
/// current state and never misses a later change; `.closed` is final.
final class ConnectionStateChannel: Sendable {
    private let channel: StateChannel<RelayConnectionState>

    init(_ initial: RelayConnectionState) {
        channel = StateChannel(initial, bufferSize: 1)
    }

    /// The current state.
    var current: RelayConnectionState { channel.current }

    /// Moves to `new` (no event when unchanged). A `.closed` state is final.
    func set(_ new: RelayConnectionState) {
        channel.set(new) { old, new in
            if case .closed = old { return false }
            return old != new
        }
    }

    /// A stream that starts with the current state and keeps the newest one.
    func subscribe() -> AsyncStream<RelayConnectionState> {
        channel.subscribe()
    }

    /// Ends every stream (after the final state was yielded).
    func finish() {
        channel.finish()
    }
}
