/// Namespace entries in a given order (JS object insertion order). Dictionaries convert with
/// ``Namespaces/ordered(_:)`` (sorted keys).
package typealias NamespaceEntries<Value> = [(key: String, value: Value)]

/// Namespace helpers of §7.2, §7.3, §7.7 and §7.8.
///
/// Dictionary-based functions visit keys in sorted order; the `ordered:` variants follow the given
/// entry order, which reproduces the JS array orders exactly.
package enum Namespaces {
    /// A dictionary's entries in sorted key order.
    package static func ordered<Value>(_ map: [String: Value]) -> NamespaceEntries<Value> {
        map.sorted { $0.key < $1.key }.map { (key: $0.key, value: $0.value) }
    }

    /// Entries back to a dictionary (later duplicates win).
    package static func dictionary<Value>(_ entries: NamespaceEntries<Value>) -> [String: Value] {
        Dictionary(entries.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
    }

    // MARK: §7.7 chains, methods, events

    /// The unique `namespace:reference` prefixes of the given accounts, in order.
    package static func chains(ofAccounts accounts: [String]) -> [String] {
        unique(accounts.map(AccountID.chainPrefix(of:)))
    }

    /// Chains of a session: unique chain prefixes of all accounts.
    package static func chains(of namespaces: SessionNamespaces) -> [String] {
        chains(ofAccounts: ordered(namespaces).flatMap(\.value.accounts))
    }

    /// Union of the methods of the namespaces whose accounts include `chainID`.
    package static func methods(forChain chainID: String, in namespaces: SessionNamespaces) -> [String] {
        unique(
            ordered(namespaces).filter { chains(ofAccounts: $0.value.accounts).contains(chainID) }
                .flatMap(\.value.methods))
    }

    /// Union of the events of the namespaces whose accounts include `chainID`.
    package static func events(forChain chainID: String, in namespaces: SessionNamespaces) -> [String] {
        unique(
            ordered(namespaces).filter { chains(ofAccounts: $0.value.accounts).contains(chainID) }
                .flatMap(\.value.events))
    }

    /// `approvedChains` for `wc_approveSession`: de-duplicated chains of all accounts.
    package static func approvedChains(_ namespaces: SessionNamespaces) -> [String] {
        chains(of: namespaces)
    }

    /// `approvedMethods` for `wc_approveSession`: de-duplicated union of all methods.
    package static func approvedMethods(_ namespaces: SessionNamespaces) -> [String] {
        unique(ordered(namespaces).flatMap(\.value.methods))
    }

    /// `approvedEvents` for `wc_approveSession`: de-duplicated union of all events.
    package static func approvedEvents(_ namespaces: SessionNamespaces) -> [String] {
        unique(ordered(namespaces).flatMap(\.value.events))
    }

    // MARK: §7.2 normalizeNamespaces

    /// JS `normalizeNamespaces`: inline-chain keys folded into their namespace.
    ///
    /// Each entry is merged in front of what was collected, so chains and methods come out in
    /// reverse insertion order; duplicates are removed; `chains` is always present.
    package static func normalize(ordered entries: NamespaceEntries<ProposalNamespace>) -> NamespaceEntries<ProposalNamespace> {
        var result: NamespaceEntries<ProposalNamespace> = []
        for (key, entry) in entries {
            let namespace = key.namespacePrefix
            let chains = key.isInlineChainKey ? [key] : (entry.chains ?? [])
            if let index = result.firstIndex(where: { $0.key == namespace }) {
                let existing = result[index].value
                result[index].value = ProposalNamespace(
                    chains: unique(chains + (existing.chains ?? [])),
                    methods: unique(entry.methods + existing.methods),
                    events: unique(entry.events + existing.events))
            } else {
                result.append(
                    (
                        key: namespace,
                        value: ProposalNamespace(
                            chains: unique(chains), methods: unique(entry.methods), events: unique(entry.events))
                    ))
            }
        }
        return result
    }

    /// Dictionary form of ``normalize(ordered:)``.
    package static func normalize(_ namespaces: ProposalNamespaces) -> ProposalNamespaces {
        dictionary(normalize(ordered: ordered(namespaces)))
    }

    // MARK: §7.3 mergeRequiredAndOptionalNamespaces

    /// JS `mergeRequiredAndOptionalNamespaces`: both normalized, then per key (required keys first)
    /// the unique union of chains, methods and events, required first.
    package static func mergeRequiredAndOptional(
        required: NamespaceEntries<ProposalNamespace>, optional: NamespaceEntries<ProposalNamespace>
    ) -> NamespaceEntries<ProposalNamespace> {
        let required = normalize(ordered: required)
        let optional = normalize(ordered: optional)
        let keys = unique(required.map(\.key) + optional.map(\.key))
        return keys.map { key in
            let first = required.first { $0.key == key }?.value
            let second = optional.first { $0.key == key }?.value
            return (
                key: key,
                value: ProposalNamespace(
                    chains: unique((first?.chains ?? []) + (second?.chains ?? [])),
                    methods: unique((first?.methods ?? []) + (second?.methods ?? [])),
                    events: unique((first?.events ?? []) + (second?.events ?? [])))
            )
        }
    }

    /// Dictionary form of the ordered `mergeRequiredAndOptional(required:optional:)`.
    package static func mergeRequiredAndOptional(
        required: ProposalNamespaces, optional: ProposalNamespaces
    ) -> ProposalNamespaces {
        dictionary(mergeRequiredAndOptional(required: ordered(required), optional: ordered(optional)))
    }

    // MARK: §7.8 buildNamespacesFromAuth

    /// JS `buildNamespacesFromAuth(methods, accounts)`: accounts (`did:pkh:` prefix optional) grouped by
    /// namespace in order of first appearance, with events `chainChanged` and `accountsChanged`.
    package static func fromAuth(methods: [String], accounts: [String]) -> NamespaceEntries<SessionNamespace> {
        var result: NamespaceEntries<SessionNamespace> = []
        for raw in accounts {
            let account = raw.hasPrefix("did:pkh:") ? String(raw.dropFirst("did:pkh:".count)) : raw
            let namespace = account.namespacePrefix
            let chain = AccountID.chainPrefix(of: account)
            if let index = result.firstIndex(where: { $0.key == namespace }) {
                result[index].value.accounts = unique(result[index].value.accounts + [account])
                result[index].value.chains = unique((result[index].value.chains ?? []) + [chain])
            } else {
                result.append(
                    (
                        key: namespace,
                        value: SessionNamespace(
                            chains: [chain], accounts: [account], methods: methods,
                            events: ["chainChanged", "accountsChanged"])
                    ))
            }
        }
        return result
    }

    /// Dictionary form of ``fromAuth(methods:accounts:)``.
    package static func buildNamespacesFromAuth(methods: [String], accounts: [String]) -> SessionNamespaces {
        dictionary(fromAuth(methods: methods, accounts: accounts))
    }

    // MARK: utilities

    /// Removes duplicates, keeping the first occurrence.
    static func unique(_ values: [String]) -> [String] {
        var seen = Set<String>()
        return values.filter { seen.insert($0).inserted }
    }
}
