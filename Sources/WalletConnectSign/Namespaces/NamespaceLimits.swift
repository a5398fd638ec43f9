/// Upper bounds on the size of namespaces the SDK processes for a peer: a proposal's required and optional
/// namespaces, the session namespaces of a settle or update, and the namespaces given to
/// `Namespaces.buildApprovedNamespaces(required:optional:supported:limits:)`.
///
/// Anyone who sees a pairing URI may propose, and a sub-1 MiB message can list some 60,000 chains. Work is linear
/// in these sizes; the bounds keep it small, and an oversized input is refused with a ``NamespaceLimitError``
/// (sent to the peer as its ``NamespaceLimitError/sdkError``: 5104 for too many namespaces, 5100 chains, 5101
/// methods, 5102 events, 5103 accounts). The defaults are far above what real dapps ask for (tens of chains, a few
/// dozen methods).
public struct NamespaceLimits: Sendable, Hashable {
    /// Namespace keys (required and optional together, or of one session). Default 100.
    public var namespaces: Int
    /// Chains per namespace. Default 1,000.
    public var chains: Int
    /// Methods per namespace. Default 1,000.
    public var methods: Int
    /// Events per namespace. Default 1,000.
    public var events: Int
    /// Accounts per namespace. Default 10,000.
    public var accounts: Int

    /// Creates limits (the defaults are ``default``).
    public init(namespaces: Int = 100, chains: Int = 1_000, methods: Int = 1_000, events: Int = 1_000, accounts: Int = 10_000) {
        self.namespaces = namespaces
        self.chains = chains
        self.methods = methods
        self.events = events
        self.accounts = accounts
    }

    /// The limits the engine applies to what peers send.
    public static let `default` = NamespaceLimits()

    /// Checks a proposal's required and optional namespaces.
    /// - Throws: ``NamespaceLimitError`` for the first bound exceeded.
    package func check(
        required: NamespaceEntries<ProposalNamespace>, optional: NamespaceEntries<ProposalNamespace>
    ) throws(NamespaceLimitError) {
        try checkCount(required.count + optional.count, .namespaces, namespace: nil, limit: namespaces)
        for (key, entry) in required + optional {
            try checkCount(entry.chains?.count ?? 0, .chains, namespace: key, limit: chains)
            try checkCount(entry.methods.count, .methods, namespace: key, limit: methods)
            try checkCount(entry.events.count, .events, namespace: key, limit: events)
        }
    }

    /// Checks session namespaces (approved, settled, updated or supported by the wallet).
    /// - Throws: ``NamespaceLimitError`` for the first bound exceeded.
    package func check(session entries: NamespaceEntries<SessionNamespace>) throws(NamespaceLimitError) {
        try checkCount(entries.count, .namespaces, namespace: nil, limit: namespaces)
        for (key, entry) in entries {
            try checkCount(entry.chains?.count ?? 0, .chains, namespace: key, limit: chains)
            try checkCount(entry.accounts.count, .accounts, namespace: key, limit: accounts)
            try checkCount(entry.methods.count, .methods, namespace: key, limit: methods)
            try checkCount(entry.events.count, .events, namespace: key, limit: events)
        }
    }

    /// Checks a proposal's required and optional namespaces.
    /// - Throws: ``NamespaceLimitError`` for the first bound exceeded.
    public func check(required: ProposalNamespaces, optional: ProposalNamespaces) throws(NamespaceLimitError) {
        try checkCount(required.count + optional.count, .namespaces, namespace: nil, limit: namespaces)
        try check(required: Namespaces.ordered(required), optional: Namespaces.ordered(optional))
    }

    /// Checks session namespaces (approved, settled, updated or supported by the wallet).
    /// - Throws: ``NamespaceLimitError`` for the first bound exceeded.
    public func check(session namespaces: SessionNamespaces) throws(NamespaceLimitError) {
        try checkCount(namespaces.count, .namespaces, namespace: nil, limit: self.namespaces)
        try check(session: Namespaces.ordered(namespaces))
    }

    private func checkCount(
        _ count: Int, _ kind: NamespaceLimitError.Kind, namespace: String?, limit: Int
    ) throws(NamespaceLimitError) {
        guard count <= limit else {
            throw NamespaceLimitError(kind: kind, namespace: namespace, count: count, limit: limit)
        }
    }
}
