/// A namespace input exceeds a ``NamespaceLimits`` bound.
public struct NamespaceLimitError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What was counted. New kinds may be added; do not switch exhaustively.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        /// The plural noun counted (`chains`, …).
        public var description: String { name }

        /// Namespace keys.
        public static let namespaces = Kind("namespaces")
        /// Chains of one namespace.
        public static let chains = Kind("chains")
        /// Methods of one namespace.
        public static let methods = Kind("methods")
        /// Events of one namespace.
        public static let events = Kind("events")
        /// Accounts of one namespace.
        public static let accounts = Kind("accounts")
    }

    /// What was counted.
    public var kind: Kind
    /// The namespace key, for per-namespace counts.
    public var namespace: String?
    /// How many there were.
    public var count: Int
    /// The bound.
    public var limit: Int

    /// E.g. `namespace eip155: 50000 chains, more than the limit of 1000`.
    public var description: String {
        let counted = "\(count) \(kind), more than the limit of \(limit)"
        return namespace.map { "namespace \($0): \(counted)" } ?? counted
    }

    /// The SDK error a peer is answered with: 5104 (namespaces), 5100 (chains), 5101 (methods), 5102 (events) or
    /// 5103 (accounts), with ``description`` as context.
    public var sdkError: SDKError {
        let code: SDKErrorCode
        switch kind {
        case .chains: code = .unsupportedChains
        case .methods: code = .unsupportedMethods
        case .events: code = .unsupportedEvents
        case .accounts: code = .unsupportedAccounts
        default: code = .unsupportedNamespaceKey
        }
        return .sdk(code, context: description)
    }
}
