import Foundation
import Logging
import WalletConnectCore

/// Handlers of the requests a peer sends (sign.md §3).
extension SignEngine {
    /// Wallet: `wc_sessionPropose` on a pairing topic (§3.2).
    func onSessionPropose(_ request: JSONRPCRequest, message: RelayMessage) async throws {
        let id = request.id.rawValue
        let topic = message.topic
        let autoReject = SignMethod.sessionPropose.autoRejectOptions
        guard let params = try? request.params.decode(as: SessionProposeParams.self) else {
            await sendError(topic: topic, id: id, error: .internal(.missingOrInvalid, context: "session proposal"), options: autoReject)
            return
        }
        if let error = await validateReceivedProposal(params, pairingTopic: topic) {
            await sendError(topic: topic, id: id, error: error, options: autoReject)
            return
        }
        let encryptedID = Hex.encode(SHA256Digest.hash(Array(message.message.utf8)))
        var proposal = Proposal(
            id: id, pairingTopic: topic, params: params, now: nowSeconds, attestation: message.attestation,
            encryptedID: encryptedID)
        proposal.id = id
        if proposal.isExpired(nowMilliseconds: wallClock.nowMilliseconds) {
            logger.debug("dropped expired proposal", metadata: ["wk.rpc.id": "\(id)"])
            return
        }
        if let held = await proposals.proposal(id: id), held.pairingTopic != topic {
            // Another pairing's proposal holds this id (ids are unique per sender only) and approve/reject name a
            // proposal by id: refuse this one with a clear error, so its dapp can propose again, rather than let
            // an approval meant for one proposal settle the other.
            await sendError(topic: topic, id: id, error: Self.idInUseError(id), options: autoReject)
            return
        }
        try await proposals.set(proposal)
        try await expirer.set(.id(id), expiry: nowSeconds + SignLifetimes.proposal)
        let verifyContext = await resolveVerifyContext(for: request, message: message, metadata: proposal.proposer.metadata)
        emit(.sessionProposal(proposal, verifyContext))
    }

    /// The answer to a proposal or authenticate request whose id another pairing's pending one already holds.
    static func idInUseError(_ id: Int64) -> SDKError {
        .internal(.missingOrInvalid, context: "request id \(id) is in use by another pairing's pending request; send it again")
    }

    /// The Verify context used until a Verify resolver is plugged in: UNKNOWN validation.
    static func defaultVerifyContext(for metadata: Metadata) -> VerifyContext {
        VerifyContext(
            origin: metadata.url, validation: .unknown, verifyUrl: metadata.verifyUrl ?? "https://verify.walletconnect.org")
    }

    /// Dapp: `wc_sessionSettle` on the session topic derived from the proposal response (§3.5).
    func onSessionSettle(_ request: JSONRPCRequest, topic: String) async throws {
        let id = request.id.rawValue
        let options = SignMethod.sessionSettle.responseOptions
        guard let pending = pendingSettlements[topic] else {
            await sendError(topic: topic, id: id, error: .sdk(.invalidSessionSettleRequest), options: options)
            return
        }
        let params: SessionSettleParams
        do {
            params = try request.params.decode(as: SessionSettleParams.self)
            if let error = validateSettle(params) { throw error }
        } catch {
            let reason = (error as? SDKError) ?? .sdk(.invalidSessionSettleRequest)
            await sendError(topic: topic, id: id, error: reason, options: options)
            await clearPendingSettlement(topic: topic)
            approvalWaiters.resume(pending.proposalID, with: .failure(reason))
            return
        }
        let proposal = await proposals.proposal(id: pending.proposalID)
        let session = Session(
            topic: topic, pairingTopic: pending.pairingTopic, relay: params.relay, expiry: params.expiry,
            acknowledged: true, controller: params.controller.publicKey, namespaces: params.namespaces,
            requiredNamespaces: proposal?.requiredNamespaces, optionalNamespaces: proposal?.optionalNamespaces,
            sessionProperties: params.sessionProperties, scopedProperties: params.scopedProperties,
            sessionConfig: params.sessionConfig,
            selfParticipant: Participant(publicKey: pending.selfPublicKey, metadata: metadata),
            peer: params.controller, authentication: params.proposalRequestsResponses?.authentication,
            walletPayResult: params.proposalRequestsResponses?.walletPay, transportType: .relay)
        try await sessions.set(session)
        await clearPendingSettlement(topic: topic)
        try await expirer.set(.topic(topic), expiry: session.expiry)
        do {
            try await sendResult(topic: topic, id: id, method: .sessionSettle, result: true)
        } catch {
            logger.debug("could not acknowledge the settlement", metadata: ["wk.topic": "\(topic)"])
        }
        try await proposals.delete(id: pending.proposalID)
        try? await expirer.delete(.id(pending.proposalID))
        approvalWaiters.resume(pending.proposalID, with: .success(session))
        emit(.sessionSettle(session))
    }

    private func validateSettle(_ params: SessionSettleParams) -> SDKError? {
        let context = "onSessionSettleRequest()"
        if params.relay.protocol.isEmpty {
            return .internal(.missingOrInvalid, context: "\(context) relay protocol should be a string")
        }
        if params.controller.publicKey.isEmpty {
            return .internal(.missingOrInvalid, context: "\(context) controller public key should be a string")
        }
        if let error = NamespaceValidator.validateSessionNamespaces(params.namespaces, method: context) { return error }
        if Expiry.milliseconds(fromSeconds: params.expiry) <= wallClock.nowMilliseconds {
            return .internal(.expired, context: "\(context) expiry: \(params.expiry)")
        }
        return nil
    }

    /// `wc_sessionUpdate` from the controller (§3.6).
    func onSessionUpdate(_ request: JSONRPCRequest, topic: String) async throws {
        let id = request.id.rawValue
        let options = SignMethod.sessionUpdate.responseOptions
        guard let session = await sessions.session(topic: topic) else { return }
        guard let params = try? request.params.decode(as: SessionUpdateParams.self) else {
            await sendError(topic: topic, id: id, error: .sdk(.invalidUpdateRequest), options: options)
            return
        }
        if let last = lastUpdateIDs[topic], Self.isOutOfSync(id, last: last) {
            await sendError(topic: topic, id: id, error: .sdk(.invalidUpdateRequest), options: options)
            return
        }
        guard session.controller == session.peer.publicKey else {
            await sendError(topic: topic, id: id, error: .sdk(.unauthorizedUpdateRequest), options: options)
            return
        }
        let context = "onSessionUpdateRequest()"
        if let error = NamespaceValidator.validateSessionNamespaces(params.namespaces, method: context)
            ?? NamespaceValidator.conformingError(
                required: session.requiredNamespaces ?? [:], approved: params.namespaces, context: context)
        {
            await sendError(topic: topic, id: id, error: error, options: options)
            return
        }
        let namespaces = params.namespaces
        try await sessions.update(topic: topic) { $0.namespaces = namespaces }
        lastUpdateIDs[topic] = id
        try await sendResult(topic: topic, id: id, method: .sessionUpdate, result: true)
        emit(.sessionUpdate(id: id, topic: topic, namespaces: namespaces))
    }

    /// `wc_sessionExtend` from either peer (§2.4, §3.7): answered `true`, the expiry set to `now + 7 days`.
    ///
    /// As JS 2.23.10 receivers do: the params are not read (JS sends `{}`, the written spec and reown-swift
    /// `{"expiry"}`), and the sender need not be the controller, because a JS dApp may call `extend()` and has
    /// then already moved its own expiry. Refusing it (3004, or 1004 for an expiry a little past `now + 7 days`
    /// from a peer whose clock runs ahead) would leave the two sides with different expiries and the session
    /// dropped early on one of them.
    func onSessionExtend(_ request: JSONRPCRequest, topic: String) async throws {
        let id = request.id.rawValue
        guard await sessions.session(topic: topic) != nil, decisions.isLive(topic) else { return }
        let expiry = nowSeconds + SignLifetimes.session
        try await sessions.update(topic: topic) { $0.expiry = expiry }
        try await expirer.set(.topic(topic), expiry: expiry)
        try await sendResult(topic: topic, id: id, method: .sessionExtend, result: true)
        emit(.sessionExtend(id: id, topic: topic, expiry: expiry))
    }

    /// Wallet: `wc_sessionRequest` (§3.8). An already expired request is never announced; it is answered with
    /// error 8000 (when ``SignEngineOptions/answersExpiredRequests``).
    func onSessionRequest(_ request: JSONRPCRequest, message: RelayMessage) async throws {
        let id = request.id.rawValue
        let topic = message.topic
        let reply = SignMethod.sessionRequest.responseOptions
        guard let session = await sessions.session(topic: topic) else { return }
        guard let params = try? request.params.decode(as: SessionRequestParams.self) else {
            await sendError(topic: topic, id: id, error: .sdk(.invalidParams), options: reply)
            return
        }
        guard NamespaceValidator.isValidNamespacesChainID(session.namespaces, chainID: params.chainID) else {
            await sendError(topic: topic, id: id, error: .sdk(.unauthorizedChain), options: reply)
            return
        }
        guard !params.request.method.isEmpty,
            NamespaceValidator.isValidNamespacesRequest(
                session.namespaces, chainID: params.chainID, method: params.request.method)
        else {
            await sendError(topic: topic, id: id, error: .sdk(.unauthorizedMethod), options: reply)
            return
        }
        let receivedAt = wallClock.nowMilliseconds
        let expiry = params.request.expiryTimestamp ?? receivedAt / 1000 + SignLifetimes.sessionRequest
        if receivedAt >= Expiry.milliseconds(fromSeconds: expiry) {
            logger.debug("request arrived expired", metadata: ["wk.topic": "\(topic)", "wk.rpc.id": "\(id)"])
            if options.answersExpiredRequests {
                await sendError(topic: topic, id: id, error: .sdk(.sessionRequestExpired), options: reply)
            } else {
                try await history.resolveIncoming(topic: topic, id: id)
            }
            return
        }
        let verifyContext = await resolveVerifyContext(for: request, message: message, metadata: session.peer.metadata)
        // The session may have been deleted while the Verify lookup was awaited: such a request is neither stored
        // nor announced (its delete already told the dapp).
        guard decisions.isLive(topic) else {
            logger.debug("dropped a request of a deleted session", metadata: ["wk.topic": "\(topic)", "wk.rpc.id": "\(id)"])
            return
        }
        let pending = PendingRequest(id: id, topic: topic, params: params, verifyContext: verifyContext, transportType: .relay)
        try await requests.set(StoredSessionRequest(request: pending, expiryTimestamp: expiry, receivedAt: receivedAt))
        try await expirer.set(.request(topic: topic, id: id), expiry: expiry)
        // The same after the writes; the check and the announcement are one synchronous step.
        guard decisions.isLive(topic) else {
            await dropPendingRequest(pending.key)
            return
        }
        announce(queue.enqueue(pending))
    }

    /// `wc_sessionEvent` (§2.4, §3.9): dropped when out of sync; otherwise answered `true` and delivered.
    ///
    /// An event for a chain or an event name outside the session is delivered too, marked `outsideSession`: JS
    /// receivers do not await their validation, so a JS dApp gets it (e.g. a `chainChanged` to a chain the wallet is
    /// about to add), and dropping it would lose it.
    func onSessionEvent(_ request: JSONRPCRequest, topic: String) async throws {
        let id = request.id.rawValue
        guard let session = await sessions.session(topic: topic),
            let params = try? request.params.decode(as: SessionEventParams.self)
        else { return }
        let key = topic + "|" + params.event.name
        if let last = lastEventIDs[key], Self.isOutOfSync(id, last: last) {
            logger.debug("dropped out-of-sync event", metadata: ["wk.topic": "\(topic)", "wk.rpc.id": "\(id)"])
            return
        }
        let outsideSession = !NamespaceValidator.isValidNamespacesEvent(
            session.namespaces, chainID: params.chainID, event: params.event.name)
        // Remembered per event name of the session only: a peer inventing names cannot grow this table.
        if session.namespaces.values.contains(where: { $0.events.contains(params.event.name) }) {
            lastEventIDs[key] = id
        }
        do {
            try await sendResult(topic: topic, id: id, method: .sessionEvent, result: true)
        } catch {
            logger.debug("could not acknowledge the event", metadata: ["wk.topic": "\(topic)"])
        }
        emit(
            .sessionEvent(
                id: id, topic: topic, event: params.event, chainID: params.chainID, outsideSession: outsideSession))
    }

    /// `wc_sessionDelete` (§2.4, §3.10): fails our outstanding requests on the topic, answers `true` (tag 1113) while
    /// the session key is still there, then deletes locally.
    ///
    /// Every JS sign-client (2.0 to 2.23.10), reown-swift and the Rust client answer before deleting; a peer that
    /// deletes and then awaits the answer gets it. The deletion does not depend on the answer: a failed publish is
    /// logged and the session is deleted all the same (the peer has already deleted its side).
    func onSessionDelete(_ request: JSONRPCRequest, topic: String) async {
        let id = request.id.rawValue
        guard await sessions.session(topic: topic) != nil else { return }
        // Decided here, with no await since the lookup: the topic is reserved for this deletion, so requests that
        // arrive while the answer is published are neither stored nor announced, and calls on it are refused.
        guard decisions.beginDeleting(topic) else {
            // Another deletion of it (the app's disconnect, the expiry) is under way and finishes the work.
            _ = try? await history.resolveIncoming(topic: topic, id: id)
            return
        }
        for record in await history.pendingOutgoing where record.topic == topic {
            responseWaiters.resume(record.id, with: .failure(SDKError.sdk(.userDisconnected)))
        }
        do {
            try await sendResult(topic: topic, id: id, method: .sessionDelete, result: true)
        } catch {
            logger.debug("could not answer a session delete", metadata: ["wk.topic": "\(topic)", "wk.rpc.id": "\(id)"])
            _ = try? await history.resolveIncoming(topic: topic, id: id)
        }
        await deleteSessionLocally(topic: topic, eventID: id, reserved: true)
    }

    /// `wc_sessionPing` (§3.11): answered `true`.
    func onSessionPing(_ request: JSONRPCRequest, topic: String) async throws {
        let id = request.id.rawValue
        guard await sessions.session(topic: topic) != nil else { return }
        try await sendResult(topic: topic, id: id, method: .sessionPing, result: true)
        emit(.sessionPing(id: id, topic: topic))
    }

    /// JS out-of-order rule: ids without their last 3 digits; a smaller one than the last processed is stale.
    static func isOutOfSync(_ id: Int64, last: Int64) -> Bool {
        id / 1000 < last / 1000
    }
}
