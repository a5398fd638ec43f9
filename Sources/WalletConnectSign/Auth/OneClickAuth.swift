/// The pure steps of one-click auth (sign.md §9): what a wallet can sign, the message, the CACAO,
/// and the session an approval creates.
package enum OneClickAuth {
    /// The events every auth-derived namespace gets.
    package static let sessionEvents = ["chainChanged", "accountsChanged"]

    /// JS `formatMessage` / `formatAuthMessage`: see ``SIWEMessage/format(request:iss:)``.
    /// - Throws: ``AuthError`` (`.missingAudience`, `.statementContainsLineBreak`, …).
    package static func formatAuthMessage(request: AuthPayload, iss: String) throws -> String {
        try SIWEMessage.format(request: request, iss: iss)
    }

    /// JS `populateAuthPayload`: narrows a request to the chains and methods the wallet supports.
    ///
    /// 1. `chains` empty → `authPayload` unchanged.
    /// 2. Requested chains (request order) the wallet supports; none → `No supported chains`.
    /// 3. Last resource not a ReCap → `authPayload` unchanged (chains not narrowed).
    /// 4. If the ReCap has `eip155`: keep its actions the wallet supports (none → throws), replace
    ///    the resource by `request/<action>` abilities limited to the supported chains, re-sort,
    ///    re-encode into the last resource.
    /// 5. Statement = ReCap statement appended to the original one; chains = supported chains.
    /// - Throws: ``AuthError`` `.noSupportedChains`, `.unsupportedMethods` (JS texts), `.invalidRecap`.
    package static func populateAuthPayload(authPayload: AuthPayload, chains: [String], methods: [String]) throws
        -> AuthPayload
    {
        guard !chains.isEmpty else { return authPayload }
        let supportedChains = commonValues(authPayload.chains, chains)
        guard !supportedChains.isEmpty else { throw AuthError(.noSupportedChains, "No supported chains") }
        guard let encoded = ReCap.encodedReCap(in: authPayload.resources) else { return authPayload }

        var recap = try ReCap(encoded: encoded)
        var lastResource = encoded
        if recap.attenuations.contains(where: { $0.resource == "eip155" }) {
            let requested = recap.methods
            let supported = requested.filter { methods.contains($0) }
            guard !supported.isEmpty else {
                let requestedJSON = AuthJSON.array(requested.map(AuthJSON.string)).jsonString
                let supportedJSON = AuthJSON.array(methods.map(AuthJSON.string)).jsonString
                throw AuthError(
                    .unsupportedMethods,
                    "Supported methods don't satisfy the requested: \(requestedJSON), supported: \(supportedJSON)")
            }
            let limits = AuthJSON.object([("chains", .array(supportedChains.map(AuthJSON.string)))])
            let narrowed = try ReCap.create(resource: "eip155", ability: "request", actions: supported, limits: limits)
            let rest = recap.removingResource("eip155")
            if let others = rest["att"]?.members, !others.isEmpty {
                recap = try narrowed.merging(ReCap(json: rest))
            } else {
                recap = narrowed
            }
            lastResource = recap.encoded
        }

        var result = authPayload
        var resources = authPayload.resources ?? []
        resources[resources.count - 1] = lastResource
        result.resources = resources
        result.statement = try ReCap.buildStatement(authPayload.statement ?? "", encodedReCap: lastResource)
        result.chains = supportedChains
        return result
    }

    /// JS `getCommonValuesInArrays`: the values of `first` (in its order) that `second` contains.
    package static func commonValues(_ first: [String], _ second: [String]) -> [String] {
        first.filter { second.contains($0) }
    }

    /// Dapp side of `authenticate()` (sign.md §9.1): with non-empty `methods`, a ReCap
    /// `{"eip155": {"request/<method>": [{}]…}}` is merged into the last resource if it is a ReCap,
    /// or appended otherwise.
    /// - Throws: ``AuthError`` `.invalidRecap` if the last resource is a malformed ReCap.
    package static func authenticateResources(resources: [String]?, methods: [String]) throws -> [String]? {
        guard !methods.isEmpty else { return resources }
        let recap = try ReCap.create(resource: "eip155", ability: "request", actions: methods)
        var result = resources ?? []
        if let last = ReCap.encodedReCap(in: result) {
            result[result.count - 1] = try recap.merging(ReCap(encoded: last)).encoded
        } else {
            result.append(recap.encoded)
        }
        return result
    }

    /// JS `buildAuthObject`: the CACAO for a signed payload. A bare CAIP-10 `iss` gets `did:pkh:`;
    /// `type`, `chains` and `signatureTypes` are not copied.
    /// - Throws: ``AuthError`` `.missingAudience` when the payload has neither `aud` nor `uri`.
    package static func buildAuthObject(requestPayload: AuthPayload, signature: CacaoSignature, iss: String) throws
        -> Cacao
    {
        guard let audience = requestPayload.audience else {
            throw AuthError(.missingAudience, "Either `aud` or `uri` is required to construct the message")
        }
        let issuer = iss.hasPrefix(DIDPKH.prefix) ? iss : DIDPKH.prefix + iss
        let payload = CacaoPayload(
            iss: issuer, domain: requestPayload.domain, aud: audience, version: requestPayload.version,
            nonce: requestPayload.nonce, iat: requestPayload.iat, statement: requestPayload.statement,
            requestID: requestPayload.requestID, resources: requestPayload.resources, nbf: requestPayload.nbf,
            exp: requestPayload.exp)
        return Cacao(header: CacaoHeader(), payload: payload, signature: signature)
    }

    /// What an approval grants (sign.md §9.2 step 3), in first-seen order: for each CACAO, the
    /// issuer's chain plus the chains of its ReCap; accounts `<chain>:<issuer address>`; methods =
    /// actions of the `eip155` ReCap resource.
    package struct Approval: Sendable, Hashable {
        /// CAIP-2 chains.
        package var chains: [String]
        /// CAIP-10 accounts.
        package var accounts: [String]
        /// Approved methods (empty for SIWE-only: no session is created).
        package var methods: [String]
    }

    /// Summarises the approved chains, accounts and methods of signed CACAOs.
    /// - Throws: ``AuthError`` `.invalidIssuer` or `.invalidRecap`.
    package static func approval(for cacaos: [Cacao]) throws -> Approval {
        var approval = Approval(chains: [], accounts: [], methods: [])
        for cacao in cacaos {
            let issuer = try DIDPKH(cacao.payload.iss)
            var chains = [issuer.chainID]
            if let recap = try ReCap.decoded(from: cacao.payload.resources) {
                chains.append(contentsOf: recap.chains)
                approval.methods.appendUnique(contentsOf: recap.methods)
            }
            approval.chains.appendUnique(contentsOf: chains)
            approval.accounts.appendUnique(contentsOf: chains.map { "\($0):\(issuer.address)" })
        }
        return approval
    }

    /// JS `buildNamespacesFromAuth(methods, accounts)` (sign.md §7.8): accounts (a `did:pkh:`
    /// prefix is stripped) grouped by namespace in order of first appearance, each with its chains,
    /// `methods` and the `chainChanged`/`accountsChanged` events.
    package static func buildNamespacesFromAuth(methods: [String], accounts: [String]) -> [String: SessionNamespace] {
        var order: [String] = []
        var grouped: [String: (accounts: [String], chains: [String])] = [:]
        for raw in accounts {
            let account = raw.hasPrefix(DIDPKH.prefix) ? String(raw.dropFirst(DIDPKH.prefix.count)) : raw
            let parts = account.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count >= 2 else { continue }
            let namespace = String(parts[0])
            let chain = "\(parts[0]):\(parts[1])"
            if grouped[namespace] == nil {
                order.append(namespace)
                grouped[namespace] = ([], [])
            }
            grouped[namespace]?.accounts.appendUnique(contentsOf: [account])
            grouped[namespace]?.chains.appendUnique(contentsOf: [chain])
        }
        var namespaces: [String: SessionNamespace] = [:]
        for namespace in order {
            guard let entry = grouped[namespace] else { continue }
            namespaces[namespace] = SessionNamespace(
                chains: entry.chains, accounts: entry.accounts, methods: methods, events: sessionEvents)
        }
        return namespaces
    }
}

extension Array where Element: Equatable {
    fileprivate mutating func appendUnique(contentsOf values: [Element]) {
        for value in values where !contains(value) { append(value) }
    }
}
