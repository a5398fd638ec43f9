import Synchronization

/// A snapshot of a ``Relayer``'s counters (tests, benchmarks, diagnostics).
package struct RelayerStatistics: Sendable, Hashable {
    /// WebSocket connections opened so far.
    package var connectionsOpened: UInt64
    /// Inbound messages handed to ``Relayer/messages()`` subscribers (after dedupe).
    package var messagesDelivered: UInt64
    /// Inbound messages dropped as duplicates (or echoes of own publishes).
    package var duplicatesDropped: UInt64
    /// `irn_subscription` acknowledgements sent.
    package var acknowledgementsSent: UInt64
    /// Relay calls in flight.
    package var pendingCalls: Int
}

/// Lock-free counters behind ``RelayerStatistics``.
final class RelayerCounters: Sendable {
    let connectionsOpened = Atomic<UInt64>(0)
    let messagesDelivered = Atomic<UInt64>(0)
    let duplicatesDropped = Atomic<UInt64>(0)
    let acknowledgementsSent = Atomic<UInt64>(0)

    enum Counter {
        case connectionsOpened, messagesDelivered, duplicatesDropped, acknowledgementsSent
    }

    func bump(_ counter: Counter) {
        switch counter {
        case .connectionsOpened: connectionsOpened.add(1, ordering: .relaxed)
        case .messagesDelivered: messagesDelivered.add(1, ordering: .relaxed)
        case .duplicatesDropped: duplicatesDropped.add(1, ordering: .relaxed)
        case .acknowledgementsSent: acknowledgementsSent.add(1, ordering: .relaxed)
        }
    }

    func snapshot(pendingCalls: Int) -> RelayerStatistics {
        RelayerStatistics(
            connectionsOpened: connectionsOpened.load(ordering: .relaxed),
            messagesDelivered: messagesDelivered.load(ordering: .relaxed),
            duplicatesDropped: duplicatesDropped.load(ordering: .relaxed),
            acknowledgementsSent: acknowledgementsSent.load(ordering: .relaxed),
            pendingCalls: pendingCalls)
    }
}
