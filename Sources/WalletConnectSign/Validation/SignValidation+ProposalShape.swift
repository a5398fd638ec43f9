import WalletConnectCore

extension SignValidation {
    /// What a wallet checks on a received `wc_sessionPropose` besides the `connect()` rules, so that a proposal it
    /// announces can be approved: the namespace sizes stay within `limits`, and the proposer's public key is one a
    /// session key can be derived from.
    ///
    /// Anyone who sees a pairing URI may propose; a proposal failing here is answered with the returned error (tag
    /// 1121) and never stored or announced.
    /// - Returns: ``NamespaceLimitError/sdkError`` for an oversized proposal, the error of
    ///   ``proposerKeyError(_:)``, or `nil`.
    package static func proposalShapeError(
        _ params: SessionProposeParams, limits: NamespaceLimits = .default
    ) -> SDKError? {
        do {
            try limits.check(required: params.requiredNamespaces, optional: params.optionalNamespaces ?? [:])
        } catch {
            return error.sdkError
        }
        return proposerKeyError(params.proposer.publicKey)
    }

    /// Everything a wallet checks on a `wc_sessionPropose` that arrived on `pairingTopic`, as a pure function of
    /// `state` (the engine passes the records the params name): ``proposalShapeError(_:limits:)`` first, then a
    /// `pairingTopic` in the params must be the one the proposal arrived on, then ``receivedProposal(_:state:)``
    /// with the arrival pairing counted as known (expiring 300 s after `state.nowMilliseconds` when `state` does
    /// not list it).
    ///
    /// A proposal passing here is stored and announced; one failing is answered with the returned error (tag 1121).
    /// - Returns: The first failing check's ``SDKError``, or `nil`.
    package static func receivedProposalError(
        _ params: SessionProposeParams, pairingTopic: String, state: SignValidationState,
        limits: NamespaceLimits = .default
    ) -> SDKError? {
        if let error = proposalShapeError(params, limits: limits) { return error }
        var state = state
        if state.pairingExpiries[pairingTopic] == nil {
            state.pairingExpiries[pairingTopic] = state.nowMilliseconds / 1000 + SignLifetimes.proposal
        }
        if let topic = params.pairingTopic, topic != pairingTopic {
            return .internal(.mismatchedTopic, context: "proposal pairing topic: \(topic)")
        }
        do {
            try receivedProposal(params, state: state)
            return nil
        } catch let error as SDKError {
            return error
        } catch {
            return .internal(.missingOrInvalid, context: "session proposal")
        }
    }

    /// Whether `publicKey` (a proposer's or requester's X25519 key) can make a session key: 32 bytes of hex, and
    /// not a low-order point (all zero, 1, the order-8 points…), for which key agreement yields no secret.
    /// - Returns: `Missing or invalid. proposer public key: not 32 bytes of hex` /
    ///   `… : a low-order X25519 point` (code 5), or `nil`.
    package static func proposerKeyError(_ publicKey: String, role: String = "proposer") -> SDKError? {
        guard publicKey.utf8.count == 2 * X25519.keyLength, let bytes = try? Hex.decode(publicKey) else {
            return .internal(.missingOrInvalid, context: "\(role) public key: not 32 bytes of hex")
        }
        guard X25519.isUsablePeerKey(bytes) else {
            return .internal(.missingOrInvalid, context: "\(role) public key: a low-order X25519 point")
        }
        return nil
    }
}
