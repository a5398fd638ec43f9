/// The relay options of a pairing (`relay-*` URI parameters).
public struct PairingRelay: Sendable, Hashable, Codable {
    /// The relay protocol, `irn`.
    public var `protocol`: String
    /// Opaque relay data.
    public var data: String?

    /// Creates relay options.
    public init(protocol: String = "irn", data: String? = nil) {
        self.protocol = `protocol`
        self.data = data
    }
}

/// A stored pairing (spec §5.6): `{topic, expiry, relay, active, peerMetadata?, methods?}`.
public struct PairingInfo: Sendable, Hashable, Codable {
    /// The pairing topic.
    public var topic: String
    /// Expiry, Unix seconds.
    public var expiry: Int64
    /// Relay options.
    public var relay: PairingRelay
    /// Whether the pairing completed a proposal/authenticate exchange.
    public var active: Bool
    /// The peer's metadata (Sign's `Metadata` as JSON), once known.
    public var peerMetadata: JSONValue?
    /// Methods announced for this pairing.
    public var methods: [String]?

    /// Creates a pairing record.
    public init(
        topic: String, expiry: Int64, relay: PairingRelay = PairingRelay(), active: Bool = false,
        peerMetadata: JSONValue? = nil, methods: [String]? = nil
    ) {
        self.topic = topic
        self.expiry = expiry
        self.relay = relay
        self.active = active
        self.peerMetadata = peerMetadata
        self.methods = methods
    }

    /// Whether the pairing has expired at `nowMilliseconds` (`now_ms >= expiry × 1000`).
    public func isExpired(nowMilliseconds: Int64) -> Bool {
        Expiry.isExpired(expirySeconds: expiry, nowMilliseconds: nowMilliseconds)
    }
}

/// Events of the pairing controller (`pairing_create`, `pairing_expire`, `pairing_delete`, `pairing_ping`).
public enum PairingEvent: Sendable, Hashable {
    /// A pairing was created (`Pairing.create(methods:subscribe:)`) or paired from a URI.
    case created(PairingInfo)
    /// A pairing expired and was deleted.
    case expired(topic: String)
    /// A pairing was deleted: by `Pairing.disconnect(topic:)`, or by the peer's `wc_pairingDelete`.
    case deleted(topic: String, byPeer: Bool)
    /// The peer pinged this pairing (`wc_pairingPing` request `id`); it was answered `true`.
    case ping(topic: String, id: Int64)
    /// The pairing was activated.
    case activated(PairingInfo)
}

/// What ``Pairing/handle(_:)-(RelayMessage)`` did with an inbound message.
package enum PairingHandlingResult: Sendable, Hashable {
    /// The pairing controller consumed it (ping, delete, a response to its own request, an error reply sent).
    case handled
    /// A request for a registered method, or a response to a request the pairing controller did not send:
    /// the caller (the Sign engine) handles it.
    case forwarded(JSONRPCMessage)
    /// Dropped: type-1 or type-2 envelope, undecodable, or not a JSON-RPC message.
    case ignored
}

/// Errors of the pairing controller. ``description`` carries the JS messages of spec §2.4 and §5.6.
public struct PairingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The failure class.
    public enum Kind: Sendable, Hashable {
        /// `pair()` of a topic that is already stored and active.
        case alreadyExists
        /// An empty or malformed pairing topic.
        case invalidTopic
        /// No stored pairing under the topic.
        case noMatchingTopic
        /// The pairing has expired (it is deleted).
        case expired
        /// The URI's relay protocol is not `irn` (or legacy `iridium` / `waku`).
        case unsupportedRelayProtocol
        /// No ping response arrived in time.
        case pingTimeout
        /// The controller was shut down while waiting.
        case shutDown
    }

    /// The failure class.
    public let kind: Kind
    /// The topic or relay protocol the error is about.
    public let subject: String

    init(_ kind: Kind, _ subject: String) {
        self.kind = kind
        self.subject = subject
    }

    /// Matches an error of the same ``kind`` (for `catch` patterns).
    public static func ~= (pattern: Kind, value: PairingError) -> Bool { value.kind == pattern }

    /// The JS error message.
    public var description: String {
        switch kind {
        case .alreadyExists:
            return "Pairing already exists: \(subject). Please try again with a new connection URI."
        case .invalidTopic: return "Missing or invalid. pairing topic should be a string: \(subject)"
        case .noMatchingTopic: return "No matching key. pairing topic doesn't exist: \(subject)"
        case .expired: return "Expired. pairing topic: \(subject)"
        case .unsupportedRelayProtocol: return "Relay Protocol not supported: \(subject)"
        case .pingTimeout: return "Ping timed out. pairing topic: \(subject)"
        case .shutDown: return "Pairing controller shut down. pairing topic: \(subject)"
        }
    }
}

/// The pairing-level JSON-RPC methods and their publish options (spec §3.7).
package enum PairingMethod {
    /// `wc_pairingDelete`.
    package static let delete = "wc_pairingDelete"
    /// `wc_pairingPing`.
    package static let ping = "wc_pairingPing"
    /// `wc_pairingExtend` (listed by the spec, not implemented by JS).
    package static let extend = "wc_pairingExtend"

    /// Publish options of a request of `method`.
    package static func requestOptions(_ method: String) -> PublishOptions {
        switch method {
        case delete: return PublishOptions(ttl: 86_400, tag: 1000)
        case ping: return PublishOptions(ttl: 30, tag: 1002)
        default: return PublishOptions(ttl: 86_400, tag: 0)
        }
    }

    /// Publish options of a response to `method` (errors to unknown methods: 86400 / 0).
    package static func responseOptions(_ method: String) -> PublishOptions {
        switch method {
        case delete: return PublishOptions(ttl: 86_400, tag: 1001)
        case ping: return PublishOptions(ttl: 30, tag: 1003)
        default: return PublishOptions(ttl: 86_400, tag: 0)
        }
    }
}
