import WalletConnectCore

extension SignValidation {
    /// `update()` validation (§3.6, with the 2.23.10 controller rule). Returns the session.
    ///
    /// `params`: `{topic, namespaces}`.
    /// - Throws: ``SDKError``: topic errors, `Unauthorized update request.` (3003) when this client is
    ///   not the controller, namespace errors (context `update()`).
    package static func update(_ params: JSONValue?, state: SignValidationState) throws -> Session {
        let params = try requireParams(params, api: "update")
        let session = try sessionTopic(params["topic"], state: state)
        guard session.isSelfController else { throw SDKError.sdk(.unauthorizedUpdateRequest) }
        if let error = NamespaceValidator.validateSessionNamespaces(params["namespaces"], method: "update()") {
            throw error
        }
        let namespaces = try params["namespaces"]?.decode(as: SessionNamespaces.self) ?? [:]
        if let error = NamespaceValidator.conformingError(
            required: session.requiredNamespaces ?? [:], approved: namespaces, context: "update()")
        {
            throw error
        }
        return session
    }

    /// `extend()` validation (§3.7). Returns the session.
    ///
    /// - Throws: ``SDKError``: params and session-topic errors.
    package static func extend(_ params: JSONValue?, state: SignValidationState) throws -> Session {
        let params = try requireParams(params, api: "extend")
        return try sessionTopic(params["topic"], state: state)
    }

    /// `request()` validation (dapp side, §3.8). Returns the session.
    ///
    /// `params`: `{topic, chainId, request: {method, params}, expiry?}`.
    /// - Throws: ``SDKError`` with the JS message.
    package static func request(_ params: JSONValue?, state: SignValidationState) throws -> Session {
        let params = try requireParams(params, api: "request")
        let session = try sessionTopic(params["topic"], state: state)
        let chain = try sessionChain(params["chainId"], in: session, api: "request")
        let request = params["request"]
        guard let request, request.isObjectWithData, let method = request["method"], method.isNonBlankString,
            let name = method.stringValue
        else {
            throw SDKError.internal(.missingOrInvalid, context: "request() \(JSText.stringify(request))")
        }
        guard NamespaceValidator.isValidNamespacesRequest(session.namespaces, chainID: chain, method: name) else {
            throw SDKError.internal(.missingOrInvalid, context: "request() method: \(name)")
        }
        if let expiry = params["expiry"] {
            let bounds = SignLifetimes.sessionRequestExpiryBounds
            guard expiry.isNumber, let seconds = expiry.int64Value,
                NamespaceValidator.isValidRequestExpiry(seconds, bounds: bounds)
            else {
                throw SDKError.internal(
                    .missingOrInvalid,
                    context: "request() expiry: \(JSText.template(expiry)). Expiry must be a number (in seconds) "
                        + "between \(bounds.lowerBound) and \(bounds.upperBound)")
            }
        }
        return session
    }

    /// `respond()` validation (§3.8 step 6). Returns the session.
    ///
    /// `params`: `{topic, response: {id, jsonrpc, result | error}}`.
    /// - Throws: ``SDKError``: topic errors, `Missing or invalid. respond() response: <json>`, and
    ///   `Mismatched topic. …` when the pending request with that id belongs to another topic.
    package static func respond(_ params: JSONValue?, state: SignValidationState) throws -> Session {
        let params = try requireParams(params, api: "respond")
        let session = try sessionTopic(params["topic"], state: state)
        let response = params["response"]
        guard let response, isValidResponse(response), let id = response["id"]?.int64Value else {
            throw SDKError.internal(.missingOrInvalid, context: "respond() response: \(JSText.stringify(response))")
        }
        if let pending = state.pendingRequests[id], pending.topic != session.topic {
            throw SDKError.internal(
                .mismatchedTopic,
                context: "Request response topic mismatch. reqId: \(id), expected topic: \(pending.topic), "
                    + "received topic: \(session.topic)")
        }
        return session
    }

    /// `ping()` validation (§3.11).
    ///
    /// - Throws: ``SDKError``: params and session-or-pairing topic errors.
    package static func ping(_ params: JSONValue?, state: SignValidationState) throws -> SignTopicTarget {
        let params = try requireParams(params, api: "ping")
        return try sessionOrPairingTopic(params["topic"], state: state)
    }

    /// `emit()` validation (§3.9). Returns the session.
    ///
    /// `params`: `{topic, chainId, event: {name, data}}`.
    /// - Throws: ``SDKError`` with the JS message.
    package static func emit(_ params: JSONValue?, state: SignValidationState) throws -> Session {
        let params = try requireParams(params, api: "emit")
        let session = try sessionTopic(params["topic"], state: state)
        let chain = try sessionChain(params["chainId"], in: session, api: "emit")
        let event = params["event"]
        guard let event, event.isObjectWithData, let name = event["name"], name.isNonBlankString,
            let eventName = name.stringValue,
            NamespaceValidator.isValidNamespacesEvent(session.namespaces, chainID: chain, event: eventName)
        else {
            throw SDKError.internal(.missingOrInvalid, context: "emit() event: \(JSText.stringify(event))")
        }
        return session
    }

    /// `disconnect()` validation (§3.10).
    ///
    /// - Throws: ``SDKError``: params and session-or-pairing topic errors.
    package static func disconnect(_ params: JSONValue?, state: SignValidationState) throws -> SignTopicTarget {
        let params = try requireParams(params, api: "disconnect")
        return try sessionOrPairingTopic(params["topic"], state: state)
    }

    /// The `chainId` parameter of `request()` / `emit()`, which must be a chain of the session's namespaces.
    /// - Throws: ``SDKError`` `Missing or invalid. <api>() chainId: <value>`.
    private static func sessionChain(_ chainID: JSONValue?, in session: Session, api: String) throws -> String {
        guard let chain = chainID?.stringValue,
            NamespaceValidator.isValidNamespacesChainID(session.namespaces, chainID: chain)
        else {
            throw SDKError.internal(.missingOrInvalid, context: "\(api)() chainId: \(JSText.template(chainID))")
        }
        return chain
    }

    static func isValidResponse(_ response: JSONValue) -> Bool {
        guard case .object(let members) = response else { return false }
        guard let id = members["id"], id.isNumber, let jsonrpc = members["jsonrpc"], jsonrpc.isNonBlankString else {
            return false
        }
        return members["result"] != nil || members["error"] != nil
    }
}
