import Logging
import WalletConnectCore

/// Wallet side of one-click auth, `wc_sessionAuthenticate` (sign.md §9.2).
extension SignEngine {
    /// The pending authenticate requests (`getPendingAuthRequests`), oldest first.
    package func pendingAuthRequests() async -> [PendingAuthRequest] {
        await authRequests.all
    }

    /// Whether this wallet handles `wc_sessionAuthenticate` (default `true`; JS: a `session_authenticate` listener
    /// exists). While it does, a proposal arriving on a pairing that announced `wc_sessionAuthenticate` is the
    /// dapp's fallback and is ignored; when it does not, the request is answered 10001 and the proposal processed.
    package func setHandlesSessionAuthenticate(_ handles: Bool) {
        authState.handlesAuthenticate = handles
    }

    /// Whether this wallet handles `wc_sessionAuthenticate`; see ``setHandlesSessionAuthenticate(_:)``.
    package var handlesSessionAuthenticate: Bool { authState.handlesAuthenticate }

    /// Approves an authenticate request with the CACAOs the app signed (one per account/chain).
    ///
    /// Every CACAO must verify and be bound to the request (domain, nonce, aud, a requested chain); otherwise the
    /// dapp is told `{7000, "Session settlement failed. Signature verification failed"}` (type 1, tag 1117), the
    /// request is dropped and the verifier's error is thrown. Then a fresh key `W` is generated; when the CACAOs'
    /// ReCaps grant methods, a session (namespaces from ``OneClickAuth/buildNamespacesFromAuth(methods:accounts:)``,
    /// acknowledged, controller `W`) is stored and subscribed; and `{cacaos, responder: W}` is sent type 1 on
    /// `sha256(requesterPublicKey)` with tag 1117.
    /// - Parameters:
    ///   - requestID: The id of the pending request.
    ///   - auths: The signed CACAOs (``OneClickAuth/buildAuthObject(requestPayload:signature:iss:)``).
    ///   - rpcCaller: Verifies EIP-1271 CACAOs; defaults to ``setAuthenticateRPCCaller(_:)``'s.
    /// - Returns: The session, or `nil` when no method was approved (SIWE only).
    /// - Throws: ``SDKError`` (unknown or expired request, no CACAO), ``AuthError`` (a CACAO failed
    ///   verification), or the relay error (nothing is kept then; the request stays pending).
    @discardableResult
    package func approveSessionAuthenticate(
        requestID: Int64, auths: [Cacao], rpcCaller: (any EthereumRPCCaller)? = nil
    ) async throws -> Session? {
        try requireStarted()
        let pending = try await validPendingAuthRequest(id: requestID)
        guard !auths.isEmpty else {
            throw SDKError.internal(.missingOrInvalid, context: "approveSessionAuthenticate() auths")
        }
        let caller = rpcCaller ?? authState.rpcCaller
        let link = authenticateLinkTarget(pending)
        for cacao in auths {
            do {
                try await CacaoVerifier.verify(cacao: cacao, request: pending.authPayload, rpcCaller: caller)
            } catch let error as AuthError {
                try? await sendAuthenticateError(
                    id: requestID, requesterPublicKey: pending.requester.publicKey,
                    error: .sdk(.sessionSettlementFailed, context: "Signature verification failed"),
                    options: SignMethod.sessionAuthenticate.responseOptions, link: link)
                await deleteAuthRequest(id: requestID)
                throw error
            }
        }
        let approval = try OneClickAuth.approval(for: auths)
        let cacaoValues = try auths.map { try $0.jsonValue() }
        let selfPublicKey = try await crypto.generateKeyPair()
        let requesterKey = pending.requester.publicKey
        let sessionTopic = try await crypto.generateSharedKey(selfPublicKey: selfPublicKey, peerPublicKey: requesterKey)
        let selfParticipant = Participant(publicKey: selfPublicKey, metadata: metadata)
        var session: Session?
        if !approval.methods.isEmpty {
            session = Session(
                topic: sessionTopic, pairingTopic: pending.pairingTopic, expiry: nowSeconds + SignLifetimes.session,
                acknowledged: true, controller: selfPublicKey,
                namespaces: OneClickAuth.buildNamespacesFromAuth(methods: approval.methods, accounts: approval.accounts),
                requiredNamespaces: [:], optionalNamespaces: [:], selfParticipant: selfParticipant, peer: pending.requester,
                authentication: cacaoValues, transportType: link == nil ? .relay : .linkMode)
        }
        let result = try JSONValue(encoding: SessionAuthenticateResponse(cacaos: cacaoValues, responder: selfParticipant))
        do {
            if let session {
                try await sessions.set(session)
                if link == nil { try await relay.subscribe(topic: sessionTopic) }
            }
            try await publishAuthenticateResponse(
                JSONRPCResponse(id: RPCID(requestID), result: result), requesterPublicKey: requesterKey,
                senderPublicKey: selfPublicKey, options: SignMethod.sessionAuthenticate.responseOptions, link: link)
        } catch {
            if session != nil {
                _ = try? await sessions.delete(topic: sessionTopic)
                if link == nil { try? await relay.unsubscribe(topic: sessionTopic) }
            }
            try? await crypto.deleteSymKey(topic: sessionTopic)
            try? await crypto.deleteKeyPair(publicKey: selfPublicKey)
            throw error
        }
        if session == nil {
            try? await crypto.deleteSymKey(topic: sessionTopic)
            try? await crypto.deleteKeyPair(publicKey: selfPublicKey)
        } else if link != nil {
            subscribeLinkModeSession(topic: sessionTopic)
        }
        _ = try? await history.resolveIncoming(topic: pending.pairingTopic, id: requestID)
        await deleteAuthRequest(id: requestID)
        await updatePairingMetadata(topic: pending.pairingTopic, metadata: pending.requester.metadata)
        await activatePairing(topic: pending.pairingTopic)
        if let session {
            try await expirer.set(.topic(sessionTopic), expiry: session.expiry)
            emit(.sessionSettle(session))
        }
        logger.debug("approved authenticate request", metadata: ["wk.rpc.id": "\(requestID)"])
        return session
    }

    /// Rejects an authenticate request: `reason` is sent as an error (type 1, tag 1118) on
    /// `sha256(requesterPublicKey)`, then the request is deleted.
    /// - Throws: ``SDKError`` (unknown request, invalid reason), or the relay error (the request stays pending).
    package func rejectSessionAuthenticate(requestID: Int64, reason: SDKError = .sdk(.userRejected)) async throws {
        try requireStarted()
        guard reason.code.rawValue != 0, !reason.message.isEmpty else {
            throw SDKError.internal(.missingOrInvalid, context: "rejectSessionAuthenticate() reason: \(reason.message)")
        }
        guard let pending = await authRequests.request(id: requestID) else {
            throw SDKError.internal(.noMatchingKey, context: "session authenticate request id doesn't exist: \(requestID)")
        }
        try await sendAuthenticateError(
            id: requestID, requesterPublicKey: pending.requester.publicKey, error: reason,
            options: SignMethod.sessionAuthenticate.rejectOptions, link: authenticateLinkTarget(pending))
        _ = try? await history.resolveIncoming(topic: pending.pairingTopic, id: requestID)
        await deleteAuthRequest(id: requestID)
        logger.debug("rejected authenticate request", metadata: ["wk.rpc.id": "\(requestID)"])
    }

    // MARK: - Inbound

    /// Wallet: `wc_sessionAuthenticate` on a pairing topic (§9.2 step 1), from the relay or (type 2) from a link.
    func onSessionAuthenticate(
        _ request: JSONRPCRequest, message: RelayMessage, transportType: TransportType = .relay
    ) async throws {
        let id = request.id.rawValue
        let topic = message.topic
        let viaLink = transportType == .linkMode
        if viaLink, let link = (try? request.params.decode(as: SessionAuthenticateParams.self))?.requester.metadata
            .redirect?.universal
        {
            // A link-mode request from this dapp: its link is now seen (JS `addLinkModeSupportedApp`).
            await rememberLinkModeApp(link)
        }
        guard authState.handlesAuthenticate else {
            if viaLink {
                logger.debug("dropped a link-mode authenticate request (not handled)", metadata: ["wk.rpc.id": "\(id)"])
                return
            }
            await sendError(
                topic: topic, id: id, error: .sdk(.wcMethodUnsupported, context: request.method), options: .unregisteredMethod)
            return
        }
        let held = await authRequests.request(id: id)
        if held?.pairingTopic == topic { return }
        // The answer goes in a type-1 envelope to the requester's key: without a usable key (32 bytes, not a
        // low-order point) there is no way to answer, so the request is dropped.
        guard let params = try? request.params.decode(as: SessionAuthenticateParams.self),
            SignValidation.proposerKeyError(params.requester.publicKey, role: "requester") == nil
        else {
            logger.debug("dropped an authenticate request without a usable requester", metadata: ["wk.rpc.id": "\(id)"])
            return
        }
        if held != nil {
            // Another pairing's request holds this id (ids are unique per sender only) and the API answers by id:
            // refuse this one with a clear error, so its dapp can ask again, rather than drop or mix them up.
            try? await sendAuthenticateError(
                id: id, requesterPublicKey: params.requester.publicKey, error: Self.idInUseError(id),
                options: SignMethod.sessionAuthenticate.autoRejectOptions,
                link: viaLink ? linkTarget(peer: params.requester.metadata) : nil)
            _ = try? await history.resolveIncoming(topic: topic, id: id)
            return
        }
        let expiry = params.expiryTimestamp ?? nowSeconds + SignLifetimes.authRequestMinimum
        let payload: AuthPayload
        do {
            payload = try AuthPayload(json: params.authPayload)
            if let problem = Self.authPayloadProblem(payload) { throw problem }
        } catch {
            let reason = (error as? SDKError) ?? .internal(.missingOrInvalid, context: "onSessionAuthenticateRequest() authPayload")
            try? await sendAuthenticateError(
                id: id, requesterPublicKey: params.requester.publicKey, error: reason,
                options: SignMethod.sessionAuthenticate.autoRejectOptions,
                link: viaLink ? linkTarget(peer: params.requester.metadata) : nil)
            _ = try? await history.resolveIncoming(topic: topic, id: id)
            return
        }
        let pending = PendingAuthRequest(
            id: id, pairingTopic: topic, requester: params.requester, authPayload: payload, expiryTimestamp: expiry,
            verifyContext: viaLink
                ? LinkModePolicy.verifyContext(for: params.requester.metadata)
                : Self.defaultVerifyContext(for: params.requester.metadata),
            transportType: transportType)
        if pending.isExpired(nowMilliseconds: wallClock.nowMilliseconds) {
            logger.debug("dropped expired authenticate request", metadata: ["wk.rpc.id": "\(id)"])
            return
        }
        try await authRequests.set(pending)
        try await expirer.set(.id(id), expiry: expiry)
        emit(.sessionAuthenticate(pending))
    }

    /// What makes a received auth payload unusable, if anything: a missing field, or a SIWE message that cannot
    /// be built from it (2.23.10: a statement with CR/LF; a chain that is not CAIP-2).
    static func authPayloadProblem(_ payload: AuthPayload) -> SDKError? {
        let context = "onSessionAuthenticateRequest() authPayload"
        if payload.chains.isEmpty { return .internal(.missingOrInvalid, context: "\(context) chains") }
        if payload.domain.isEmpty { return .internal(.missingOrInvalid, context: "\(context) domain") }
        if payload.nonce.isEmpty { return .internal(.missingOrInvalid, context: "\(context) nonce") }
        if (payload.audience ?? "").isEmpty { return .internal(.missingOrInvalid, context: "\(context) aud") }
        // A payload whose message cannot be built (e.g. a statement with a line break) can never be signed.
        do {
            _ = try SIWEMessage.format(request: payload, iss: "did:pkh:\(payload.chains[0]):0x\(String(repeating: "0", count: 40))")
        } catch let error as AuthError {
            return .internal(.missingOrInvalid, context: "\(context): \(error.message)")
        } catch {
            return .internal(.missingOrInvalid, context: context)
        }
        return nil
    }

    /// Whether a proposal on `pairingTopic` is the fallback of an authenticate request this wallet handles
    /// (the pairing announced `wc_sessionAuthenticate`), so it must be ignored (§3.1 step 4).
    func isAuthenticateFallback(pairingTopic: String) async -> Bool {
        guard authState.handlesAuthenticate, let info = await pairing.pairing(topic: pairingTopic) else { return false }
        return info.methods?.contains(SignMethod.sessionAuthenticate.rawValue) ?? false
    }

    // MARK: - Expiry and restore

    /// Expiry of an auth request id: the wallet deletes its pending request silently; a dapp's wait fails with
    /// ``SignAuthenticationError/expired``. Returns whether `id` was an auth request.
    func handleAuthenticateExpiry(id: Int64) async -> Bool {
        if await authRequests.request(id: id) != nil {
            await deleteAuthRequest(id: id)
            logger.debug("authenticate request expired", metadata: ["wk.rpc.id": "\(id)"])
            return true
        }
        if authState.pending[id] != nil {
            await endAuthentication(requestID: id, .failed)
            authWaiters.resume(id, with: .failure(SignAuthenticationError.expired))
            logger.debug("own authenticate request expired", metadata: ["wk.rpc.id": "\(id)"])
            return true
        }
        return false
    }

    /// The restore step for auth requests: loads them, deletes the expired ones, schedules the others.
    /// - Throws: The storage error.
    func restoreAuthRequests() async throws {
        try await authRequests.load()
        let now = wallClock.nowMilliseconds
        for request in await authRequests.all {
            if request.isExpired(nowMilliseconds: now) {
                await deleteAuthRequest(id: request.id)
            } else if !(await expirer.has(.id(request.id))) {
                try? await expirer.set(.id(request.id), expiry: request.expiryTimestamp)
            }
        }
    }

    // MARK: - Helpers

    /// The requester's link when the answer to `pending` goes through link mode (it came by link and link mode is
    /// usable now), else `nil`.
    private func authenticateLinkTarget(_ pending: PendingAuthRequest) -> String? {
        guard pending.transportType == .linkMode else { return nil }
        return linkTarget(peer: pending.requester.metadata)
    }

    private func validPendingAuthRequest(id: Int64) async throws -> PendingAuthRequest {
        guard let pending = await authRequests.request(id: id) else {
            throw SDKError.internal(.noMatchingKey, context: "session authenticate request id doesn't exist: \(id)")
        }
        if pending.isExpired(nowMilliseconds: wallClock.nowMilliseconds) {
            await deleteAuthRequest(id: id)
            throw SDKError.internal(.expired, context: "session authenticate request id: \(id)")
        }
        return pending
    }

    func deleteAuthRequest(id: Int64) async {
        do {
            try await authRequests.delete(id: id)
        } catch {
            logger.debug("could not delete an authenticate request", metadata: ["wk.rpc.id": "\(id)"])
        }
        try? await expirer.delete(.id(id))
    }

    /// Sends `error` for request `id` to `requesterPublicKey`, type 1 from a throwaway key (deleted afterwards).
    private func sendAuthenticateError(
        id: Int64, requesterPublicKey: String, error: SDKError, options: RPCOptions, link: String?
    ) async throws {
        let senderPublicKey = try await crypto.generateKeyPair()
        var failure: (any Error)?
        do {
            // The type-1 encode stores the derived key under its topic; remove it afterwards.
            let derivedTopic = try await crypto.generateSharedKey(
                selfPublicKey: senderPublicKey, peerPublicKey: requesterPublicKey)
            do {
                try await publishAuthenticateResponse(
                    JSONRPCResponse(id: RPCID(id), error: error.jsonRPCError), requesterPublicKey: requesterPublicKey,
                    senderPublicKey: senderPublicKey, options: options, link: link)
            } catch {
                failure = error
            }
            try? await crypto.deleteSymKey(topic: derivedTopic)
        } catch {
            failure = error
        }
        try? await crypto.deleteKeyPair(publicKey: senderPublicKey)
        if let failure { throw failure }
    }

    /// Seals `response` in a type-1 envelope (sender → requester) and publishes it on `sha256(requesterPublicKey)`,
    /// or, when `link` is set, opens `link` with it (link mode).
    private func publishAuthenticateResponse(
        _ response: JSONRPCResponse, requesterPublicKey: String, senderPublicKey: String, options: RPCOptions,
        link: String?
    ) async throws {
        let responseTopic = try SignTopics.authResponseTopic(requesterPublicKey: requesterPublicKey)
        let message = try await crypto.encode(
            topic: responseTopic, payload: WireJSON.string(response), type: .type1, senderPublicKey: senderPublicKey,
            receiverPublicKey: requesterPublicKey)
        if let link {
            try await openLink(universalLink: link, topic: responseTopic, relayText: message)
        } else {
            try await relay.publish(
                topic: responseTopic, message: message,
                options: publishOptions(options, correlationID: response.id.rawValue))
        }
        logger.debug("sent authenticate response", metadata: ["wk.topic": "\(responseTopic)", "wk.rpc.id": "\(response.id.rawValue)"])
    }
}
