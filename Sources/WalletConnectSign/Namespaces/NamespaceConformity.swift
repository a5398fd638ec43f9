extension NamespaceValidator {
    /// JS `isConformingNamespaces(required, approved, context)` over ordered entries: the one
    /// `NON_CONFORMING_NAMESPACES` (9) error, or `nil`.
    ///
    /// Precedence (§7.1): a chains error replaces a keys error; the inline-account and
    /// methods/events checks run only while no error is set, and their first failure wins. Linear in the sizes
    /// (sets and a chain index instead of nested searches).
    package static func conformingError(
        required: NamespaceEntries<ProposalNamespace>, approved: NamespaceEntries<SessionNamespace>, context: String
    ) -> SDKError? {
        let requiredChainsMap = required.map { entry in
            (key: entry.key, chains: entry.key.isInlineChainKey ? [entry.key] : (entry.value.chains ?? []))
        }
        let approvedChainsMap = approved.map { entry in
            (
                key: entry.key,
                chains: entry.key.isInlineChainKey
                    ? [entry.key] : entry.value.accounts.map(AccountID.chainPrefix(of:))
            )
        }
        let requiredKeys = Namespaces.unique(required.map(\.key.namespacePrefix))
        let approvedKeys = Namespaces.unique(approved.map(\.key.namespacePrefix))
        let requiredChains = requiredChainsMap.flatMap(\.chains)
        let approvedChains = approvedChainsMap.flatMap(\.chains)

        var error: SDKError?
        if !requiredKeys.allSatisfy(Set(approvedKeys).contains) {
            error = .internal(
                .nonConformingNamespaces,
                context: "\(context) namespaces keys don't satisfy requiredNamespaces.\n"
                    + "      Required: \(requiredKeys.joined(separator: ","))\n"
                    + "      Received: \(approvedKeys.joined(separator: ","))")
        }
        if !requiredChains.allSatisfy(Set(approvedChains).contains) {
            error = .internal(
                .nonConformingNamespaces,
                context: "\(context) namespaces chains don't satisfy required namespaces.\n"
                    + "      Required: \(requiredChains.joined(separator: ","))\n"
                    + "      Approved: \(approvedChains.joined(separator: ","))")
        }
        if let error { return error }

        for (key, namespace) in approved where key.isInlineChainKey {
            let accountChains = namespace.accounts.map(AccountID.chainPrefix(of:))
            if !accountChains.contains(key) {
                return .internal(
                    .nonConformingNamespaces,
                    context: "\(context) namespaces accounts don't satisfy namespace accounts for \(key)\n"
                        + "        Required: \(key)\n"
                        + "        Approved: \(accountChains.joined(separator: ","))")
            }
        }

        // The approved entries naming each chain (in entry order), and the methods and events they allow together,
        // computed once per distinct set of entries: linear in the sizes instead of chains × entries.
        var entriesByChain: [String: [Int]] = [:]
        for (index, entry) in approvedChainsMap.enumerated() {
            for chain in Set(entry.chains) { entriesByChain[chain, default: []].append(index) }
        }
        var allowed: [[Int]: (methods: Set<String>, events: Set<String>)] = [:]
        for (index, entry) in required.enumerated() {
            for chain in requiredChainsMap[index].chains {
                let matching = entriesByChain[chain] ?? []
                let union =
                    allowed[matching]
                    ?? (
                        methods: Set(matching.flatMap { approved[$0].value.methods }),
                        events: Set(matching.flatMap { approved[$0].value.events })
                    )
                allowed[matching] = union
                if !entry.value.methods.allSatisfy(union.methods.contains) {
                    return .internal(
                        .nonConformingNamespaces,
                        context: "\(context) namespaces methods don't satisfy namespace methods for \(chain)")
                }
                if !entry.value.events.allSatisfy(union.events.contains) {
                    return .internal(
                        .nonConformingNamespaces,
                        context: "\(context) namespaces events don't satisfy namespace events for \(chain)")
                }
            }
        }
        return nil
    }

    /// Dictionary form of the ordered `conformingError(required:approved:context:)`.
    package static func conformingError(
        required: ProposalNamespaces, approved: SessionNamespaces, context: String
    ) -> SDKError? {
        conformingError(required: Namespaces.ordered(required), approved: Namespaces.ordered(approved), context: context)
    }

    /// JS `isSessionCompatible(session, {requiredNamespaces})`: every required namespace is present, its
    /// chains are among the session's account chains, and its methods and events are approved.
    package static func isSessionCompatible(
        _ sessionNamespaces: SessionNamespaces, requiredNamespaces: ProposalNamespaces
    ) -> Bool {
        for (key, required) in requiredNamespaces {
            let namespace = key.namespacePrefix
            let matching = sessionNamespaces.filter { $0.key.namespacePrefix == namespace }.map(\.value)
            if matching.isEmpty { return false }
            let chains = Set(Namespaces.chains(ofAccounts: matching.flatMap(\.accounts)))
            let requiredChains = key.isInlineChainKey ? [key] : (required.chains ?? [])
            guard requiredChains.allSatisfy(chains.contains) else { return false }
            let methods = Set(matching.flatMap(\.methods))
            let events = Set(matching.flatMap(\.events))
            guard required.methods.allSatisfy(methods.contains), required.events.allSatisfy(events.contains) else {
                return false
            }
        }
        return true
    }
}
