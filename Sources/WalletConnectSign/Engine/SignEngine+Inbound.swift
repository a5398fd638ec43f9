import Logging
import WalletConnectCore

/// Routing of inbound relay messages.
extension SignEngine {
    /// What became of one relay message.
    enum InboundOutcome {
        /// Handled (or deliberately dropped after reading it): marked handled, never replayed.
        case handled
        /// Unreadable (too large, not a type-0 envelope, no key, does not decrypt or decode): forgotten by the
        /// relay, so garbage occupies no storage.
        case unreadable
        /// Its effect could not be persisted: left unhandled, replayed at the next start.
        case retry
    }

    /// Handles one relay message, then finishes it with the relay (handled, discarded, or released for replay).
    func handle(_ message: RelayMessage) async {
        guard !isShutDown else {
            await relay.release(message)
            return
        }
        switch await process(message) {
        case .handled:
            await relay.markHandled(message)
        case .unreadable:
            await relay.discard(message)
        case .retry:
            logger.debug("left message unhandled for replay", metadata: ["wk.topic": "\(message.topic)"])
            await relay.release(message)
        }
    }

    /// Whether `topic` is a session topic of this client (settled, or awaiting its settlement).
    func isSessionTopic(_ topic: String) async -> Bool {
        if pendingSettlements[topic] != nil { return true }
        return await sessions.session(topic: topic) != nil
    }

    /// Processes a message; returns ``InboundOutcome/retry`` when a storage failure means it must be replayed later.
    ///
    /// A message larger than ``SignEngineOptions/maxInboundMessageBytes`` is dropped first, unread.
    ///
    /// Session topics are decoded here. Messages on pairing topics go to the pairing controller first, which
    /// consumes pairing pings/deletes and forwards the rest (proposals, responses to our requests).
    func process(_ message: RelayMessage) async -> InboundOutcome {
        guard message.message.utf8.count <= options.maxInboundMessageBytes else {
            logger.debug(
                "dropped oversized message",
                metadata: ["wk.topic": "\(message.topic)", "wk.bytes": "\(message.message.utf8.count)"])
            return .unreadable
        }
        if let handled = await processAuthenticateResponse(message) { return handled ? .handled : .retry }
        let onSessionTopic = await isSessionTopic(message.topic)
        let rpc: JSONRPCMessage
        if !onSessionTopic, await pairing.isPairingTopic(message.topic) {
            switch await pairing.handle(message) {
            case .forwarded(let forwarded): rpc = forwarded
            case .handled: return .handled
            case .ignored: return .unreadable
            }
        } else {
            guard let decoded = await decode(message) else { return .unreadable }
            rpc = decoded
        }
        do {
            switch rpc {
            case .request(let request):
                try await handleRequest(request, message: message, onSessionTopic: onSessionTopic)
            case .response(let response):
                try await handleResponse(response, message: message)
            }
            return .handled
        } catch is CancellationError {
            return .retry
        } catch {
            logger.debug(
                "failed to handle message", metadata: ["wk.topic": "\(message.topic)", "wk.error": "\(String(describing: error))"])
            return .retry
        }
    }

    // MARK: - Requests

    func handleRequest(_ request: JSONRPCRequest, message: RelayMessage, onSessionTopic: Bool) async throws {
        let id = request.id.rawValue
        let topic = message.topic
        let method = SignMethod(rawValue: request.method)
        // On a pairing topic only proposals concern the engine (pairing methods never reach it).
        if !onSessionTopic, method != .sessionPropose, method != .sessionAuthenticate {
            await sendError(
                topic: topic, id: id, error: .sdk(.wcMethodUnsupported, context: request.method),
                options: .unregisteredMethod)
            return
        }
        // A peer's request is known by (topic, id): another peer may use the same id at the same moment.
        if let record = await history.incoming(topic: topic, id: id) {
            if record.isResolved {
                logger.debug("dropped duplicate request", metadata: ["wk.topic": "\(topic)", "wk.rpc.id": "\(id)"])
                return
            }
            if method == .sessionRequest, await requests.record(topic: topic, id: id) != nil { return }
            if method == .sessionPropose, await proposals.proposal(id: id) != nil { return }
        }
        guard let method else {
            try await history.set(id: id, topic: topic, method: request.method, direction: .incoming)
            await sendError(
                topic: topic, id: id, error: .sdk(.wcMethodUnsupported, context: request.method),
                options: .unregisteredMethod)
            return
        }
        let chainID = request.params["chainId"]?.stringValue
        try await history.set(id: id, topic: topic, method: method.rawValue, chainID: chainID, direction: .incoming)
        switch method {
        case .sessionPropose:
            guard !(await isAuthenticateFallback(pairingTopic: topic)) else { return }
            try await onSessionPropose(request, message: message)
        case .sessionAuthenticate: try await onSessionAuthenticate(request, message: message)
        case .sessionSettle: try await onSessionSettle(request, topic: topic)
        case .sessionUpdate: try await onSessionUpdate(request, topic: topic)
        case .sessionExtend: try await onSessionExtend(request, topic: topic)
        case .sessionRequest: try await onSessionRequest(request, message: message)
        case .sessionEvent: try await onSessionEvent(request, topic: topic)
        case .sessionDelete: await onSessionDelete(request, topic: topic)
        case .sessionPing: try await onSessionPing(request, topic: topic)
        case .pairingPing, .pairingDelete:
            await sendError(
                topic: topic, id: id, error: .sdk(.wcMethodUnsupported, context: request.method),
                options: method.responseOptions)
        }
    }

    // MARK: - Responses

    func handleResponse(_ response: JSONRPCResponse, message: RelayMessage) async throws {
        let id = response.id.rawValue
        // Our ids are ours alone, but the answer must come where the request went: a response with the id of a
        // request to another session or pairing is not its answer.
        guard let record = await history.outgoing(id: id), record.topic == message.topic else {
            logger.debug("dropped response to an unknown id", metadata: ["wk.topic": "\(message.topic)", "wk.rpc.id": "\(id)"])
            return
        }
        guard !record.isResolved else {
            logger.debug("dropped duplicate response", metadata: ["wk.topic": "\(message.topic)", "wk.rpc.id": "\(id)"])
            return
        }
        try await history.resolveOutgoing(id: id)
        switch SignMethod(rawValue: record.method) {
        case .sessionPropose:
            try await onProposalResponse(response, proposalID: id, pairingTopic: record.topic)
        case .sessionSettle:
            try await onSettleResponse(response, topic: record.topic)
        case .sessionRequest:
            responseWaiters.resume(id, with: .success(response))
            emit(.sessionResponse(id: id, topic: record.topic, response: response))
        case .sessionAuthenticate:
            await onAuthenticatePairingResponse(response, requestID: id)
        case .sessionUpdate, .sessionExtend, .sessionPing:
            responseWaiters.resume(id, with: .success(response))
        default:
            break
        }
    }

    /// Dapp: the wallet answered our proposal.
    func onProposalResponse(_ response: JSONRPCResponse, proposalID: Int64, pairingTopic: String) async throws {
        switch response.outcome {
        case .error(let error):
            let rejection = SDKError(error)
            await deleteProposal(id: proposalID)
            approvalWaiters.resume(proposalID, with: .failure(rejection))
            emit(.sessionRejected(proposalID: proposalID, error: rejection))
        case .result(let value):
            guard let result = try? value.decode(as: SessionProposeResponse.self),
                let proposal = await proposals.proposal(id: proposalID)
            else {
                logger.debug("dropped unusable proposal response", metadata: ["wk.rpc.id": "\(proposalID)"])
                return
            }
            let selfPublicKey = proposal.proposer.publicKey
            let sessionTopic = try await crypto.generateSharedKey(
                selfPublicKey: selfPublicKey, peerPublicKey: result.responderPublicKey)
            try await setPendingSettlement(
                PendingSettlement(proposalID: proposalID, pairingTopic: pairingTopic, selfPublicKey: selfPublicKey),
                topic: sessionTopic)
            try await relay.subscribe(topic: sessionTopic)
            await activatePairing(topic: pairingTopic)
            logger.debug("proposal accepted, awaiting settlement", metadata: ["wk.topic": "\(sessionTopic)"])
        }
    }

    /// Wallet: the dapp answered `wc_sessionSettle`.
    func onSettleResponse(_ response: JSONRPCResponse, topic: String) async throws {
        switch response.outcome {
        case .result:
            guard await sessions.session(topic: topic) != nil else { return }
            try await sessions.update(topic: topic) { $0.acknowledged = true }
            emit(.sessionAcknowledged(topic: topic))
        case .error:
            await deleteSessionLocally(topic: topic, eventID: 0)
        }
    }
}
