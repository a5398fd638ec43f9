import Synchronization
import WalletConnectCore

/// The lifecycle state of a ``WalletKit``.
public enum WalletKitState: Sendable, Hashable {
    /// Built; ``WalletKit/run()`` not called yet.
    case idle
    /// ``WalletKit/run()`` is active (``WalletKit/untilRunning()`` tells when the engine consumes messages).
    case running
    /// A graceful shutdown began: no new proposals; in-flight calls are being drained.
    case draining
    /// Stopped for good: event streams finished, socket closed.
    case stopped
}

/// The current state and its broadcast (a ``StateChannel``): a subscriber starts with the current state and never
/// misses a later change; the streams finish after ``WalletKitState/stopped``.
final class WalletKitStateChannel: Sendable {
    private let channel: StateChannel<WalletKitState>

    init(_ initial: WalletKitState) {
        channel = StateChannel(initial, bufferSize: 4)
    }

    /// The current state.
    var state: WalletKitState { channel.current }

    /// Moves to `new` (no event when unchanged); finishes every stream at ``WalletKitState/stopped``.
    func set(_ new: WalletKitState) {
        channel.set(new)
        if new == .stopped { channel.finish() }
    }

    /// A stream starting with the current state; it finishes after ``WalletKitState/stopped``.
    func subscribe() -> AsyncStream<WalletKitState> {
        channel.subscribe()
    }
}
