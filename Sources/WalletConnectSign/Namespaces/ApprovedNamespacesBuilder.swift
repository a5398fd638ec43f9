extension Namespaces {
    /// Thrown by ``buildApprovedNamespaces(proposal:supportedNamespaces:limits:)``: a supported chain has no account.
    package struct NoAccountsError: Error, Sendable, Hashable, CustomStringConvertible {
        /// The chain without accounts.
        package var chain: String
        /// Its namespace.
        package var namespace: String
        /// `No accounts provided for chain <chain> in namespace <namespace>`.
        package var description: String { "No accounts provided for chain \(chain) in namespace \(namespace)" }
    }

    /// JS `buildApprovedNamespaces({proposal, supportedNamespaces})` (§7.6) over ordered entries.
    ///
    /// `supported` entries carry `chains`, `methods`, `events` and `accounts` (`chains: nil` means `[]`). Accounts
    /// are given to a chain by their CAIP-10 chain prefix (JS: the account contains `<chain>:`, the same for valid
    /// CAIP-10). As in JS, a supported chain passes the "has an account" check when any of its namespace's
    /// accounts contains it (so `eip155:1` passes with only `eip155:10:0x…`, and is then dropped). The work is
    /// linear in the sizes, which `limits` bounds (plus one scan of the accounts per supported chain that has none
    /// of its own); the loops over the inputs stop when the task is cancelled.
    /// - Throws: ``NamespaceLimitError`` when an input exceeds `limits`; ``NoAccountsError`` when a supported chain
    ///   occurs in no supported account; the ``SDKError`` (code 9) of
    ///   `NamespaceValidator.conformingError(required:approved:context:)` (context `approve()`) when the wallet
    ///   cannot satisfy the required namespaces; `CancellationError`.
    package static func buildApprovedNamespaces(
        required: NamespaceEntries<ProposalNamespace>, optional: NamespaceEntries<ProposalNamespace>,
        supported: NamespaceEntries<SessionNamespace>, limits: NamespaceLimits = .default
    ) throws -> NamespaceEntries<SessionNamespace> {
        try limits.check(required: required, optional: optional)
        try limits.check(session: supported)
        let normalizedRequired = normalize(ordered: required)
        let normalizedOptional = normalize(ordered: optional)

        // Per supported namespace (the first entry of a key wins, as in a lookup by key): its accounts by chain.
        var supportedByKey: [String: SessionNamespace] = [:]
        var accountsByChain: [String: [String: [String]]] = [:]
        for (namespace, entry) in supported {
            var byChain: [String: [String]] = [:]
            for account in entry.accounts {
                try Task.checkCancellation()
                byChain[AccountID.chainPrefix(of: account), default: []].append(account)
            }
            // JS accepts a chain that any account merely contains (`eip155:1` in `eip155:10:0x…`); the exact
            // prefix match is the fast path, the substring scan only runs for a chain without its own account.
            for chain in entry.chains ?? [] where byChain[chain] == nil {
                try Task.checkCancellation()
                guard entry.accounts.contains(where: { $0.contains(chain) }) else {
                    throw NoAccountsError(chain: chain, namespace: namespace)
                }
            }
            if supportedByKey[namespace] == nil {
                supportedByKey[namespace] = entry
                accountsByChain[namespace] = byChain
            }
        }
        if let error = NamespaceValidator.conformingError(required: required, approved: supported, context: "approve()") {
            throw error
        }
        if normalizedRequired.isEmpty && normalizedOptional.isEmpty { return supported }

        func accounts(of namespace: String, chains: [String]) throws -> [String] {
            var result: [String] = []
            for chain in chains {
                try Task.checkCancellation()
                result.append(contentsOf: accountsByChain[namespace]?[chain] ?? [])
            }
            return result
        }

        var result: NamespaceEntries<SessionNamespace> = []
        var resultIndex: [String: Int] = [:]
        for (key, requested) in normalizedRequired {
            guard let entry = supportedByKey[key] else { continue }
            let requestedChains = Set(requested.chains ?? [])
            let chains = (entry.chains ?? []).filter(requestedChains.contains)
            let requestedMethods = Set(requested.methods)
            let requestedEvents = Set(requested.events)
            resultIndex[key] = resultIndex[key] ?? result.count
            result.append(
                (
                    key: key,
                    value: SessionNamespace(
                        chains: chains, accounts: try accounts(of: key, chains: chains),
                        methods: entry.methods.filter(requestedMethods.contains),
                        events: entry.events.filter(requestedEvents.contains))
                ))
        }
        for (key, requested) in normalizedOptional {
            try Task.checkCancellation()
            guard let entry = supportedByKey[key] else { continue }
            let supportedChains = Set(entry.chains ?? [])
            let chainsToAdd = (requested.chains ?? []).filter(supportedChains.contains)
            let requestedMethods = Set(requested.methods)
            let requestedEvents = Set(requested.events)
            let addition = SessionNamespace(
                chains: chainsToAdd, accounts: try accounts(of: key, chains: chainsToAdd),
                methods: entry.methods.filter(requestedMethods.contains),
                events: entry.events.filter(requestedEvents.contains))
            if let index = resultIndex[key] {
                let existing = result[index].value
                result[index].value = SessionNamespace(
                    chains: unique((existing.chains ?? []) + chainsToAdd),
                    accounts: unique(existing.accounts + addition.accounts),
                    methods: unique(existing.methods + addition.methods),
                    events: unique(existing.events + addition.events))
            } else {
                resultIndex[key] = result.count
                result.append((key: key, value: addition))
            }
        }
        return result.filter { !$0.value.accounts.isEmpty && !($0.value.chains ?? []).isEmpty }
    }

    /// Dictionary form: builds the namespaces to approve for `proposal` from what the wallet supports.
    ///
    /// - Throws: see ``buildApprovedNamespaces(required:optional:supported:limits:)``.
    package static func buildApprovedNamespaces(
        proposal: Proposal, supportedNamespaces: SessionNamespaces, limits: NamespaceLimits = .default
    ) throws -> SessionNamespaces {
        try limits.check(required: proposal.requiredNamespaces, optional: proposal.optionalNamespaces)
        try limits.check(session: supportedNamespaces)
        return dictionary(
            try buildApprovedNamespaces(
                required: ordered(proposal.requiredNamespaces), optional: ordered(proposal.optionalNamespaces),
                supported: ordered(supportedNamespaces), limits: limits))
    }
}
