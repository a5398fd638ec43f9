import WalletConnectCore

/// The namespace validators of §7.1, returning the exact JS errors (`nil` when valid).
///
/// Functions that take JSON accept untyped input (as the JS validators do); typed overloads
/// encode and delegate. Dictionary inputs are visited in sorted key order; the ordered overloads
/// visit entries in the given order (JS insertion order), which decides which error is reported
/// first and the order of chains listed in messages.
package enum NamespaceValidator {
    /// JS `isValidChainId`.
    package static func isValidChainID(_ value: JSONValue?) -> Bool {
        guard let text = value?.stringValue else { return false }
        return ChainID.isValid(text)
    }

    /// JS `isValidAccountId`.
    package static func isValidAccountID(_ value: JSONValue?) -> Bool {
        guard let text = value?.stringValue else { return false }
        return AccountID.isValid(text)
    }

    // MARK: isValidRequiredNamespaces

    /// JS `isValidRequiredNamespaces(input, method, type)`: proposal namespaces (`type` is
    /// `requiredNamespaces` or `optionalNamespaces`).
    package static func validateProposalNamespaces(_ input: JSONValue?, method: String, type: String) -> SDKError? {
        guard let input, input.isObjectWithData, let members = input.objectValue else {
            return .internal(.missingOrInvalid, context: "\(method), \(type) should be an object with data")
        }
        let context = "\(method) \(type)"
        for key in members.keys.sorted() {
            let entry = members[key] ?? .null
            let actionsError = validateActions(entry, context: context)
            let chainsError = validateChains(key: key, entry: entry, context: context)
            if let error = chainsError ?? actionsError { return error }
        }
        return nil
    }

    /// Typed form of ``validateProposalNamespaces(_:method:type:)``.
    package static func validateProposalNamespaces(_ namespaces: ProposalNamespaces, method: String, type: String) -> SDKError? {
        validateProposalNamespaces(try? JSONValue(encoding: namespaces), method: method, type: type)
    }

    private static func validateChains(key: String, entry: JSONValue, context: String) -> SDKError? {
        let chains: [JSONValue]
        if key.isInlineChainKey {
            chains = [.string(key)]
        } else {
            chains = entry["chains"]?.arrayValue ?? []
        }
        guard !chains.isEmpty else {
            return .sdk(
                .unsupportedChains,
                context: "\(context), chains must be defined as \"namespace:chainId\" e.g. \"eip155:1\": {...} in the "
                    + "namespace key OR as an array of CAIP-2 chainIds e.g. eip155: { chains: [\"eip155:1\", \"eip155:5\"] }")
        }
        for chain in chains where !isValidChainID(chain) {
            return .sdk(
                .unsupportedChains,
                context: "\(context), chain \(JSText.template(chain)) should be a string and conform to \"namespace:chainId\" format")
        }
        return nil
    }

    private static func validateActions(_ entry: JSONValue, context: String) -> SDKError? {
        if !(entry["methods"]?.isArrayOfNonBlankStrings ?? false) {
            return .sdk(
                .unsupportedMethods,
                context: "\(context), methods should be an array of strings or empty array for no methods")
        }
        if !(entry["events"]?.isArrayOfNonBlankStrings ?? false) {
            return .sdk(
                .unsupportedEvents,
                context: "\(context), events should be an array of strings or empty array for no events")
        }
        return nil
    }

    // MARK: isValidNamespaces

    /// JS `isValidNamespaces(input, method)`: approved / settled / updated namespaces.
    package static func validateSessionNamespaces(_ input: JSONValue?, method: String) -> SDKError? {
        guard let input, input.isObjectWithData, let members = input.objectValue else {
            return .internal(.missingOrInvalid, context: "\(method), namespaces should be an object with data")
        }
        for key in members.keys.sorted() {
            let entry = members[key] ?? .null
            if let error = validateAccounts(entry["accounts"], context: "\(method) namespace") { return error }
            if let error = validateActions(entry, context: "\(method), namespace") { return error }
        }
        return nil
    }

    /// Typed form of ``validateSessionNamespaces(_:method:)`` (what a settle or update from the peer carries):
    /// first the ``NamespaceLimits/default`` bounds (their ``NamespaceLimitError/sdkError``), then the JS checks.
    package static func validateSessionNamespaces(_ namespaces: SessionNamespaces, method: String) -> SDKError? {
        do {
            try NamespaceLimits.default.check(session: namespaces)
        } catch {
            return error.sdkError
        }
        return validateSessionNamespaces(try? JSONValue(encoding: namespaces), method: method)
    }

    private static func validateAccounts(_ accounts: JSONValue?, context: String) -> SDKError? {
        guard let list = accounts?.arrayValue else {
            return .sdk(
                .unsupportedAccounts,
                context: "\(context), accounts should be an array of strings conforming to \"namespace:chainId:address\" format")
        }
        for account in list where !isValidAccountID(account) {
            return .sdk(
                .unsupportedAccounts,
                context: "\(context), account \(JSText.template(account)) should be a string and conform to "
                    + "\"namespace:chainId:address\" format")
        }
        return nil
    }

    // MARK: chain / request / event checks

    /// JS `isValidNamespacesChainId`: `chainID` is CAIP-2 and one of the chains derived from the accounts.
    package static func isValidNamespacesChainID(_ namespaces: SessionNamespaces, chainID: String) -> Bool {
        guard ChainID.isValid(chainID) else { return false }
        return Namespaces.chains(of: namespaces).contains(chainID)
    }

    /// JS `isValidNamespacesRequest`: `method` is approved for a namespace whose accounts include `chainID`.
    package static func isValidNamespacesRequest(_ namespaces: SessionNamespaces, chainID: String, method: String) -> Bool {
        Namespaces.methods(forChain: chainID, in: namespaces).contains(method)
    }

    /// JS `isValidNamespacesEvent`: `event` is approved for a namespace whose accounts include `chainID`.
    package static func isValidNamespacesEvent(_ namespaces: SessionNamespaces, chainID: String, event: String) -> Bool {
        Namespaces.events(forChain: chainID, in: namespaces).contains(event)
    }

    /// JS `isValidRequestExpiry`: `expiry` (seconds) within the inclusive bounds.
    package static func isValidRequestExpiry(
        _ expiry: Int64, bounds: ClosedRange<Int64> = SignLifetimes.sessionRequestExpiryBounds
    ) -> Bool {
        bounds.contains(expiry)
    }

    /// JS `isValidErrorReason`: `{code: non-zero number, message: non-blank string}`.
    package static func isValidErrorReason(_ reason: JSONValue?) -> Bool {
        guard let reason, case .object = reason else { return false }
        return (reason["code"]?.isNonZeroNumber ?? false) && (reason["message"]?.isNonBlankString ?? false)
    }
}
