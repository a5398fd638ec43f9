import Foundation
import WalletConnectCore
import WalletConnectSign

/// What the CLI wallet approves: namespaces for a proposal, CACAOs for an authenticate request.
struct WalletApproval: Sendable {
    /// The accounts given with `--accounts` (CAIP-10); empty to derive them from the private key.
    var accounts: [String]
    /// The `--private-key`, if any.
    var privateKey: Data?

    /// The key's address, if a key was given.
    var address: EthereumAddress? {
        privateKey.flatMap { try? EthereumAddress(privateKey: $0) }
    }

    /// The accounts to offer for `requestedChains`: the `--accounts`, or the key's address on every requested
    /// `eip155` chain.
    /// - Throws: ``CLIError`` when there is nothing to offer; ``ProposalRefusal`` (5100) when the dapp asks for no
    ///   `eip155` chain for the key's address.
    func accounts(forRequestedChains requestedChains: [String]) throws -> [String] {
        if !accounts.isEmpty { return accounts }
        guard let address else { throw CLIError("no accounts: pass --accounts or --private-key") }
        let chains = requestedChains.filter { $0.hasPrefix("eip155:") }
        guard !chains.isEmpty else {
            throw ProposalRefusal(
                .unsupportedChains,
                "the wallet has eip155 accounts only; requested: \(ProposalRefusal.abbreviated(requestedChains))")
        }
        return chains.map { "\($0):\(address.checksummed)" }
    }

    /// The namespaces approving `proposal`: `buildApprovedNamespaces` over the proposal and, per namespace of the
    /// accounts, the accounts' chains with the proposal's methods and events.
    /// - Throws: ``ProposalRefusal`` when the wallet cannot meet the proposal (too large, no account on a
    ///   requested chain, a required namespace or chain it lacks), ``CLIError`` without accounts, or the builder's
    ///   error.
    func namespaces(for proposal: Proposal) throws -> SessionNamespaces {
        do {
            try NamespaceLimits.default.check(required: proposal.requiredNamespaces, optional: proposal.optionalNamespaces)
        } catch {
            throw ProposalRefusal(reason: error.sdkError)
        }
        let requested = Namespaces.mergeRequiredAndOptional(
            required: Namespaces.ordered(proposal.requiredNamespaces),
            optional: Namespaces.ordered(proposal.optionalNamespaces))
        let requestedChains = requested.flatMap { $0.value.chains ?? [] }
        let offered = try accounts(forRequestedChains: requestedChains)
        let wantedByKey = Namespaces.dictionary(requested)
        var supported: SessionNamespaces = [:]
        var seenChains = Set<String>()
        var seenAccounts = Set<String>()
        for account in offered {
            let chain = PersonalSign.chain(ofAccount: account)
            let key = String(chain.split(separator: ":").first ?? "")
            let wanted = wantedByKey[key]
            var entry = supported[key] ?? SessionNamespace(
                chains: [], accounts: [], methods: wanted?.methods ?? [], events: wanted?.events ?? [])
            if seenChains.insert(chain).inserted { entry.chains = (entry.chains ?? []) + [chain] }
            if seenAccounts.insert(account).inserted { entry.accounts.append(account) }
            supported[key] = entry
        }
        let approved: SessionNamespaces
        do {
            approved = try Namespaces.buildApprovedNamespaces(proposal: proposal, supportedNamespaces: supported)
        } catch let error as NamespaceLimitError {
            throw ProposalRefusal(reason: error.sdkError)
        } catch let error as SDKError where error.code == .nonConformingNamespaces {
            throw ProposalRefusal(reason: Self.unmetRequirement(of: proposal, supported: supported) ?? error)
        }
        guard !approved.isEmpty else {
            throw ProposalRefusal(
                .unsupportedChains,
                "none of the accounts is on a chain the dapp requests (\(ProposalRefusal.abbreviated(requestedChains)))")
        }
        return approved
    }

    /// The first required namespace, chain, method or event `supported` lacks, as the error its dapp is told:
    /// 5104, 5100, 5101 or 5102.
    static func unmetRequirement(of proposal: Proposal, supported: SessionNamespaces) -> SDKError? {
        let required = Namespaces.normalize(ordered: Namespaces.ordered(proposal.requiredNamespaces))
        for (key, wanted) in required {
            guard let offered = supported[key] else {
                return .sdk(.unsupportedNamespaceKey, context: "the wallet has no account in required namespace \(key)")
            }
            let chains = Set(offered.chains ?? [])
            let missingChains = (wanted.chains ?? []).filter { !chains.contains($0) }
            if !missingChains.isEmpty {
                return .sdk(
                    .unsupportedChains,
                    context: "the wallet has no account on required \(ProposalRefusal.abbreviated(missingChains))")
            }
            let methods = Set(offered.methods)
            let missingMethods = wanted.methods.filter { !methods.contains($0) }
            if !missingMethods.isEmpty {
                return .sdk(.unsupportedMethods, context: "required \(ProposalRefusal.abbreviated(missingMethods))")
            }
            let events = Set(offered.events)
            let missingEvents = wanted.events.filter { !events.contains($0) }
            if !missingEvents.isEmpty {
                return .sdk(.unsupportedEvents, context: "required \(ProposalRefusal.abbreviated(missingEvents))")
            }
        }
        return nil
    }

    /// One signed CACAO per requested chain the wallet supports (SIWE message signed with EIP-191).
    /// - Parameter methods: The methods the wallet grants if the request carries a ReCap.
    /// - Throws: ``CLIError`` without a key; ``AuthError`` when the payload cannot be narrowed or formatted.
    func cacaos(for request: PendingAuthRequest, methods: [String]) throws -> (cacaos: [Cacao], address: String) {
        guard let privateKey, let address else {
            throw CLIError("answering an authenticate request needs --private-key")
        }
        let offered = try accounts(forRequestedChains: request.authPayload.chains)
        let supportedChains = offered.filter {
            PersonalSign.address(ofAccount: $0).lowercased() == address.lowercased
        }.map(PersonalSign.chain(ofAccount:))
        let payload = try OneClickAuth.populateAuthPayload(
            authPayload: request.authPayload, chains: supportedChains, methods: methods)
        var cacaos: [Cacao] = []
        for chain in payload.chains {
            let iss = "did:pkh:\(chain):\(address.checksummed)"
            let message = try OneClickAuth.formatAuthMessage(request: payload, iss: iss)
            let signature = try EIP191.sign(message: message, privateKey: privateKey)
            cacaos.append(
                try OneClickAuth.buildAuthObject(
                    requestPayload: payload,
                    signature: CacaoSignature(type: CacaoSignatureType.eip191, signature: signature), iss: iss))
        }
        return (cacaos, address.checksummed)
    }
}
