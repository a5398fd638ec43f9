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
    /// - Throws: ``CLIError`` when there is nothing to offer.
    func accounts(forRequestedChains requestedChains: [String]) throws -> [String] {
        if !accounts.isEmpty { return accounts }
        guard let address else { throw CLIError("no accounts: pass --accounts or --private-key") }
        let chains = requestedChains.filter { $0.hasPrefix("eip155:") }
        guard !chains.isEmpty else { throw CLIError("the dapp requests no eip155 chain for the key's address") }
        return chains.map { "\($0):\(address.checksummed)" }
    }

    /// The namespaces approving `proposal`: `buildApprovedNamespaces` over the proposal and, per namespace of the
    /// accounts, the accounts' chains with the proposal's methods and events.
    /// - Throws: ``CLIError`` (no accounts, nothing in common), or the builder's error.
    func namespaces(for proposal: Proposal) throws -> SessionNamespaces {
        let requested = Namespaces.mergeRequiredAndOptional(
            required: Namespaces.ordered(proposal.requiredNamespaces),
            optional: Namespaces.ordered(proposal.optionalNamespaces))
        let requestedChains = requested.flatMap { $0.value.chains ?? [] }
        let offered = try accounts(forRequestedChains: requestedChains)
        var supported: SessionNamespaces = [:]
        for account in offered {
            let chain = PersonalSign.chain(ofAccount: account)
            let key = String(chain.split(separator: ":").first ?? "")
            let wanted = requested.first(where: { $0.key == key })?.value
            var entry = supported[key] ?? SessionNamespace(
                chains: [], accounts: [], methods: wanted?.methods ?? [], events: wanted?.events ?? [])
            if !(entry.chains ?? []).contains(chain) { entry.chains = (entry.chains ?? []) + [chain] }
            if !entry.accounts.contains(account) { entry.accounts.append(account) }
            supported[key] = entry
        }
        let approved = try Namespaces.buildApprovedNamespaces(proposal: proposal, supportedNamespaces: supported)
        guard !approved.isEmpty else {
            throw CLIError("none of the accounts is on a chain the dapp requests (\(requestedChains.joined(separator: ",")))")
        }
        return approved
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
