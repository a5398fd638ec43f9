import WalletConnectCore

/// A `RelayClient` for tests that prove no relay is involved: every call that would reach a relay throws
/// ``OfflineRelayClient/Offline`` and is counted, and no message is ever delivered.
package final class OfflineRelayClient: RelayClient {
    /// The error every relay call throws.
    package struct Offline: Error, Sendable, Hashable {}

    private let counts = Locked<[String: Int]>([:])
    private let marked = Locked<[String]>([])
    private let inbound = EventBroadcaster<RelayMessage>()
    private let states = StateChannel<RelayConnectionState>(.disconnected, bufferSize: 4)

    /// Creates an offline client.
    package init() {}

    /// How often each relay call was attempted (`publish`, `subscribe`, `unsubscribe`, `proposeSession`,
    /// `approveSession`).
    package var attempts: [String: Int] { counts.withLock { $0 } }

    /// How often a message was published (should stay 0 in link mode).
    package var publishAttempts: Int { counts.withLock { $0["publish", default: 0] } }

    /// The topics given to ``markSubscribed(topic:)`` (recorded for a later connection), oldest first.
    package var markedTopics: [String] { marked.withLock { $0 } }

    private func attempt(_ call: String) -> Offline {
        counts.withLock { $0[call, default: 0] += 1 }
        return Offline()
    }

    /// A fixed id.
    package var clientID: String { "did:key:offline" }
    /// Throws ``Offline``.
    package func publish(topic: String, message: String, options: PublishOptions) async throws { throw attempt("publish") }
    /// Throws ``Offline``.
    package func subscribe(topic: String) async throws { throw attempt("subscribe") }
    /// Throws ``Offline``.
    package func subscribe(topics: [String]) async throws { throw attempt("subscribe") }
    /// Throws ``Offline``.
    package func unsubscribe(topic: String) async throws { throw attempt("unsubscribe") }
    /// Records `topic` in ``markedTopics``; nothing reaches a relay.
    package func markSubscribed(topic: String) async { marked.withLock { $0.append(topic) } }
    /// Throws ``Offline``.
    package func proposeSession(_ params: ProposeSessionParams) async throws { throw attempt("proposeSession") }
    /// Throws ``Offline``.
    package func approveSession(_ params: ApproveSessionParams) async throws { throw attempt("approveSession") }
    /// A stream that never yields (ends with ``finish()``).
    package func messages() -> AsyncStream<RelayMessage> { inbound.subscribe() }
    /// `.disconnected`, forever.
    package func connectionStates() -> AsyncStream<RelayConnectionState> { states.subscribe() }
    /// Does nothing.
    package func markHandled(_ message: RelayMessage) async {}
    /// Does nothing.
    package func replayUnhandled() async {}
    /// Does nothing.
    package func release(_ message: RelayMessage) async {}
    /// Does nothing.
    package func discard(_ message: RelayMessage) async {}
    /// Ends the streams.
    package func finish() {
        inbound.finish()
        states.finish()
    }
}
