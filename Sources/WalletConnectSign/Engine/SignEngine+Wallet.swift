import Logging
import WalletConnectCore

/// An acknowledgement the peer will send for an update or extend (JS `acknowledged()`).
public struct SignAcknowledgement: Sendable {
    private let waitForAcknowledgement: @Sendable () async throws -> Void

    init(_ wait: @escaping @Sendable () async throws -> Void) {
        self.waitForAcknowledgement = wait
    }

    /// Waits for the peer's `true` (or throws its error, or ``SignEngineError/timedOut(_:)`` after 300 s).
    /// - Throws: ``SDKError`` from the peer, ``SignEngineError``, `CancellationError`.
    public func acknowledged() async throws { try await waitForAcknowledgement() }
}

/// Wallet API (sign.md §3.3–§3.9, WalletKit §11.2).
extension SignEngine {
    /// Pairs with a dapp from its `wc:` URI; its proposal then arrives as ``SignEvent/sessionProposal(_:_:)``.
    /// Scanning the URI of a known inactive pairing announces its stored proposals again.
    /// - Throws: The pairing controller's URI validation errors.
    package func pair(uri: String, activatePairing: Bool = false) async throws {
        try requireStarted()
        let knownTopics = Set(await pairingExpiries().keys)
        let topic = try await pairWithURI(uri, activate: activatePairing)
        // Only a pairing that existed before this call re-announces its proposals; a new one delivers them itself.
        guard knownTopics.contains(topic) else { return }
        for proposal in await proposals.proposals(pairingTopic: topic)
        where !proposal.isExpired(nowMilliseconds: wallClock.nowMilliseconds) {
            emit(.sessionProposal(proposal, Self.defaultVerifyContext(for: proposal.proposer.metadata)))
        }
    }

    /// Approves a proposal: derives the session key, stores the session (not yet acknowledged) and sends the
    /// proposal response and `wc_sessionSettle` — in one `wc_approveSession` call by default.
    ///
    /// - Returns: The stored session (`acknowledged` turns true when the dapp answers the settle).
    /// - Throws: ``SDKError`` (validation, with the JS messages), the relay error (nothing is kept then), or
    ///   ``SignEngineError/proposalInProgress(id:approving:)`` while another approve or reject of this proposal
    ///   runs (this call did nothing). Once started, the approval completes even if the caller is cancelled.
    package func approveSession(
        proposalID: Int64, namespaces: SessionNamespaces, sessionProperties: [String: JSONValue]? = nil,
        scopedProperties: [String: JSONValue]? = nil, sessionConfig: SessionConfig? = nil,
        relayProtocol: String? = nil, proposalRequestsResponses: ProposalRequestsResponses? = nil
    ) async throws -> Session {
        try requireStarted()
        return try await withReservedProposal(proposalID, .approving) { engine in
            try await engine.approve(
                proposalID: proposalID, namespaces: namespaces, sessionProperties: sessionProperties,
                scopedProperties: scopedProperties, sessionConfig: sessionConfig, relayProtocol: relayProtocol,
                proposalRequestsResponses: proposalRequestsResponses)
        }
    }

    /// Runs `effect` with proposal `id` reserved for `action`, to its end.
    ///
    /// Reserved before the first await: a concurrent approve or reject of the proposal is refused with
    /// ``SignEngineError/proposalInProgress(id:approving:)`` (one session per proposal, never an approval and a
    /// rejection). Once reserved, the effect runs in a task of its own, so it completes even if the caller is
    /// cancelled: a cancellation between the publish and the bookkeeping would leave the dapp with a session this
    /// wallet rolled back. A failed effect releases the proposal and expires it if its timer fired meanwhile.
    private func withReservedProposal<T: Sendable>(
        _ id: Int64, _ action: SignEngineStateMachine.ProposalAction,
        _ effect: @escaping @Sendable (isolated SignEngine) async throws -> T
    ) async throws -> T {
        if let refusal = decisions.beginSettling(proposalID: id, action) { throw refusal }
        return try await Task {
            do {
                let result = try await effect(self)
                decisions.endSettling(proposalID: id)
                return result
            } catch {
                decisions.endSettling(proposalID: id)
                await expireProposalIfDue(id: id)
                throw error
            }
        }.value
    }

    /// The effects of ``approveSession(proposalID:namespaces:sessionProperties:scopedProperties:sessionConfig:relayProtocol:proposalRequestsResponses:)``
    /// once the proposal is reserved.
    private func approve(
        proposalID: Int64, namespaces: SessionNamespaces, sessionProperties: [String: JSONValue]?,
        scopedProperties: [String: JSONValue]?, sessionConfig: SessionConfig?,
        relayProtocol: String?, proposalRequestsResponses: ProposalRequestsResponses?
    ) async throws -> Session {
        var params: [String: JSONValue] = ["id": .int(proposalID), "namespaces": try JSONValue(encoding: namespaces)]
        if let relayProtocol { params["relayProtocol"] = .string(relayProtocol) }
        if let sessionProperties { params["sessionProperties"] = .object(sessionProperties) }
        if let scopedProperties { params["scopedProperties"] = .object(scopedProperties) }
        guard case .proposal(let proposal) = try await validated(.approve, params: .object(params)) else {
            throw SDKError.internal(.noMatchingKey, context: "proposal id doesn't exist: \(proposalID)")
        }
        let selfPublicKey = try await crypto.generateKeyPair()
        let sessionTopic = try await crypto.generateSharedKey(
            selfPublicKey: selfPublicKey, peerPublicKey: proposal.proposer.publicKey)
        let relayOptions = RelayProtocolOptions(protocol: relayProtocol ?? "irn")
        let selfParticipant = Participant(publicKey: selfPublicKey, metadata: metadata)
        let session = Session(
            topic: sessionTopic, pairingTopic: proposal.pairingTopic, relay: relayOptions,
            expiry: nowSeconds + SignLifetimes.session, acknowledged: false, controller: selfPublicKey,
            namespaces: namespaces, requiredNamespaces: proposal.requiredNamespaces,
            optionalNamespaces: proposal.optionalNamespaces, sessionProperties: sessionProperties,
            scopedProperties: scopedProperties, sessionConfig: sessionConfig, selfParticipant: selfParticipant,
            peer: proposal.proposer, authentication: proposalRequestsResponses?.authentication,
            walletPayResult: proposalRequestsResponses?.walletPay, transportType: .relay)
        var settle = session.settleParams
        settle.proposalRequestsResponses = proposalRequestsResponses
        do {
            try await sessions.set(session)
            try await publishApproval(proposal: proposal, session: session, settle: settle)
        } catch {
            _ = try? await sessions.delete(topic: sessionTopic)
            try? await crypto.deleteSymKey(topic: sessionTopic)
            try? await crypto.deleteKeyPair(publicKey: selfPublicKey)
            try? await self.relay.unsubscribe(topic: sessionTopic)
            throw error
        }
        await updatePairingMetadata(topic: proposal.pairingTopic, metadata: proposal.proposer.metadata)
        await deleteProposal(id: proposal.id)
        await activatePairing(topic: proposal.pairingTopic)
        try await expirer.set(.topic(sessionTopic), expiry: session.expiry)
        emit(.sessionSettle(session))
        logger.debug("approved session", metadata: ["wk.topic": "\(sessionTopic)", "wk.rpc.id": "\(proposal.id)"])
        return session
    }

    /// Sends the proposal response (pairing topic) and the settle request (session topic).
    private func publishApproval(proposal: Proposal, session: Session, settle: SessionSettleParams) async throws {
        let response = JSONRPCResponse(
            id: RPCID(proposal.id),
            result: try JSONValue(
                encoding: SessionProposeResponse(relay: session.relay, responderPublicKey: session.selfParticipant.publicKey)))
        let settleID = nextPayloadID()
        let settleRequest = JSONRPCRequest(
            id: RPCID(settleID), method: SignMethod.sessionSettle.rawValue, params: try JSONValue(encoding: settle))
        try await history.set(id: settleID, topic: session.topic, method: SignMethod.sessionSettle.rawValue, direction: .outgoing)
        switch options.approveStyle {
        case .composite:
            let params = ApproveSessionParams(
                pairingTopic: proposal.pairingTopic, sessionTopic: session.topic,
                sessionProposalResponse: try await seal(response, topic: proposal.pairingTopic),
                sessionSettlementRequest: try await seal(settleRequest, topic: session.topic),
                approvedChains: Namespaces.approvedChains(session.namespaces),
                approvedMethods: Namespaces.approvedMethods(session.namespaces),
                approvedAccounts: session.namespaces.values.flatMap(\.accounts),
                approvedEvents: Namespaces.approvedEvents(session.namespaces),
                sessionProperties: session.sessionProperties.map(JSONValue.object),
                scopedProperties: session.scopedProperties.map(JSONValue.object), correlationID: proposal.id)
            try await relay.approveSession(params)
        case .publish:
            let responseMessage = try await seal(response, topic: proposal.pairingTopic)
            try await relay.publish(
                topic: proposal.pairingTopic, message: responseMessage,
                options: publishOptions(SignMethod.sessionPropose.responseOptions, correlationID: proposal.id))
            try await relay.subscribe(topic: session.topic)
            try await relay.publish(
                topic: session.topic, message: try await seal(settleRequest, topic: session.topic),
                options: publishOptions(SignMethod.sessionSettle.requestOptions, correlationID: settleID))
        }
        try await history.resolveIncoming(topic: proposal.pairingTopic, id: proposal.id)
    }

    /// Rejects a proposal: sends `reason` as an error on the pairing topic (tag 1120), then deletes it.
    /// - Throws: ``SDKError`` (validation: `Missing or invalid. reject() reason: …`), the relay error, or
    ///   ``SignEngineError/proposalInProgress(id:approving:)`` while another approve or reject of it runs.
    package func rejectSession(proposalID: Int64, reason: SDKError = .sdk(.userRejected)) async throws {
        try requireStarted()
        try await withReservedProposal(proposalID, .rejecting) { engine in
            try await engine.reject(proposalID: proposalID, reason: reason)
        }
    }

    /// The effects of ``rejectSession(proposalID:reason:)`` once the proposal is reserved.
    private func reject(proposalID: Int64, reason: SDKError) async throws {
        let params: JSONValue = [
            "id": .int(proposalID),
            "reason": ["code": .int(Int64(reason.code.rawValue)), "message": .string(reason.message)],
        ]
        guard case .proposal(let proposal) = try await validated(.reject, params: params) else { return }
        let response = JSONRPCResponse(id: RPCID(proposal.id), error: reason.jsonRPCError)
        try await relay.publish(
            topic: proposal.pairingTopic, message: try await seal(response, topic: proposal.pairingTopic),
            options: publishOptions(SignMethod.sessionPropose.rejectOptions, correlationID: proposal.id))
        try await history.resolveIncoming(topic: proposal.pairingTopic, id: proposal.id)
        await deleteProposal(id: proposal.id)
    }

    /// Updates the namespaces of a session this client controls; stored first, rolled back if the publish fails.
    /// Updates and extends of one session run one after the other, in call order.
    /// - Returns: The peer's acknowledgement (300 s timeout).
    /// - Throws: ``SDKError`` (validation, 3003 for a non-controller), the relay error, or
    ///   ``SignEngineError/sessionDeleted(topic:)`` when the session is being deleted.
    @discardableResult
    package func updateSession(topic: String, namespaces: SessionNamespaces) async throws -> SignAcknowledgement {
        try requireStarted()
        let params: JSONValue = ["topic": .string(topic), "namespaces": try JSONValue(encoding: namespaces)]
        // One update or extend of a session at a time: each validates against, and rolls back to, the state the
        // previous one left, and the peer receives them in the order they changed the session.
        // Runs to its end even if the caller is cancelled: a cancelled rollback after the peer got the update
        // would leave the two sides disagreeing.
        return try await Task { try await withSessionGate(topic) {
            guard case .session(let session) = try await validated(.update, params: params) else {
                throw SDKError.internal(.noMatchingKey, context: "session topic doesn't exist: \(topic)")
            }
            guard decisions.isLive(topic) else { throw SignEngineError.sessionDeleted(topic: topic) }
            try await sessions.update(topic: topic) { $0.namespaces = namespaces }
            do {
                return try await sendAcknowledgedRequest(
                    topic: topic, method: .sessionUpdate, params: SessionUpdateParams(namespaces: namespaces),
                    timeoutMessage: "Session update request expired without receiving any acknowledgement")
            } catch {
                let previous = session.namespaces
                _ = try? await sessions.update(topic: topic) { $0.namespaces = previous }
                throw error
            }
        } }.value
    }

    /// Extends a session this client controls to `now + 7 days` (after any update or extend of it in progress).
    /// - Returns: The peer's acknowledgement (300 s timeout).
    /// - Throws: ``SDKError`` (validation, 3004 for a non-controller), the relay error, or
    ///   ``SignEngineError/sessionDeleted(topic:)`` when the session is being deleted.
    @discardableResult
    package func extendSession(topic: String) async throws -> SignAcknowledgement {
        try requireStarted()
        return try await Task { try await withSessionGate(topic) {
            guard case .session(let session) = try await validated(.extend, params: ["topic": .string(topic)]) else {
                throw SDKError.internal(.noMatchingKey, context: "session topic doesn't exist: \(topic)")
            }
            guard session.isSelfController else { throw SDKError.sdk(.unauthorizedExtendRequest) }
            guard decisions.isLive(topic) else { throw SignEngineError.sessionDeleted(topic: topic) }
            let expiry = nowSeconds + SignLifetimes.session
            guard expiry > session.expiry else { throw SDKError.sdk(.invalidExtendRequest) }
            try await sessions.update(topic: topic) { $0.expiry = expiry }
            try await expirer.set(.topic(topic), expiry: expiry)
            return try await sendAcknowledgedRequest(
                topic: topic, method: .sessionExtend, params: SessionExtendParams(expiry: expiry),
                timeoutMessage: "Session extend request expired without receiving any acknowledgement")
        } }.value
    }

    /// Registers a waiter, sends the request, and returns the acknowledgement handle.
    func sendAcknowledgedRequest(
        topic: String, method: SignMethod, params: some Encodable, timeoutMessage: String
    ) async throws -> SignAcknowledgement {
        let id = nextPayloadID()
        guard responseWaiters.register(id) else { throw SignEngineError.shutDown }
        do {
            try await sendRequest(topic: topic, method: method, params: params, id: id)
        } catch {
            responseWaiters.discard(id)
            throw error
        }
        let waiters = responseWaiters
        let clock = self.clock
        let timeout = options.acknowledgementTimeout
        return SignAcknowledgement {
            let response = try await Self.awaitValue(
                in: waiters, id: id, timeout: timeout, clock: clock, timeoutError: SignEngineError.timedOut(timeoutMessage))
            if let error = response.error { throw SDKError(error) }
        }
    }

    /// Answers a pending session request. A result is published with tag 1109 (a failed publish throws and the
    /// request stays pending); an error is sent fire-and-forget. The request is then deleted and its queue
    /// released (after ``SignEngineOptions/requestQueueReleaseDelay``).
    /// Concurrent calls for one request are safe: the first reserves it, the others throw
    /// ``SignEngineError/alreadyAnswering(topic:id:)`` and publish nothing, so the dapp gets one answer. Once
    /// started, the answer completes even if the caller is cancelled.
    /// - Throws: ``SDKError`` (validation, unknown request id), the relay error for a result, or
    ///   ``SignEngineError/alreadyAnswering(topic:id:)``.
    package func respondSessionRequest(topic: String, response: JSONRPCResponse) async throws {
        try requireStarted()
        let key = SessionRequestKey(topic: topic, id: response.id.rawValue)
        // Reserved before the first await: a concurrent answer (or the expiry's 8000) of this request is refused
        // with ``SignEngineError/alreadyAnswering(topic:id:)`` and publishes nothing.
        if case .refuse(let refusal) = decisions.beginAnswering(key, by: .app) { throw refusal }
        // Once reserved, the answer runs to its end even if the caller is cancelled: a cancellation after the
        // publish went out but before the request was recorded as answered would leave it pending, and a retry
        // would give the dapp a second answer.
        try await Task {
            do {
                try await answer(topic: topic, response: response)
                decisions.endAnswering(key)
            } catch {
                decisions.endAnswering(key)
                // The request is still pending; when it expired while this answer held it, expire it now.
                if let record = await requests.record(topic: topic, id: key.id),
                    record.isExpired(nowMilliseconds: wallClock.nowMilliseconds)
                {
                    await expireRequest(record)
                }
                throw error
            }
        }.value
    }

    /// The effects of ``respondSessionRequest(topic:response:)`` once the request is reserved.
    private func answer(topic: String, response: JSONRPCResponse) async throws {
        let params: JSONValue = ["topic": .string(topic), "response": try JSONValue(encoding: response)]
        do {
            _ = try await validated(.respond, params: params)
        } catch {
            if await sessions.session(topic: topic) == nil {
                await dropPendingRequest(SessionRequestKey(topic: topic, id: response.id.rawValue))
            }
            throw error
        }
        let id = response.id.rawValue
        guard let record = await requests.record(topic: topic, id: id) else {
            throw SDKError.internal(.noMatchingKey, context: "pending request id doesn't exist: \(id)")
        }
        let pending = record.request
        let message = try await seal(response, topic: topic)
        let replyOptions = SignMethod.sessionRequest.responseOptions
        switch response.outcome {
        case .result(let result):
            let tvf = SignTVF.responseFields(
                method: pending.params.request.method, chainID: pending.params.chainID,
                params: pending.params.request.params, result: result)
            try await transmit(
                topic: topic, message: message, options: publishOptions(replyOptions, correlationID: id, tvf: tvf))
        case .error:
            do {
                try await transmit(topic: topic, message: message, options: publishOptions(replyOptions, correlationID: nil))
            } catch {
                logger.debug("could not publish error response", metadata: ["wk.topic": "\(topic)", "wk.rpc.id": "\(id)"])
            }
        }
        try await history.resolveIncoming(topic: topic, id: id)
        try await requests.delete(topic: topic, id: id)
        try? await expirer.delete(.request(topic: topic, id: id))
        scheduleQueueRelease(pending.key)
        logger.debug("responded to session request", metadata: ["wk.topic": "\(topic)", "wk.rpc.id": "\(id)"])
    }

    /// Emits an event to the peer (`wc_sessionEvent`, tag 1110); does not wait for an answer.
    /// - Throws: ``SDKError`` (validation: chain or event not approved), or the relay error.
    package func emitSessionEvent(topic: String, event: SessionEventParams.Event, chainID: String) async throws {
        try requireStarted()
        let params: JSONValue = [
            "topic": .string(topic), "chainId": .string(chainID), "event": try JSONValue(encoding: event),
        ]
        _ = try await validated(.emit, params: params)
        try await sendRequest(
            topic: topic, method: .sessionEvent, params: SessionEventParams(event: event, chainID: chainID),
            chainID: chainID)
    }
}
