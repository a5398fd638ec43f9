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

/// The current state and its broadcast: setting and subscribing happen under one lock, so a subscriber starts
/// with the current state and never misses a later change.
final class WalletKitStateChannel: Sendable {
    private let current: Mutex<WalletKitState>
    private let broadcaster = EventBroadcaster<WalletKitState>(bufferSize: 4)

    init(_ initial: WalletKitState) {
        current = Mutex(initial)
    }

    /// The current state.
    var state: WalletKitState { current.withLock { $0 } }

    /// Moves to `new` (no event when unchanged); finishes every stream at ``WalletKitState/stopped``.
    func set(_ new: WalletKitState) {
        current.withLock { state in
            guard state != new else { return }
            state = new
            broadcaster.yield(new)
        }
        if new == .stopped { broadcaster.finish() }
    }

    /// A stream starting with the current state; it finishes after ``WalletKitState/stopped``.
    func subscribe() -> AsyncStream<WalletKitState> {
        current.withLock { state in
            broadcaster.subscribe(startingWith: state, bufferingNewest: 4)
        }
    }
}
