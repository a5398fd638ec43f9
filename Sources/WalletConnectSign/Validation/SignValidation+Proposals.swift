import WalletConnectCore

extension SignValidation {
    /// `connect()` validation (§7.4); also applied to received proposals.
    ///
    /// `params` is the connect params object: `pairingTopic?`, `relays?`, `requiredNamespaces?`,
    /// `optionalNamespaces?`, `sessionProperties?`, `scopedProperties?`, `authentication?`.
    /// - Throws: ``SDKError`` with the JS message of the first failing check.
    package static func connect(_ params: JSONValue?, state: SignValidationState, method: String = "connect()") throws {
        let params = try requireParams(params, api: "connect")
        if let topic = params["pairingTopic"] {
            _ = try pairingTopic(topic, state: state)
        }
        if let relays = params["relays"], !isValidRelays(relays) {
            throw SDKError.internal(.missingOrInvalid, context: "\(method) relays: \(JSText.stringify(relays))")
        }
        for type in ["requiredNamespaces", "optionalNamespaces"] {
            guard let namespaces = params[type], namespaces != .object([:]) else { continue }
            if let error = NamespaceValidator.validateProposalNamespaces(namespaces, method: method, type: type) {
                throw error
            }
        }
        if let properties = params["sessionProperties"], !hasNonNullValues(properties) {
            throw SDKError.internal(
                .missingOrInvalid, context: "\(method) sessionProperties: \(JSText.stringify(properties))")
        }
        if let scoped = params["scopedProperties"] {
            let keys = Array((params["requiredNamespaces"]?.objectValue ?? [:]).keys.sorted())
                + Array((params["optionalNamespaces"]?.objectValue ?? [:]).keys.sorted())
            let allowed = Set(keys + keys.map(\.namespacePrefix))
            let scopedKeys = scoped.objectValue.map { Array($0.keys) } ?? []
            if scoped.objectValue == nil || !scopedKeys.allSatisfy({ allowed.contains($0.namespacePrefix) }) {
                throw SDKError(
                    code: .missingOrInvalid,
                    message: "Scoped properties must be a subset of required/optional namespaces, received: "
                        + "\(JSText.stringify(scoped)), required/optional namespaces: \(JSText.stringify(keys))")
            }
        }
        for request in params["authentication"]?.arrayValue ?? [] {
            guard let ttl = request["ttl"] else { continue }
            guard let seconds = ttl.int64Value, ttl.isNumber, (300...604_800).contains(seconds) else {
                throw SDKError.internal(
                    .missingOrInvalid,
                    context: "\(method) authentication ttl: \(JSText.template(ttl)). Must be between 300 and 604800 seconds")
            }
        }
    }

    /// Validates a received `wc_sessionPropose` like `connect()` (§3.2). The pairing topic is checked
    /// only when the params carry one.
    ///
    /// - Throws: ``SDKError``; the engine answers it with the auto-reject options (tag 1121).
    package static func receivedProposal(_ params: SessionProposeParams, state: SignValidationState) throws {
        let value = try JSONValue(encoding: params)
        try connect(value, state: state)
    }

    /// `approve()` validation (§7.5). Returns the proposal being approved.
    ///
    /// `params`: `{id, namespaces, relayProtocol?, sessionProperties?, scopedProperties?}`.
    /// - Throws: ``SDKError`` with the JS message (code ``SDKErrorCode/expired``: delete the proposal).
    package static func approve(_ params: JSONValue?, state: SignValidationState) throws -> Proposal {
        let params = params ?? .object([:])
        let proposal = try proposalID(params["id"], state: state)
        if let error = NamespaceValidator.validateSessionNamespaces(params["namespaces"], method: "approve()") {
            throw error
        }
        let namespaces = try params["namespaces"]?.decode(as: SessionNamespaces.self) ?? [:]
        if let error = NamespaceValidator.conformingError(
            required: proposal.requiredNamespaces, approved: namespaces, context: "approve()")
        {
            throw error
        }
        if let relayProtocol = params["relayProtocol"], !relayProtocol.isNonBlankString {
            throw SDKError.internal(
                .missingOrInvalid, context: "approve() relayProtocol: \(JSText.template(relayProtocol))")
        }
        if let properties = params["sessionProperties"], !hasNonNullValues(properties) {
            throw SDKError.internal(
                .missingOrInvalid, context: "approve() sessionProperties: \(JSText.stringify(properties))")
        }
        if let scoped = params["scopedProperties"] {
            let approvedKeys = namespaces.keys.sorted()
            let allowed = Set(approvedKeys + approvedKeys.map(\.namespacePrefix))
            let scopedKeys = scoped.objectValue.map { Array($0.keys) } ?? []
            if scoped.objectValue == nil || !scopedKeys.allSatisfy({ allowed.contains($0.namespacePrefix) }) {
                throw SDKError(
                    code: .missingOrInvalid,
                    message: "Scoped properties must be a subset of approved namespaces, received: "
                        + "\(JSText.stringify(scoped)), approved namespaces: \(approvedKeys.joined(separator: ", "))")
            }
        }
        return proposal
    }

    /// `reject()` validation (§3.4). Returns the proposal being rejected.
    ///
    /// `params`: `{id, reason: {code, message}}`.
    /// - Throws: ``SDKError`` with the JS message.
    package static func reject(_ params: JSONValue?, state: SignValidationState) throws -> Proposal {
        let params = try requireParams(params, api: "reject")
        let proposal = try proposalID(params["id"], state: state)
        if !NamespaceValidator.isValidErrorReason(params["reason"]) {
            throw SDKError.internal(.missingOrInvalid, context: "reject() reason: \(JSText.stringify(params["reason"]))")
        }
        return proposal
    }

    static func isValidRelays(_ relays: JSONValue) -> Bool {
        guard let list = relays.arrayValue else { return false }
        return list.allSatisfy { relay in
            guard case .object = relay else { return false }
            guard let name = relay["protocol"] else { return true }
            return name.isNonBlankString
        }
    }

    static func hasNonNullValues(_ properties: JSONValue) -> Bool {
        guard let members = properties.objectValue else { return false }
        return members.values.allSatisfy { $0 != .null }
    }
}
