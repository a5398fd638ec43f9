/// What a dapp asks for with ``SignClient/authenticate(_:rpcCaller:)`` (one-click auth, sign.md §9.1).
///
/// Only `eip155` chains are accepted (a single namespace); `chains`, `domain`, `nonce` and `uri` must be
/// non-empty. Non-empty ``methods`` are requested as a ReCap merged into the last resource, and also make the
/// fallback proposal ask for them.
public struct AuthRequestParams: Sendable, Hashable {
    /// Requested CAIP-2 chains (`eip155:<ref>`), in preference order.
    public var chains: [String]
    /// The requesting domain (first line of the SIWE message).
    public var domain: String
    /// The dapp's nonce; the CACAO must carry it back.
    public var nonce: String
    /// The URI the signature is for; sent as `aud`.
    public var uri: String
    /// Human-readable statement.
    public var statement: String?
    /// Payload type (default `"caip122"`).
    public var type: String?
    /// Not-before, ISO-8601.
    public var nbf: String?
    /// Expiration of the signed message, ISO-8601.
    public var exp: String?
    /// Request id carried in the message.
    public var requestID: String?
    /// Resources; a ReCap for ``methods`` is merged into the last one (or appended).
    public var resources: [String]?
    /// Methods the session should allow (`personal_sign` is always added to the fallback proposal).
    public var methods: [String]
    /// Lifetime of the request in seconds (published as its TTL; at least 3600 for the expiry, at most 604800).
    public var expiry: Int64?
    /// An existing pairing to send the request on; a new one (and a URI) is created otherwise.
    public var pairingTopic: String?

    /// Creates authenticate params.
    public init(
        chains: [String], domain: String, nonce: String, uri: String, statement: String? = nil,
        type: String? = nil, nbf: String? = nil, exp: String? = nil, requestID: String? = nil,
        resources: [String]? = nil, methods: [String] = [], expiry: Int64? = nil, pairingTopic: String? = nil
    ) {
        self.chains = chains
        self.domain = domain
        self.nonce = nonce
        self.uri = uri
        self.statement = statement
        self.type = type
        self.nbf = nbf
        self.exp = exp
        self.requestID = requestID
        self.resources = resources
        self.methods = methods
        self.expiry = expiry
        self.pairingTopic = pairingTopic
    }
}
