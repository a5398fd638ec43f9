import WalletConnectCore

/// A stored session proposal (§4.2, JS `ProposalTypes.Struct`).
public struct Proposal: Codable, Sendable, Hashable, Identifiable {
    /// Proposal id, equal to the JSON-RPC id of `wc_sessionPropose`.
    public var id: Int64
    /// Expiry (Unix seconds): the wire value, else receipt time + 300.
    public var expiryTimestamp: Int64
    /// Relay options.
    public var relays: [RelayProtocolOptions]
    /// The dapp.
    public var proposer: Participant
    /// Deprecated required namespaces.
    public var requiredNamespaces: ProposalNamespaces
    /// Optional namespaces.
    public var optionalNamespaces: ProposalNamespaces
    /// Pairing topic the proposal arrived on.
    public var pairingTopic: String
    /// Session properties.
    public var sessionProperties: [String: JSONValue]?
    /// Scoped properties.
    public var scopedProperties: [String: JSONValue]?
    /// Verify attestation JWT, if any.
    public var attestation: String?
    /// Verify encrypted id (hash of the request), if any.
    public var encryptedID: String?
    /// Bundled requests (one-click auth, Wallet Pay).
    public var requests: ProposalRequests?
    /// Deprecated expiry field of older dapps.
    public var expiry: Int64?

    /// Creates a stored proposal.
    public init(
        id: Int64, expiryTimestamp: Int64, relays: [RelayProtocolOptions] = [RelayProtocolOptions()],
        proposer: Participant, requiredNamespaces: ProposalNamespaces = [:],
        optionalNamespaces: ProposalNamespaces = [:], pairingTopic: String,
        sessionProperties: [String: JSONValue]? = nil, scopedProperties: [String: JSONValue]? = nil,
        attestation: String? = nil, encryptedID: String? = nil, requests: ProposalRequests? = nil,
        expiry: Int64? = nil
    ) {
        self.id = id
        self.expiryTimestamp = expiryTimestamp
        self.relays = relays
        self.proposer = proposer
        self.requiredNamespaces = requiredNamespaces
        self.optionalNamespaces = optionalNamespaces
        self.pairingTopic = pairingTopic
        self.sessionProperties = sessionProperties
        self.scopedProperties = scopedProperties
        self.attestation = attestation
        self.encryptedID = encryptedID
        self.requests = requests
        self.expiry = expiry
    }

    /// Builds the stored proposal from a received `wc_sessionPropose` (wire fields win).
    ///
    /// - Parameters:
    ///   - id: The JSON-RPC id of the request.
    ///   - pairingTopic: The topic it arrived on (used when the params carry none).
    ///   - params: The decoded params.
    ///   - now: Current Unix time in seconds (expiry defaults to `now + 300`).
    ///   - attestation: The Verify attestation JWT that came with the message, if any.
    ///   - encryptedID: The Verify encrypted id (hash of the request), if any.
    package init(
        id: Int64, pairingTopic: String, params: SessionProposeParams, now: Int64,
        attestation: String? = nil, encryptedID: String? = nil
    ) {
        self.init(
            id: params.id ?? id,
            expiryTimestamp: params.expiryTimestamp ?? now + SignLifetimes.proposal,
            relays: params.relays, proposer: params.proposer,
            requiredNamespaces: params.requiredNamespaces,
            optionalNamespaces: params.optionalNamespaces ?? [:],
            pairingTopic: params.pairingTopic ?? pairingTopic,
            sessionProperties: params.sessionProperties, scopedProperties: params.scopedProperties,
            attestation: attestation, encryptedID: encryptedID, requests: params.requests)
    }

    /// Whether the proposal has expired at `nowMilliseconds` (`now_ms >= expiry * 1000`).
    public func isExpired(nowMilliseconds: Int64) -> Bool {
        nowMilliseconds >= Expiry.milliseconds(fromSeconds: expiryTimestamp)
    }

    enum CodingKeys: String, CodingKey {
        case id, expiryTimestamp, relays, proposer, requiredNamespaces, optionalNamespaces, pairingTopic
        case sessionProperties, scopedProperties, attestation, requests, expiry
        case encryptedID = "encryptedId"
    }

    /// Decodes tolerantly (missing namespace maps become `{}`, missing relays `[{irn}]`).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(RPCID.self, forKey: .id).rawValue
        expiryTimestamp = try c.decode(Int64.self, forKey: .expiryTimestamp)
        relays = try c.decodeIfPresent([RelayProtocolOptions].self, forKey: .relays) ?? [RelayProtocolOptions()]
        proposer = try c.decode(Participant.self, forKey: .proposer)
        requiredNamespaces = try c.decodeIfPresent(ProposalNamespaces.self, forKey: .requiredNamespaces) ?? [:]
        optionalNamespaces = try c.decodeIfPresent(ProposalNamespaces.self, forKey: .optionalNamespaces) ?? [:]
        pairingTopic = try c.decode(String.self, forKey: .pairingTopic)
        sessionProperties = try c.decodeIfPresent([String: JSONValue].self, forKey: .sessionProperties)
        scopedProperties = try c.decodeIfPresent([String: JSONValue].self, forKey: .scopedProperties)
        attestation = try c.decodeIfPresent(String.self, forKey: .attestation)
        encryptedID = try c.decodeIfPresent(String.self, forKey: .encryptedID)
        requests = try c.decodeIfPresent(ProposalRequests.self, forKey: .requests)
        expiry = try c.decodeIfPresent(Int64.self, forKey: .expiry)
    }
}
