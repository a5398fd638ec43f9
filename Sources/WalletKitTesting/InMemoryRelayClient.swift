import Synchronization
import WalletConnectCore

/// A `RelayClient` (from `WalletConnectCore`) attached to an ``InMemoryRelayHub``, for unit tests of one actor.
///
/// All routing, dedupe and unhandled-message tracking happen in the hub; this type only forwards calls
/// and owns the per-client event streams.
package final class InMemoryRelayClient: RelayClient {
    /// The hub this client is attached to.
    package let hub: InMemoryRelayHub
    /// The client id given at creation.
    package let relayClientID: String

    let inbound = EventBroadcaster<RelayMessage>()
    /// Every state change is announced (no equality filter), as before.
    private let states = StateChannel<RelayConnectionState>(.connected, bufferSize: 16)

    /// Creates a client attached to `hub`. Prefer ``InMemoryRelayHub/makeClient(clientID:)``.
    package init(hub: InMemoryRelayHub, clientID: String) {
        self.hub = hub
        self.relayClientID = clientID
    }

    /// The relay client id.
    package var clientID: String { relayClientID }

    /// Publishes through the hub; records the call.
    /// - Throws: an injected error (see ``InMemoryRelayHub/failNextPublish(with:topic:)``).
    package func publish(topic: String, message: String, options: PublishOptions) async throws {
        try await hub.publish(from: self, topic: topic, message: message, options: options, via: .publish)
    }

    /// Subscribes to `topic`; pending mailbox messages for it are delivered at once.
    /// - Throws: ``InMemoryRelayError`` when the client is not connected, or the error injected with
    ///   ``InMemoryRelayHub/failNextSubscribe(with:topic:)``.
    package func subscribe(topic: String) async throws {
        try await hub.subscribe(self, topics: [topic], recordCall: true)
    }

    /// Subscribes to every topic in `topics`.
    /// - Throws: ``InMemoryRelayError`` when the client is not connected, or the error injected with
    ///   ``InMemoryRelayHub/failNextSubscribe(with:topic:)``.
    package func subscribe(topics: [String]) async throws {
        try await hub.subscribe(self, topics: topics, recordCall: true)
    }

    /// Unsubscribes from `topic` and forgets its dedupe entries.
    /// - Throws: Nothing today; declared `throws` by `RelayClient`.
    package func unsubscribe(topic: String) async throws {
        try await hub.unsubscribe(self, topic: topic)
    }

    /// Records `topic` as subscribed without an `irn_subscribe` call (not recorded in ``InMemoryRelayHub/subscribeCalls``).
    package func markSubscribed(topic: String) async {
        try? await hub.subscribe(self, topics: [topic], recordCall: false)
    }

    /// Composite `wc_proposeSession`: subscribes to the pairing topic, publishes with tag 1100.
    /// - Throws: ``InMemoryRelayError`` when the client is not connected, or the error injected with
    ///   ``InMemoryRelayHub/failNextPublish(with:topic:)``.
    package func proposeSession(_ params: ProposeSessionParams) async throws {
        try await hub.proposeSession(from: self, params)
    }

    /// Composite `wc_approveSession`: subscribes to the session topic, publishes tags 1101 and 1102.
    /// - Throws: ``InMemoryRelayError`` when the client is not connected, or the error injected with
    ///   ``InMemoryRelayHub/failNextPublish(with:topic:)``.
    package func approveSession(_ params: ApproveSessionParams) async throws {
        try await hub.approveSession(from: self, params)
    }

    /// A new stream of inbound messages for this subscriber (unbounded, like the real relayer's).
    package func messages() -> AsyncStream<RelayMessage> {
        inbound.subscribe()
    }

    /// A new stream of connection states, starting with the current one.
    package func connectionStates() -> AsyncStream<RelayConnectionState> {
        states.subscribe()
    }

    /// Marks a delivered message as handled, so it is never replayed.
    package func markHandled(_ message: RelayMessage) async {
        await hub.markHandled(message, by: self)
    }

    /// Yields every delivered-but-unhandled message again on ``messages()``.
    package func replayUnhandled() async {
        await hub.replayUnhandled(for: self)
    }

    /// The current simulated connection state.
    package var connectionState: RelayConnectionState { states.current }

    /// Sets the simulated connection state and announces it on ``connectionStates()``.
    ///
    /// While the state is not `.connected`, publish and subscribe calls throw ``InMemoryRelayError``.
    package func setConnectionState(_ state: RelayConnectionState) {
        states.set(state) { _, _ in true }
    }

    /// Ends every stream of this client (messages and states).
    package func finish() {
        inbound.finish()
        states.finish()
    }
}

/// Errors raised by the in-memory relay.
package struct InMemoryRelayError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Why the call failed.
    package let reason: String

    /// Creates an error with a reason.
    package init(_ reason: String) { self.reason = reason }

    /// The client is not connected.
    package static let notConnected = InMemoryRelayError("in-memory relay client is not connected")

    /// A failure injected by a test.
    package static let injected = InMemoryRelayError("injected publish failure")

    /// The reason text.
    package var description: String { reason }
}
