import Logging
import WalletConnectCore

/// The result of ``SignClient/connect(requiredNamespaces:optionalNamespaces:sessionProperties:scopedProperties:pairingTopic:)``:
/// the URI to show the wallet and an awaitable approval.
public struct SignConnection: Sendable {
    /// The pairing URI (`wc:…`) to hand to the wallet; `nil` when an existing pairing was used.
    public let uri: String?
    /// The pairing topic the proposal was sent on.
    public let pairingTopic: String
    /// The proposal id (the JSON-RPC id of `wc_sessionPropose`).
    public let proposalID: Int64
    private let waitForApproval: @Sendable () async throws -> Session

    init(uri: String?, pairingTopic: String, proposalID: Int64, wait: @escaping @Sendable () async throws -> Session) {
        self.uri = uri
        self.pairingTopic = pairingTopic
        self.proposalID = proposalID
        self.waitForApproval = wait
    }

    /// Waits until the wallet settles the session. Call it once.
    /// - Returns: The settled session.
    /// - Throws: ``SDKError`` with the wallet's rejection (e.g. 5000 `User rejected.`), `{0, "Proposal expired"}`
    ///   when the proposal expires, ``SignEngineError/shutDown``, `CancellationError`.
    public func approval() async throws -> Session { try await waitForApproval() }
}

/// Dapp API (sign.md §3.5, §3.8 dapp side).
extension SignEngine {
    /// The error `approval()` throws when the proposal expires: `{code: 0, message: "Proposal expired"}`.
    package static let proposalExpiredError = SDKError(code: SDKErrorCode(0), message: "Proposal expired")

    /// Proposes a session. Deprecated `requiredNamespaces` are merged into `optionalNamespaces` (§7.3) and
    /// `requiredNamespaces` is sent empty. Creates a pairing unless `pairingTopic` names an existing one.
    ///
    /// - Returns: The URI and an awaitable approval.
    /// - Throws: ``SDKError`` (validation, JS messages), or the relay error.
    package func connect(
        requiredNamespaces: ProposalNamespaces = [:], optionalNamespaces: ProposalNamespaces = [:],
        sessionProperties: [String: JSONValue]? = nil, scopedProperties: [String: JSONValue]? = nil,
        pairingTopic: String? = nil, relays: [RelayProtocolOptions] = [RelayProtocolOptions()]
    ) async throws -> SignConnection {
        try requireStarted()
        var params: [String: JSONValue] = [
            "requiredNamespaces": try JSONValue(encoding: requiredNamespaces),
            "optionalNamespaces": try JSONValue(encoding: optionalNamespaces),
            "relays": try JSONValue(encoding: relays),
        ]
        if let pairingTopic { params["pairingTopic"] = .string(pairingTopic) }
        if let sessionProperties { params["sessionProperties"] = .object(sessionProperties) }
        if let scopedProperties { params["scopedProperties"] = .object(scopedProperties) }
        _ = try await validated(.connect, params: .object(params))

        let topic: String
        let uri: String?
        if let pairingTopic {
            topic = pairingTopic
            uri = nil
        } else {
            let created = try await createPairing(subscribe: options.proposeStyle == .publish)
            topic = created.topic
            uri = created.uri
        }
        let merged = Namespaces.mergeRequiredAndOptional(required: requiredNamespaces, optional: optionalNamespaces)
        let selfPublicKey = try await crypto.generateKeyPair()
        let id = nextPayloadID()
        let expiry = nowSeconds + SignLifetimes.proposal
        let proposeParams = SessionProposeParams(
            requiredNamespaces: [:], optionalNamespaces: merged, relays: relays,
            proposer: Participant(publicKey: selfPublicKey, metadata: metadata), expiryTimestamp: expiry,
            pairingTopic: topic, sessionProperties: sessionProperties, scopedProperties: scopedProperties, id: id)
        let proposal = Proposal(id: id, pairingTopic: topic, params: proposeParams, now: nowSeconds)
        try await proposals.set(proposal)
        try await expirer.set(.id(id), expiry: expiry)
        guard approvalWaiters.register(id) else { throw SignEngineError.shutDown }
        do {
            try await publishProposal(proposeParams, id: id, pairingTopic: topic, existingPairing: pairingTopic != nil)
        } catch {
            approvalWaiters.discard(id)
            await deleteProposal(id: id)
            throw error
        }
        logger.debug("sent proposal", metadata: ["wk.topic": "\(topic)", "wk.rpc.id": "\(id)"])
        let waiters = approvalWaiters
        let clock = self.clock
        // The expirer normally ends the wait first (``SignEvent/proposalExpire(id:)``); the clock is a backstop.
        let backstop = Duration.seconds(SignLifetimes.proposal) + .seconds(5)
        return SignConnection(uri: uri, pairingTopic: topic, proposalID: id) {
            try await Self.awaitValue(
                in: waiters, id: id, timeout: backstop, clock: clock, timeoutError: Self.proposalExpiredError)
        }
    }

    private func publishProposal(
        _ params: SessionProposeParams, id: Int64, pairingTopic: String, existingPairing: Bool
    ) async throws {
        let request = JSONRPCRequest(id: RPCID(id), method: SignMethod.sessionPropose.rawValue, params: try JSONValue(encoding: params))
        let message = try await seal(request, topic: pairingTopic)
        try await history.set(id: id, topic: pairingTopic, method: SignMethod.sessionPropose.rawValue, direction: .outgoing)
        switch options.proposeStyle {
        case .composite:
            try await relay.proposeSession(
                ProposeSessionParams(pairingTopic: pairingTopic, sessionProposal: message, correlationID: id))
        case .publish:
            if existingPairing { try await relay.subscribe(topic: pairingTopic) }
            try await relay.publish(
                topic: pairingTopic, message: message,
                options: publishOptions(SignMethod.sessionPropose.requestOptions, correlationID: id))
        }
    }

    /// Sends `wc_sessionRequest` and waits for the wallet's answer.
    ///
    /// - Parameters:
    ///   - topic: The session topic.
    ///   - chainID: The CAIP-2 chain the request is for (validated against the session's namespaces).
    ///   - method: The method (validated against the session's namespaces).
    ///   - params: The method's params.
    ///   - expiry: Seconds the request stays valid, within [300, 604800] (default 900). Published with that ttl
    ///     and carried as `expiryTimestamp = now + expiry`.
    /// - Returns: The wallet's result.
    /// - Throws: ``SDKError`` (validation, the wallet's error with its code, 6000 when the session is deleted,
    ///   8000 when the request expires unanswered), or the relay error.
    package func request(
        topic: String, chainID: String, method: String, params: JSONValue, expiry: Int64? = nil
    ) async throws -> JSONValue {
        try requireStarted()
        var callParams: [String: JSONValue] = [
            "topic": .string(topic), "chainId": .string(chainID),
            "request": ["method": .string(method), "params": params],
        ]
        if let expiry { callParams["expiry"] = .int(expiry) }
        _ = try await validated(.request, params: .object(callParams))
        let lifetime = expiry ?? SignLifetimes.sessionRequest
        let requestParams = SessionRequestParams(
            request: .init(method: method, params: params, expiryTimestamp: nowSeconds + lifetime), chainID: chainID)
        return try await sendRequestAwaitingResult(
            topic: topic, method: .sessionRequest, params: requestParams, chainID: chainID, ttl: expiry,
            tvf: SignTVF.requestFields(method: method, chainID: chainID, params: params),
            timeout: .seconds(lifetime), timeoutError: SDKError.sdk(.sessionRequestExpired))
    }
}
