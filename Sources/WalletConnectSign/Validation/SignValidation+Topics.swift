import WalletConnectCore

/// Pure validators of the Sign API (§3.12, §7.4, §7.5 and the per-API checks), throwing ``SDKError``
/// with exactly the JS messages.
///
/// Failures that require clean-up by the engine:
/// - code ``SDKErrorCode/expired`` for a session or proposal: delete it (JS deletes before throwing);
/// - ``SDKErrorCode/missingOrInvalid`` with `session topic does not exist in keychain`: delete the session.
package enum SignValidation {
    /// §3.12: a valid, existing, unexpired session topic with its key present.
    ///
    /// - Throws: ``SDKError``: `Missing or invalid. session topic should be a string: <t>`,
    ///   `Missing or invalid. Record was recently deleted - session: <t>`,
    ///   `No matching key. session topic doesn't exist: <t>`, `Expired. session topic: <t>`,
    ///   `Missing or invalid. session topic does not exist in keychain: <t>`.
    package static func sessionTopic(_ topic: JSONValue?, state: SignValidationState) throws -> Session {
        guard let topic, topic.isNonBlankString, let text = topic.stringValue else {
            throw SDKError.internal(.missingOrInvalid, context: "session topic should be a string: \(JSText.template(topic))")
        }
        return try existingSession(text, state: state)
    }

    private static func existingSession(_ topic: String, state: SignValidationState) throws -> Session {
        if state.recentlyDeleted.contains(topic) {
            throw SDKError.internal(.missingOrInvalid, context: "Record was recently deleted - session: \(topic)")
        }
        guard let session = state.sessions[topic] else {
            throw SDKError.internal(.noMatchingKey, context: "session topic doesn't exist: \(topic)")
        }
        if session.isExpired(nowMilliseconds: state.nowMilliseconds) {
            throw SDKError.internal(.expired, context: "session topic: \(topic)")
        }
        if let keys = state.topicsWithSymKey, !keys.contains(topic) {
            throw SDKError.internal(.missingOrInvalid, context: "session topic does not exist in keychain: \(topic)")
        }
        return session
    }

    /// A valid, known, unexpired pairing topic.
    ///
    /// - Throws: ``SDKError``: `Missing or invalid. pairing topic should be a string: <t>`,
    ///   `No matching key. pairing topic doesn't exist: <t>`, `Expired. pairing topic: <t>`.
    package static func pairingTopic(_ topic: JSONValue?, state: SignValidationState) throws -> String {
        guard let topic, topic.isNonBlankString, let text = topic.stringValue else {
            throw SDKError.internal(.missingOrInvalid, context: "pairing topic should be a string: \(JSText.template(topic))")
        }
        return try existingPairing(text, state: state)
    }

    private static func existingPairing(_ topic: String, state: SignValidationState) throws -> String {
        if state.recentlyDeleted.contains(topic) {
            throw SDKError.internal(.missingOrInvalid, context: "Record was recently deleted - pairing: \(topic)")
        }
        guard let expiry = state.pairingExpiries[topic] else {
            throw SDKError.internal(.noMatchingKey, context: "pairing topic doesn't exist: \(topic)")
        }
        if state.nowMilliseconds >= Expiry.milliseconds(fromSeconds: expiry) {
            throw SDKError.internal(.expired, context: "pairing topic: \(topic)")
        }
        return topic
    }

    /// A session or pairing topic (`ping`, `disconnect`).
    ///
    /// - Throws: ``SDKError``: `Missing or invalid. session or pairing topic should be a string: <t>`,
    ///   `No matching key. session or pairing topic doesn't exist: <t>`, or the session/pairing checks.
    package static func sessionOrPairingTopic(_ topic: JSONValue?, state: SignValidationState) throws -> SignTopicTarget {
        guard let topic, topic.isNonBlankString, let text = topic.stringValue else {
            throw SDKError.internal(
                .missingOrInvalid, context: "session or pairing topic should be a string: \(JSText.template(topic))")
        }
        if state.sessions[text] != nil { return .session(try existingSession(text, state: state)) }
        if state.pairingExpiries[text] != nil { return .pairing(try existingPairing(text, state: state)) }
        if state.recentlyDeleted.contains(text) {
            throw SDKError.internal(.missingOrInvalid, context: "Record was recently deleted - session: \(text)")
        }
        throw SDKError.internal(.noMatchingKey, context: "session or pairing topic doesn't exist: \(text)")
    }

    /// A numeric, existing, unexpired proposal id.
    ///
    /// - Throws: ``SDKError``: `Missing or invalid. proposal id should be a number: <id>`,
    ///   `No matching key. proposal id doesn't exist: <id>`, `Expired. proposal id: <id>`.
    package static func proposalID(_ id: JSONValue?, state: SignValidationState) throws -> Proposal {
        guard let id, id.isNumber, let number = id.int64Value else {
            throw SDKError.internal(.missingOrInvalid, context: "proposal id should be a number: \(JSText.template(id))")
        }
        if state.recentlyDeleted.contains(String(number)) {
            throw SDKError.internal(.missingOrInvalid, context: "Record was recently deleted - proposal: \(number)")
        }
        guard let proposal = state.proposals[number] else {
            throw SDKError.internal(.noMatchingKey, context: "proposal id doesn't exist: \(number)")
        }
        if proposal.isExpired(nowMilliseconds: state.nowMilliseconds) {
            throw SDKError.internal(.expired, context: "proposal id: \(number)")
        }
        return proposal
    }

    /// Requires `params` to be an object: `Missing or invalid. <api>() params: <params>`.
    static func requireParams(_ params: JSONValue?, api: String) throws -> JSONValue {
        guard let params, case .object = params else {
            throw SDKError.internal(.missingOrInvalid, context: "\(api)() params: \(JSText.template(params))")
        }
        return params
    }
}
