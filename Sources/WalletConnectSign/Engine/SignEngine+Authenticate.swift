import Logging
import WalletConnectCore

/// Dapp side of one-click auth, `wc_sessionAuthenticate` (sign.md §9.1, §9.2 step 5).
extension SignEngine {
    /// Sets the caller used to verify EIP-1271 (contract account) CACAOs when a call passes none.
    package func setAuthenticateRPCCaller(_ caller: (any EthereumRPCCaller)?) {
        authState.rpcCaller = caller
    }

    /// Asks a wallet to sign in (one-click auth).
    ///
    /// Creates a pairing announcing `wc_sessionAuthenticate` (unless ``AuthRequestParams/pairingTopic`` names one),
    /// generates the requester key `R`, subscribes `sha256(R)`, and publishes on the pairing topic both
    /// `wc_sessionAuthenticate` (tag 1116, ttl = `expiry` or 3600) and a fallback `wc_sessionPropose` (same
    /// proposer key) for wallets that do not handle it.
    ///
    /// The wallet's CACAOs are accepted only if every one verifies (EIP-191, or EIP-1271 through `rpcCaller`)
    /// **and** is bound to this request (domain, nonce, aud, a requested chain); otherwise the answer is refused
    /// with ``SignAuthenticationError/Kind/cacaoRefused``.
    /// - Parameters:
    ///   - params: What to ask for.
    ///   - rpcCaller: Verifies EIP-1271 CACAOs; defaults to ``setAuthenticateRPCCaller(_:)``'s.
    /// - Returns: The URI and an awaitable answer.
    /// - Throws: ``SDKError`` (invalid params), ``AuthError`` (malformed ReCap resource), or the relay error.
    package func authenticate(
        _ params: AuthRequestParams, rpcCaller: (any EthereumRPCCaller)? = nil
    ) async throws -> SignAuthentication {
        try requireStarted()
        try Self.validateAuthenticate(params)
        let now = nowSeconds
        let requestTTL = params.expiry ?? SignLifetimes.authRequestMinimum
        let expiryTimestamp = now + max(requestTTL, SignLifetimes.authRequestMinimum)
        let resources = try OneClickAuth.authenticateResources(resources: params.resources, methods: params.methods)

        let topic: String
        let uri: String?
        if let existing = params.pairingTopic {
            guard await pairing.isPairingTopic(existing) else {
                throw SDKError.internal(.noMatchingKey, context: "pairing topic doesn't exist: \(existing)")
            }
            topic = existing
            uri = nil
        } else {
            let created = try await pairing.create(methods: [SignMethod.sessionAuthenticate.rawValue], subscribe: true)
            topic = created.topic
            uri = created.uri
        }

        let selfPublicKey = try await crypto.generateKeyPair()
        let responseTopic = try SignTopics.authResponseTopic(requesterPublicKey: selfPublicKey)
        let payload = AuthPayload(
            type: params.type ?? "caip122", chains: params.chains, statement: params.statement, aud: params.uri,
            domain: params.domain, version: "1", nonce: params.nonce,
            iat: ISO8601Timestamp.string(milliseconds: wallClock.nowMilliseconds), nbf: params.nbf, exp: params.exp,
            requestID: params.requestID, resources: resources)
        let requester = Participant(publicKey: selfPublicKey, metadata: metadata)
        let requestParams = SessionAuthenticateParams(
            requester: requester, authPayload: try payload.jsonValue(), expiryTimestamp: expiryTimestamp)

        var fallbackMethods = ["personal_sign"]
        for method in params.methods where !fallbackMethods.contains(method) { fallbackMethods.append(method) }
        let requestID = nextPayloadID()
        let fallbackID = nextPayloadID()
        let proposalExpiry = now + SignLifetimes.proposal
        let proposeParams = SessionProposeParams(
            requiredNamespaces: [:],
            optionalNamespaces: [
                "eip155": ProposalNamespace(chains: params.chains, methods: fallbackMethods, events: OneClickAuth.sessionEvents)
            ],
            proposer: requester, expiryTimestamp: proposalExpiry, pairingTopic: topic, id: fallbackID)

        try await relay.subscribe(topic: responseTopic)
        authState.insert(
            .init(
                requestID: requestID, fallbackProposalID: fallbackID, pairingTopic: topic, responseTopic: responseTopic,
                selfPublicKey: selfPublicKey, payload: payload, rpcCaller: rpcCaller))
        guard authWaiters.register(requestID), approvalWaiters.register(fallbackID) else {
            await endAuthentication(requestID: requestID, .failed)
            throw SignEngineError.shutDown
        }
        do {
            try await proposals.set(Proposal(id: fallbackID, pairingTopic: topic, params: proposeParams, now: now))
            try await expirer.set(.id(fallbackID), expiry: proposalExpiry)
            try await expirer.set(.id(requestID), expiry: expiryTimestamp)
            try await sendRequest(
                topic: topic, method: .sessionAuthenticate, params: requestParams, id: requestID, ttl: requestTTL)
            try await sendRequest(topic: topic, method: .sessionPropose, params: proposeParams, id: fallbackID)
        } catch {
            await endAuthentication(requestID: requestID, .failed)
            authWaiters.discard(requestID)
            approvalWaiters.discard(fallbackID)
            throw error
        }
        logger.debug("sent authenticate request", metadata: ["wk.topic": "\(topic)", "wk.rpc.id": "\(requestID)"])
        // The expirer normally ends the wait first; the clock is a backstop.
        let backstop = Duration.seconds(expiryTimestamp - now) + .seconds(5)
        return SignAuthentication(
            uri: uri, pairingTopic: topic, requestID: requestID, fallbackProposalID: fallbackID,
            responseTopic: responseTopic
        ) {
            try await self.awaitAuthentication(requestID: requestID, fallbackProposalID: fallbackID, backstop: backstop)
        }
    }

    static func validateAuthenticate(_ params: AuthRequestParams) throws {
        let context = "authenticate()"
        guard !params.chains.isEmpty else { throw SDKError.internal(.missingOrInvalid, context: "\(context) chains") }
        guard !params.domain.isEmpty else { throw SDKError.internal(.missingOrInvalid, context: "\(context) domain") }
        guard !params.nonce.isEmpty else { throw SDKError.internal(.missingOrInvalid, context: "\(context) nonce") }
        guard !params.uri.isEmpty else { throw SDKError.internal(.missingOrInvalid, context: "\(context) uri") }
        if let expiry = params.expiry, expiry > SignLifetimes.authRequestMaximum {
            throw SDKError.internal(
                .missingOrInvalid,
                context: "\(context) expiry: \(expiry). Must be at most \(SignLifetimes.authRequestMaximum) seconds")
        }
        var namespaces: [String] = []
        for chain in params.chains {
            let parts = chain.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw SDKError.internal(.missingOrInvalid, context: "\(context) chain: \(chain)")
            }
            if !namespaces.contains(String(parts[0])) { namespaces.append(String(parts[0])) }
        }
        guard namespaces.count == 1 else {
            throw SDKError.internal(
                .missingOrInvalid,
                context: "Multi-namespace requests are not supported. Please request single namespace only.")
        }
        guard namespaces[0] == "eip155" else {
            throw SDKError.internal(
                .missingOrInvalid,
                context: "Only eip155 namespace is supported for authenticated sessions. Please use .connect() for non-eip155 chains.")
        }
    }

    /// Waits for whichever ends first: the wallet's answer to `wc_sessionAuthenticate`, or the settlement of the
    /// fallback proposal. An expired fallback proposal does not end the wait; its rejection does.
    nonisolated func awaitAuthentication(
        requestID: Int64, fallbackProposalID: Int64, backstop: Duration
    ) async throws -> SignAuthenticationResult {
        enum Outcome: Sendable {
            case answered(SignAuthenticationResult)
            case fallback(Session)
            case fallbackEnded
        }
        let authWaiters = self.authWaiters
        let approvalWaiters = self.approvalWaiters
        let clock = self.clock
        do {
            let result = try await withThrowingTaskGroup(of: Outcome.self) { group in
                group.addTask {
                    .answered(
                        try await Self.awaitValue(
                            in: authWaiters, id: requestID, timeout: backstop, clock: clock,
                            timeoutError: SignAuthenticationError.expired))
                }
                group.addTask {
                    do {
                        return .fallback(try await approvalWaiters.wait(fallbackProposalID))
                    } catch is AuthenticationSuperseded {
                        return .fallbackEnded
                    } catch let error as SDKError where error == Self.proposalExpiredError {
                        return .fallbackEnded
                    }
                }
                defer { group.cancelAll() }
                while let outcome = try await group.next() {
                    switch outcome {
                    case .answered(let result): return result
                    case .fallback(let session): return SignAuthenticationResult.fallbackSession(session)
                    case .fallbackEnded: continue
                    }
                }
                throw SignAuthenticationError.expired
            }
            if case .fallbackSession = result { await endAuthentication(requestID: requestID, .fallbackSettled) }
            return result
        } catch {
            await endAuthentication(requestID: requestID, .failed)
            throw error
        }
    }

    /// How a dapp's authenticate request ended, for ``endAuthentication(requestID:_:)``.
    enum AuthenticationEnd {
        /// The wallet's CACAOs were accepted: the fallback proposal is withdrawn, the key `R` kept.
        case authenticated
        /// The fallback proposal settled: its session keeps the key `R`.
        case fallbackSettled
        /// Rejected, refused, expired or cancelled: the fallback proposal and (when unused) `R` are deleted.
        case failed
    }

    /// Forgets a dapp's pending authentication: timer, response-topic subscription, and per `end` the fallback
    /// proposal and the requester key. Idempotent.
    func endAuthentication(requestID: Int64, _ end: AuthenticationEnd) async {
        guard let pending = authState.remove(requestID: requestID) else { return }
        try? await expirer.delete(.id(requestID))
        // A link-mode request never subscribed its response topic.
        if pending.walletLink == nil {
            do {
                try await relay.unsubscribe(topic: pending.responseTopic)
            } catch {
                logger.debug("could not unsubscribe an auth response topic", metadata: ["wk.topic": "\(pending.responseTopic)"])
            }
        }
        if end != .fallbackSettled {
            if await proposals.proposal(id: pending.fallbackProposalID) != nil {
                await deleteProposal(id: pending.fallbackProposalID)
            }
            approvalWaiters.resume(pending.fallbackProposalID, with: .failure(AuthenticationSuperseded()))
        }
        if end == .failed {
            let sessionKeys = await sessions.all.map(\.selfParticipant.publicKey)
            let keyInUse =
                sessionKeys.contains(pending.selfPublicKey)
                || pendingSettlements.values.contains { $0.selfPublicKey == pending.selfPublicKey }
            if !keyInUse { try? await crypto.deleteKeyPair(publicKey: pending.selfPublicKey) }
        }
    }

    // MARK: - Inbound

    /// Handles a message on an auth response topic of this client; `nil` when `message` is on another topic.
    /// Returns `false` when a storage failure means it must be replayed.
    func processAuthenticateResponse(_ message: RelayMessage) async -> Bool? {
        guard let pending = authState.pending(responseTopic: message.topic) else {
            return await processAuthenticatePairingReply(message)
        }
        guard (try? Crypto.envelopeType(of: message.message)) == .type1,
            let sender = try? Crypto.senderPublicKey(of: message.message)
        else {
            logger.debug("dropped non type-1 envelope on an auth response topic", metadata: ["wk.topic": "\(message.topic)"])
            return true
        }
        let text: String
        do {
            text = try await crypto.decode(
                topic: message.topic, encoded: message.message, receiverPublicKey: pending.selfPublicKey)
        } catch {
            logger.debug("dropped undecodable auth response", metadata: ["wk.topic": "\(message.topic)"])
            return true
        }
        // The type-1 decode stored the derived key under its topic: keep it only if it becomes a session's key.
        let derivedTopic = try? await crypto.generateSharedKey(selfPublicKey: pending.selfPublicKey, peerPublicKey: sender)
        let handled: Bool
        if case .response(let response)? = try? JSONRPCMessage.decode(text), response.id.rawValue == pending.requestID {
            do {
                try await onAuthenticateResponse(response, pending: pending, senderPublicKey: sender)
                handled = true
            } catch is CancellationError {
                handled = false
            } catch {
                logger.debug("failed to handle an auth response", metadata: ["wk.rpc.id": "\(pending.requestID)"])
                handled = false
            }
        } else {
            logger.debug("dropped an unexpected message on an auth response topic", metadata: ["wk.topic": "\(message.topic)"])
            handled = true
        }
        if let derivedTopic, await sessions.session(topic: derivedTopic) == nil {
            try? await crypto.deleteSymKey(topic: derivedTopic)
        }
        return handled
    }

    /// A type-1 envelope on the pairing topic of pending authentications (sign.md §2.4): a JS 2.23.10 wallet whose
    /// handler throws sends its auto-reject (1119) there, sealed from a fresh key to the requester key `R`, not on
    /// the response topic. `nil` when `message` is no type-1 envelope on such a pairing topic (type 0 goes to the
    /// pairing controller as usual). Only an error answering one of those requests is taken: it ends the wait as on
    /// the response topic; anything else there is dropped.
    func processAuthenticatePairingReply(_ message: RelayMessage) async -> Bool? {
        let candidates = authState.pending(pairingTopic: message.topic)
        guard !candidates.isEmpty, (try? Crypto.envelopeType(of: message.message)) == .type1 else { return nil }
        guard let sender = try? Crypto.senderPublicKey(of: message.message) else { return true }
        for candidate in candidates {
            guard
                let text = try? await crypto.decode(
                    topic: message.topic, encoded: message.message, receiverPublicKey: candidate.selfPublicKey)
            else { continue }
            // The type-1 decode stored the derived key under its topic: no session uses it.
            if let derivedTopic = try? await crypto.generateSharedKey(
                selfPublicKey: candidate.selfPublicKey, peerPublicKey: sender),
                await sessions.session(topic: derivedTopic) == nil
            {
                try? await crypto.deleteSymKey(topic: derivedTopic)
            }
            guard case .response(let response)? = try? JSONRPCMessage.decode(text),
                response.id.rawValue == candidate.requestID, response.error != nil,
                // Still pending after the awaits above (an answer on the response topic may have ended it).
                let pending = authState.pending[candidate.requestID]
            else {
                logger.debug("dropped a type-1 message on a pairing topic", metadata: ["wk.topic": "\(message.topic)"])
                return true
            }
            do {
                try await onAuthenticateResponse(response, pending: pending, senderPublicKey: sender)
                return true
            } catch {
                return false
            }
        }
        logger.debug("dropped an undecodable type-1 envelope on a pairing topic", metadata: ["wk.topic": "\(message.topic)"])
        return true
    }

    /// The wallet's type-1 answer: error → the dapp's wait fails with it (10001 keeps waiting for the fallback);
    /// result → every CACAO is verified and bound, then the session is stored when methods were approved.
    func onAuthenticateResponse(
        _ response: JSONRPCResponse, pending: SignAuthenticateState.PendingAuthentication, senderPublicKey: String
    ) async throws {
        let requestID = pending.requestID
        switch response.outcome {
        case .error(let error):
            let reason = SDKError(error)
            if reason.code == .wcMethodUnsupported {
                logger.debug("wallet does not handle authenticate, awaiting the fallback", metadata: ["wk.rpc.id": "\(requestID)"])
                return
            }
            _ = try? await history.resolveOutgoing(id: requestID)
            await endAuthentication(requestID: requestID, .failed)
            authWaiters.resume(requestID, with: .failure(reason))
        case .result(let value):
            _ = try? await history.resolveOutgoing(id: requestID)
            let result: SignAuthenticationResult
            do {
                result = try await acceptAuthentication(value, pending: pending, senderPublicKey: senderPublicKey)
            } catch let error as SignAuthenticationError {
                logger.debug("refused an auth response", metadata: ["wk.rpc.id": "\(requestID)", "wk.reason": "\(error.kind)"])
                await endAuthentication(requestID: requestID, .failed)
                authWaiters.resume(requestID, with: .failure(error))
                return
            }
            await endAuthentication(requestID: requestID, .authenticated)
            authWaiters.resume(requestID, with: .success(result))
        }
    }

    /// Verifies the CACAOs of a success answer and builds the session (sign.md §9.2 step 5).
    /// - Throws: ``SignAuthenticationError`` for an answer to refuse; storage and relay errors.
    private func acceptAuthentication(
        _ value: JSONValue, pending: SignAuthenticateState.PendingAuthentication, senderPublicKey: String
    ) async throws -> SignAuthenticationResult {
        guard let body = try? value.decode(as: SessionAuthenticateResponse.self) else {
            throw SignAuthenticationError.malformedResponse("the answer is not {cacaos, responder}")
        }
        guard !body.cacaos.isEmpty else { throw SignAuthenticationError.malformedResponse("the answer has no CACAO") }
        guard body.responder.publicKey == senderPublicKey else {
            throw SignAuthenticationError.malformedResponse("the responder key is not the envelope's sender key")
        }
        let caller = pending.rpcCaller ?? authState.rpcCaller
        var cacaos: [Cacao] = []
        for (index, json) in body.cacaos.enumerated() {
            guard let cacao = try? Cacao(json: json) else {
                throw SignAuthenticationError.malformedResponse("CACAO \(index) is malformed")
            }
            do {
                try await CacaoVerifier.verify(cacao: cacao, request: pending.payload, rpcCaller: caller)
            } catch let error as AuthError {
                throw SignAuthenticationError.cacaoRefused(index: index, reason: error)
            }
            cacaos.append(cacao)
        }
        let approval: OneClickAuth.Approval
        do {
            approval = try OneClickAuth.approval(for: cacaos)
        } catch let error as AuthError {
            throw SignAuthenticationError.cacaoRefused(index: 0, reason: error)
        }
        let sessionTopic = try await crypto.generateSharedKey(
            selfPublicKey: pending.selfPublicKey, peerPublicKey: body.responder.publicKey)
        guard !approval.methods.isEmpty else {
            try? await crypto.deleteSymKey(topic: sessionTopic)
            await activatePairing(topic: pending.pairingTopic)
            return .authenticated(cacaos: cacaos, session: nil)
        }
        let session = Session(
            topic: sessionTopic, pairingTopic: pending.pairingTopic, expiry: nowSeconds + SignLifetimes.session,
            acknowledged: true, controller: body.responder.publicKey,
            namespaces: OneClickAuth.buildNamespacesFromAuth(methods: approval.methods, accounts: approval.accounts),
            requiredNamespaces: [:], optionalNamespaces: [:],
            selfParticipant: Participant(publicKey: pending.selfPublicKey, metadata: metadata), peer: body.responder,
            authentication: body.cacaos, transportType: pending.walletLink == nil ? .relay : .linkMode)
        try await sessions.set(session)
        if pending.walletLink == nil {
            try await relay.subscribe(topic: sessionTopic)
        } else if let responderLink = body.responder.metadata.redirect?.universal {
            // The answer came by link: the wallet's link is now seen (JS `addLinkModeSupportedApp`).
            await rememberLinkModeApp(responderLink)
        }
        if pending.walletLink != nil { subscribeLinkModeSession(topic: sessionTopic) }
        try await expirer.set(.topic(sessionTopic), expiry: session.expiry)
        await activatePairing(topic: pending.pairingTopic)
        await updatePairingMetadata(topic: pending.pairingTopic, metadata: body.responder.metadata)
        emit(.sessionSettle(session))
        logger.debug("authenticated session", metadata: ["wk.topic": "\(sessionTopic)", "wk.rpc.id": "\(pending.requestID)"])
        return .authenticated(cacaos: cacaos, session: session)
    }

    /// A type-0 response to `wc_sessionAuthenticate` on the pairing topic: an older wallet's 10001 means "use the
    /// fallback proposal"; any other error ends the wait.
    func onAuthenticatePairingResponse(_ response: JSONRPCResponse, requestID: Int64) async {
        guard authState.pending[requestID] != nil else { return }
        guard case .error(let error) = response.outcome else {
            logger.debug("dropped a type-0 authenticate result", metadata: ["wk.rpc.id": "\(requestID)"])
            return
        }
        let reason = SDKError(error)
        if reason.code == .wcMethodUnsupported {
            logger.debug("wallet does not handle authenticate, awaiting the fallback", metadata: ["wk.rpc.id": "\(requestID)"])
            return
        }
        await endAuthentication(requestID: requestID, .failed)
        authWaiters.resume(requestID, with: .failure(reason))
    }
}
