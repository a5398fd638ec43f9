import Foundation

/// Options of one `irn_publish`.
package struct PublishOptions: Sendable, Hashable {
    /// Seconds the relay keeps the message for offline subscribers.
    package var ttl: UInt32
    /// Message class (see the tag tables of the spec). Always sent.
    package var tag: Int
    /// Whether the message is relevant for push notifications.
    package var prompt: Bool
    /// Verify attestation JWT, when the message needs origin verification.
    package var attestation: String?
    /// The client-to-client JSON-RPC id this message belongs to (TVF).
    package var correlationID: Int64?
    /// Further transaction-verification fields, flattened into the publish params.
    package var tvf: [String: JSONValue]

    /// Creates publish options; every parameter sets the property of the same name.
    /// - Parameters:
    ///   - ttl: Seconds the relay keeps the message; 6 hours by default.
    ///   - tag: The message class; 0 by default.
    ///   - prompt: Whether the message is relevant for push notifications.
    ///   - attestation: A Verify attestation JWT.
    ///   - correlationID: The client-to-client JSON-RPC id this message belongs to.
    ///   - tvf: Further transaction-verification fields.
    package init(
        ttl: UInt32 = 21_600, tag: Int = 0, prompt: Bool = false, attestation: String? = nil,
        correlationID: Int64? = nil, tvf: [String: JSONValue] = [:]
    ) {
        self.ttl = ttl
        self.tag = tag
        self.prompt = prompt
        self.attestation = attestation
        self.correlationID = correlationID
        self.tvf = tvf
    }
}

/// One message delivered by the relay (`irn_subscription` data, or a fetched mailbox item).
package struct RelayMessage: Sendable, Hashable, Codable {
    /// The topic the message was published on.
    package var topic: String
    /// The envelope text.
    package var message: String
    /// Milliseconds since the Unix epoch.
    package var publishedAt: Int64
    /// The message class the publisher set, when the relay passes it on.
    package var tag: Int?
    /// The Verify attestation JWT the publisher attached, when present.
    package var attestation: String?

    /// Creates a message; every parameter sets the property of the same name.
    /// - Parameters:
    ///   - topic: The topic.
    ///   - message: The envelope text.
    ///   - publishedAt: Milliseconds since the Unix epoch.
    ///   - tag: The message class.
    ///   - attestation: The Verify attestation JWT.
    package init(topic: String, message: String, publishedAt: Int64, tag: Int? = nil, attestation: String? = nil) {
        self.topic = topic
        self.message = message
        self.publishedAt = publishedAt
        self.tag = tag
        self.attestation = attestation
    }
}

/// Params of the composite `wc_proposeSession` relay call.
package struct ProposeSessionParams: Sendable, Hashable, Codable {
    /// The pairing topic the proposal is published on.
    package var pairingTopic: String
    /// Type-0 envelope of the `wc_sessionPropose` request on the pairing topic.
    package var sessionProposal: String
    /// A Verify attestation JWT, when present.
    package var attestation: String?
    /// The JSON-RPC id of the proposal (TVF correlation).
    package var correlationID: Int64?
    /// Seconds the relay keeps the proposal; 300 by default.
    package var ttl: UInt32?

    /// Creates the params; every parameter sets the property of the same name.
    /// - Parameters:
    ///   - pairingTopic: The pairing topic.
    ///   - sessionProposal: The type-0 envelope of the `wc_sessionPropose` request.
    ///   - attestation: A Verify attestation JWT.
    ///   - correlationID: The JSON-RPC id of the proposal.
    ///   - ttl: Seconds the relay keeps the proposal.
    package init(
        pairingTopic: String, sessionProposal: String, attestation: String? = nil, correlationID: Int64? = nil,
        ttl: UInt32? = 300
    ) {
        self.pairingTopic = pairingTopic
        self.sessionProposal = sessionProposal
        self.attestation = attestation
        self.correlationID = correlationID
        self.ttl = ttl
    }

    enum CodingKeys: String, CodingKey {
        case pairingTopic, sessionProposal, attestation
        case correlationID = "correlationId"
        case ttl
    }
}

/// Params of the composite `wc_approveSession` relay call.
package struct ApproveSessionParams: Sendable, Hashable, Codable {
    /// The pairing topic the proposal response is published on.
    package var pairingTopic: String
    /// The new session topic; the relay subscribes the caller to it.
    package var sessionTopic: String
    /// Type-0 envelope of the proposal response, published on the pairing topic.
    package var sessionProposalResponse: String
    /// Type-0 envelope of the `wc_sessionSettle` request, published on the session topic.
    package var sessionSettlementRequest: String
    /// The approved chains (CAIP-2), a transaction-verification field.
    package var approvedChains: [String]?
    /// The approved methods, a transaction-verification field.
    package var approvedMethods: [String]?
    /// The approved accounts (CAIP-10), a transaction-verification field.
    package var approvedAccounts: [String]?
    /// The approved events, a transaction-verification field.
    package var approvedEvents: [String]?
    /// The session properties, any JSON value.
    package var sessionProperties: JSONValue?
    /// The scoped properties, any JSON value.
    package var scopedProperties: JSONValue?
    /// The JSON-RPC id of the proposal answered (TVF correlation).
    package var correlationID: Int64?
    /// Seconds the relay keeps both messages; 300 by default.
    package var ttl: UInt32?

    /// Creates the params; every parameter sets the property of the same name.
    /// - Parameters:
    ///   - pairingTopic: The pairing topic.
    ///   - sessionTopic: The new session topic.
    ///   - sessionProposalResponse: The type-0 envelope of the proposal response.
    ///   - sessionSettlementRequest: The type-0 envelope of the `wc_sessionSettle` request.
    ///   - approvedChains: The approved chains.
    ///   - approvedMethods: The approved methods.
    ///   - approvedAccounts: The approved accounts.
    ///   - approvedEvents: The approved events.
    ///   - sessionProperties: The session properties.
    ///   - scopedProperties: The scoped properties.
    ///   - correlationID: The JSON-RPC id of the proposal answered.
    ///   - ttl: Seconds the relay keeps both messages.
    package init(
        pairingTopic: String, sessionTopic: String, sessionProposalResponse: String, sessionSettlementRequest: String,
        approvedChains: [String]? = nil, approvedMethods: [String]? = nil, approvedAccounts: [String]? = nil,
        approvedEvents: [String]? = nil, sessionProperties: JSONValue? = nil, scopedProperties: JSONValue? = nil,
        correlationID: Int64? = nil, ttl: UInt32? = 300
    ) {
        self.pairingTopic = pairingTopic
        self.sessionTopic = sessionTopic
        self.sessionProposalResponse = sessionProposalResponse
        self.sessionSettlementRequest = sessionSettlementRequest
        self.approvedChains = approvedChains
        self.approvedMethods = approvedMethods
        self.approvedAccounts = approvedAccounts
        self.approvedEvents = approvedEvents
        self.sessionProperties = sessionProperties
        self.scopedProperties = scopedProperties
        self.correlationID = correlationID
        self.ttl = ttl
    }

    enum CodingKeys: String, CodingKey {
        case pairingTopic, sessionTopic, sessionProposalResponse, sessionSettlementRequest, approvedChains
        case approvedMethods, approvedAccounts, approvedEvents, sessionProperties, scopedProperties
        case correlationID = "correlationId"
        case ttl
    }
}

/// The connection state of a relay client.
public enum RelayConnectionState: Sendable, Hashable {
    /// No socket is open (before the first connect, or between reconnect attempts).
    case disconnected
    /// A socket is being opened.
    case connecting
    /// The socket is open.
    case connected
    /// Closed for good (explicit shutdown or a fatal relay error); no reconnect follows.
    case closed(reason: String)
}

/// What the Sign engine and the pairing controller need from a relay client.
///
/// The production implementation is ``Relayer`` (a WebSocket to an IRN relay); `WalletKitTesting`
/// ships an in-memory one for unit tests of a single actor.
///
/// Delivery contract: ``messages()`` yields each inbound message once (deduplicated by topic and
/// sha256 of the message). A message stays "unhandled" until ``markHandled(_:)`` is called for it;
/// unhandled messages are kept (persisted where the implementation has storage) and yielded again by
/// ``replayUnhandled()``, so a crash between receipt and handling loses nothing. A consumer finishes every message
/// it receives with ``markHandled(_:)``, ``release(_:)`` or ``discard(_:)``: an implementation may hand out only a
/// bounded number of messages at a time (``Relayer`` does: ``RelayerConfiguration/maxInboundBacklog``).
package protocol RelayClient: Sendable {
    /// The relay client id (`did:key:…`).
    var clientID: String { get async }
    /// Publishes an envelope on a topic; returns when the relay acknowledged it.
    /// - Throws: The implementation's error when the publish fails (``RelayerError`` for ``Relayer``).
    func publish(topic: String, message: String, options: PublishOptions) async throws
    /// Subscribes to one topic.
    /// - Throws: The implementation's error when the subscribe fails (``RelayerError`` for ``Relayer``).
    func subscribe(topic: String) async throws
    /// Subscribes to many topics (sent in batches of at most 500).
    /// - Throws: The implementation's error when a batch fails (``RelayerError`` for ``Relayer``).
    func subscribe(topics: [String]) async throws
    /// Unsubscribes from a topic and forgets its dedupe entries.
    /// - Throws: The implementation's error when the unsubscribe fails (``RelayerError`` for ``Relayer``).
    func unsubscribe(topic: String) async throws
    /// Records `topic` as subscribed without sending `irn_subscribe` (after a composite call that subscribed it).
    func markSubscribed(topic: String) async
    /// `wc_proposeSession`: subscribes the caller to the pairing topic and publishes the proposal.
    /// - Throws: The implementation's error when the call fails (``RelayerError`` for ``Relayer``).
    func proposeSession(_ params: ProposeSessionParams) async throws
    /// `wc_approveSession`: subscribes the caller to the session topic and publishes response and settlement.
    /// - Throws: The implementation's error when the call fails (``RelayerError`` for ``Relayer``).
    func approveSession(_ params: ApproveSessionParams) async throws
    /// A new stream of inbound messages for this subscriber.
    func messages() -> AsyncStream<RelayMessage>
    /// A new stream of connection states, starting with the current one.
    func connectionStates() -> AsyncStream<RelayConnectionState>
    /// Marks a delivered message as handled, so it is never replayed.
    func markHandled(_ message: RelayMessage) async
    /// Yields every delivered-but-unhandled message again on ``messages()``.
    func replayUnhandled() async
    /// The consumer is done with a delivered message without handling it (its effect could not be persisted): it
    /// stays unhandled, for ``replayUnhandled()``, and no longer counts against the implementation's bound of
    /// messages out. The default does nothing.
    func release(_ message: RelayMessage) async
    /// The consumer could not read a delivered message (it does not decrypt or decode): the implementation forgets
    /// it entirely, keeping nothing of it in storage. The default calls ``markHandled(_:)``.
    func discard(_ message: RelayMessage) async
}

extension RelayClient {
    /// Does nothing: an implementation without a bound on messages out has nothing to release.
    package func release(_ message: RelayMessage) async {}

    /// Marks the message handled.
    package func discard(_ message: RelayMessage) async {
        await markHandled(message)
    }
}
