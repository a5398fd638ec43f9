import WalletConnectCore

/// A stored session (§4.3, JS `SessionTypes.Struct`).
///
/// The wire/storage key `self` is exposed as ``selfParticipant`` (`x.self` is reserved in Swift).
public struct Session: Codable, Sendable, Hashable, Identifiable {
    /// Session topic (hex).
    public var topic: String
    /// Pairing topic the session was proposed on.
    public var pairingTopic: String
    /// Relay options.
    public var relay: RelayProtocolOptions
    /// Expiry (Unix seconds).
    public var expiry: Int64
    /// Whether the peer acknowledged `wc_sessionSettle`.
    public var acknowledged: Bool
    /// Public key (hex) of the controller (the wallet).
    public var controller: String
    /// Approved namespaces.
    public var namespaces: SessionNamespaces
    /// Required namespaces copied from the proposal.
    public var requiredNamespaces: ProposalNamespaces?
    /// Optional namespaces copied from the proposal.
    public var optionalNamespaces: ProposalNamespaces?
    /// Session properties.
    public var sessionProperties: [String: JSONValue]?
    /// Scoped properties.
    public var scopedProperties: [String: JSONValue]?
    /// Session configuration.
    public var sessionConfig: SessionConfig?
    /// This client.
    public var selfParticipant: Participant
    /// The peer.
    public var peer: Participant
    /// CACAOs of a one-click-auth session.
    public var authentication: [JSONValue]?
    /// Wallet Pay results.
    public var walletPayResult: [WalletPayResult]?
    /// Transport (`relay` or `link_mode`).
    public var transportType: TransportType?

    /// The session topic.
    public var id: String { topic }

    /// Creates a session.
    public init(
        topic: String, pairingTopic: String, relay: RelayProtocolOptions = RelayProtocolOptions(), expiry: Int64,
        acknowledged: Bool, controller: String, namespaces: SessionNamespaces,
        requiredNamespaces: ProposalNamespaces? = nil, optionalNamespaces: ProposalNamespaces? = nil,
        sessionProperties: [String: JSONValue]? = nil, scopedProperties: [String: JSONValue]? = nil,
        sessionConfig: SessionConfig? = nil, selfParticipant: Participant, peer: Participant,
        authentication: [JSONValue]? = nil, walletPayResult: [WalletPayResult]? = nil,
        transportType: TransportType? = nil
    ) {
        self.topic = topic
        self.pairingTopic = pairingTopic
        self.relay = relay
        self.expiry = expiry
        self.acknowledged = acknowledged
        self.controller = controller
        self.namespaces = namespaces
        self.requiredNamespaces = requiredNamespaces
        self.optionalNamespaces = optionalNamespaces
        self.sessionProperties = sessionProperties
        self.scopedProperties = scopedProperties
        self.sessionConfig = sessionConfig
        self.selfParticipant = selfParticipant
        self.peer = peer
        self.authentication = authentication
        self.walletPayResult = walletPayResult
        self.transportType = transportType
    }

    /// Whether the session has expired at `nowMilliseconds` (`now_ms >= expiry * 1000`).
    public func isExpired(nowMilliseconds: Int64) -> Bool {
        nowMilliseconds >= Expiry.milliseconds(fromSeconds: expiry)
    }

    /// Whether this client is the controller (`self.publicKey == controller`).
    public var isSelfController: Bool { selfParticipant.publicKey == controller }

    /// The settle params that describe this session (what the wallet sends in `wc_sessionSettle`).
    package var settleParams: SessionSettleParams {
        SessionSettleParams(
            relay: relay, namespaces: namespaces, controller: selfParticipant, expiry: expiry,
            sessionProperties: sessionProperties, scopedProperties: scopedProperties, sessionConfig: sessionConfig)
    }

    enum CodingKeys: String, CodingKey {
        case topic, pairingTopic, relay, expiry, acknowledged, controller, namespaces, requiredNamespaces
        case optionalNamespaces, sessionProperties, scopedProperties, sessionConfig
        case selfParticipant = "self"
        case peer, authentication, walletPayResult, transportType
    }
}
