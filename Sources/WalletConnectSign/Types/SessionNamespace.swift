/// A namespace approved for a session: `{chains?, accounts, methods, events}`.
///
/// `accounts` (CAIP-10) define the usable chains; `chains` is informational.
public struct SessionNamespace: Codable, Sendable, Hashable {
    /// CAIP-2 chain ids (informational).
    public var chains: [String]?
    /// CAIP-10 account ids.
    public var accounts: [String]
    /// Approved JSON-RPC methods.
    public var methods: [String]
    /// Approved events.
    public var events: [String]

    /// Creates a session namespace.
    public init(chains: [String]? = nil, accounts: [String], methods: [String] = [], events: [String] = []) {
        self.chains = chains
        self.accounts = accounts
        self.methods = methods
        self.events = events
    }

    enum CodingKeys: String, CodingKey { case chains, accounts, methods, events }

    /// Decodes tolerantly: missing `accounts`/`methods`/`events` become empty lists.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        chains = try container.decodeIfPresent([String].self, forKey: .chains)
        accounts = try container.decodeIfPresent([String].self, forKey: .accounts) ?? []
        methods = try container.decodeIfPresent([String].self, forKey: .methods) ?? []
        events = try container.decodeIfPresent([String].self, forKey: .events) ?? []
    }
}

/// Session namespaces keyed by namespace or inline chain id.
public typealias SessionNamespaces = [String: SessionNamespace]
