/// A namespace requested in a proposal: `{chains?, methods, events}`.
///
/// The map key is a namespace (`eip155`) or an inline chain (`eip155:1`, then `chains` is omitted).
public struct ProposalNamespace: Codable, Sendable, Hashable {
    /// CAIP-2 chain ids; absent for inline-chain keys.
    public var chains: [String]?
    /// Requested JSON-RPC methods.
    public var methods: [String]
    /// Requested events.
    public var events: [String]

    /// Creates a proposal namespace.
    public init(chains: [String]? = nil, methods: [String] = [], events: [String] = []) {
        self.chains = chains
        self.methods = methods
        self.events = events
    }

    enum CodingKeys: String, CodingKey { case chains, methods, events }

    /// Decodes tolerantly: missing `methods`/`events` become empty lists.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        chains = try container.decodeIfPresent([String].self, forKey: .chains)
        methods = try container.decodeIfPresent([String].self, forKey: .methods) ?? []
        events = try container.decodeIfPresent([String].self, forKey: .events) ?? []
    }
}

/// Proposal namespaces keyed by namespace or inline chain id.
public typealias ProposalNamespaces = [String: ProposalNamespace]
