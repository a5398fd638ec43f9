extension Namespaces {
    /// Thrown by ``buildApprovedNamespaces(proposal:supportedNamespaces:)``: a supported chain has no account.
    public struct NoAccountsError: Error, Sendable, Hashable, CustomStringConvertible {
        /// The chain without accounts.
        public var chain: String
        /// Its namespace.
        public var namespace: String
        /// `No accounts provided for chain <chain> in namespace <namespace>`.
        public var description: String { "No accounts provided for chain \(chain) in namespace \(namespace)" }
    }

    /// JS `buildApprovedNamespaces({proposal, supportedNamespaces})` (§7.6) over ordered entries.
    ///
    /// `supported` entries carry `chains`, `methods`, `events` and `accounts` (`chains: nil` means `[]`).
    /// - Throws: ``NoAccountsError`` when a supported chain occurs in no supported account, or the
    ///   ``SDKError`` (code 9) of `NamespaceValidator.conformingError(required:approved:context:)`
    ///   (context `approve()`) when the wallet cannot satisfy the required namespaces.
    public static func buildApprovedNamespaces(
        required: NamespaceEntries<ProposalNamespace>, optional: NamespaceEntries<ProposalNamespace>,
        supported: NamespaceEntries<SessionNamespace>
    ) throws -> NamespaceEntries<SessionNamespace> {
        let normalizedRequired = normalize(ordered: required)
        let normalizedOptional = normalize(ordered: optional)

        for (namespace, entry) in supported {
            for chain in entry.chains ?? [] where !entry.accounts.contains(where: { $0.contains(chain) }) {
                throw NoAccountsError(chain: chain, namespace: namespace)
            }
        }
        if let error = NamespaceValidator.conformingError(required: required, approved: supported, context: "approve()") {
            throw error
        }
        if normalizedRequired.isEmpty && normalizedOptional.isEmpty { return supported }

        func accounts(of entry: SessionNamespace, chains: [String]) -> [String] {
            chains.flatMap { chain in entry.accounts.filter { $0.contains("\(chain):") } }
        }

        var result: NamespaceEntries<SessionNamespace> = []
        for (key, requested) in normalizedRequired {
            guard let entry = supported.first(where: { $0.key == key })?.value else { continue }
            let requestedChains = requested.chains ?? []
            let chains = (entry.chains ?? []).filter(requestedChains.contains)
            result.append(
                (
                    key: key,
                    value: SessionNamespace(
                        chains: chains, accounts: accounts(of: entry, chains: chains),
                        methods: entry.methods.filter(requested.methods.contains),
                        events: entry.events.filter(requested.events.contains))
                ))
        }
        for (key, requested) in normalizedOptional {
            guard let entry = supported.first(where: { $0.key == key })?.value else { continue }
            let supportedChains = entry.chains ?? []
            let chainsToAdd = (requested.chains ?? []).filter(supportedChains.contains)
            let addition = SessionNamespace(
                chains: chainsToAdd, accounts: accounts(of: entry, chains: chainsToAdd),
                methods: entry.methods.filter(requested.methods.contains),
                events: entry.events.filter(requested.events.contains))
            if let index = result.firstIndex(where: { $0.key == key }) {
                let existing = result[index].value
                result[index].value = SessionNamespace(
                    chains: unique((existing.chains ?? []) + chainsToAdd),
                    accounts: unique(existing.accounts + addition.accounts),
                    methods: unique(existing.methods + addition.methods),
                    events: unique(existing.events + addition.events))
            } else {
                result.append((key: key, value: addition))
            }
        }
        return result.filter { !$0.value.accounts.isEmpty && !($0.value.chains ?? []).isEmpty }
    }

    /// Dictionary form: builds the namespaces to approve for `proposal` from what the wallet supports.
    ///
    /// - Throws: see ``buildApprovedNamespaces(required:optional:supported:)``.
    public static func buildApprovedNamespaces(
        proposal: Proposal, supportedNamespaces: SessionNamespaces
    ) throws -> SessionNamespaces {
        dictionary(
            try buildApprovedNamespaces(
                required: ordered(proposal.requiredNamespaces), optional: ordered(proposal.optionalNamespaces),
                supported: ordered(supportedNamespaces)))
    }
}
