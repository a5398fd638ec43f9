import WalletConnectCore

/// Params of `wc_sessionPropose` (dapp → wallet, pairing topic).
public struct SessionProposeParams: Codable, Sendable, Hashable {
    /// Deprecated required namespaces (always `{}` from JS ≥ 2.21).
    public var requiredNamespaces: ProposalNamespaces
    /// Optional namespaces.
    public var optionalNamespaces: ProposalNamespaces?
    /// Relay options.
    public var relays: [RelayProtocolOptions]
    /// The dapp: its X25519 public key and metadata.
    public var proposer: Participant
    /// Proposal expiry (Unix seconds).
    public var expiryTimestamp: Int64?
    /// Pairing topic (JS includes it).
    public var pairingTopic: String?
    /// Session properties (string → string in types; any JSON tolerated).
    public var sessionProperties: [String: JSONValue]?
    /// Scoped properties keyed by namespace or inline chain.
    public var scopedProperties: [String: JSONValue]?
    /// Proposal id, equal to the JSON-RPC id (JS includes it).
    public var id: Int64?
    /// Bundled requests (one-click auth, Wallet Pay).
    public var requests: ProposalRequests?

    /// Creates proposal params.
    public init(
        requiredNamespaces: ProposalNamespaces = [:], optionalNamespaces: ProposalNamespaces? = nil,
        relays: [RelayProtocolOptions] = [RelayProtocolOptions()], proposer: Participant,
        expiryTimestamp: Int64? = nil, pairingTopic: String? = nil,
        sessionProperties: [String: JSONValue]? = nil, scopedProperties: [String: JSONValue]? = nil,
        id: Int64? = nil, requests: ProposalRequests? = nil
    ) {
        self.requiredNamespaces = requiredNamespaces
        self.optionalNamespaces = optionalNamespaces
        self.relays = relays
        self.proposer = proposer
        self.expiryTimestamp = expiryTimestamp
        self.pairingTopic = pairingTopic
        self.sessionProperties = sessionProperties
        self.scopedProperties = scopedProperties
        self.id = id
        self.requests = requests
    }

    enum CodingKeys: String, CodingKey {
        case requiredNamespaces, optionalNamespaces, relays, proposer, expiryTimestamp, pairingTopic
        case sessionProperties, scopedProperties, id, requests
    }

    /// Decodes tolerantly: missing `requiredNamespaces` becomes `{}`, missing `relays` `[{irn}]`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        requiredNamespaces = try container.decodeIfPresent(ProposalNamespaces.self, forKey: .requiredNamespaces) ?? [:]
        optionalNamespaces = try container.decodeIfPresent(ProposalNamespaces.self, forKey: .optionalNamespaces)
        relays = try container.decodeIfPresent([RelayProtocolOptions].self, forKey: .relays) ?? [RelayProtocolOptions()]
        proposer = try container.decode(Participant.self, forKey: .proposer)
        expiryTimestamp = try container.decodeIfPresent(Int64.self, forKey: .expiryTimestamp)
        pairingTopic = try container.decodeIfPresent(String.self, forKey: .pairingTopic)
        sessionProperties = try container.decodeIfPresent([String: JSONValue].self, forKey: .sessionProperties)
        scopedProperties = try container.decodeIfPresent([String: JSONValue].self, forKey: .scopedProperties)
        id = try container.decodeIfPresent(Int64.self, forKey: .id)
        requests = try container.decodeIfPresent(ProposalRequests.self, forKey: .requests)
    }
}

/// Success result of `wc_sessionPropose` (wallet approves): `{relay, responderPublicKey}`.
package struct SessionProposeResponse: Codable, Sendable, Hashable {
    /// Relay options chosen by the wallet.
    package var relay: RelayProtocolOptions
    /// The wallet's fresh X25519 public key (hex).
    package var responderPublicKey: String

    /// Creates a proposal response.
    package init(relay: RelayProtocolOptions = RelayProtocolOptions(), responderPublicKey: String) {
        self.relay = relay
        self.responderPublicKey = responderPublicKey
    }
}
