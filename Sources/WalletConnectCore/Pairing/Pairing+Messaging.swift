import Logging

/// Ping, disconnect, local deletion, expiry and inbound handling.
extension Pairing {
    // MARK: - Ping and disconnect

    /// Sends `wc_pairingPing` and waits for the peer's `true` (up to the ping timeout on the injected clock).
    /// - Throws: ``PairingError`` (invalid, unknown or expired topic; timeout; shut down), the peer's
    ///   ``JSONRPCError``, relay errors, `CancellationError`.
    package func ping(topic: String) async throws {
        try await validateTopic(topic)
        let id = ids.payloadID()
        let waiter = PairingResponseWaiter()
        outgoing[id] = (PairingMethod.ping, waiter)  // register before publishing
        defer { outgoing[id] = nil }
        try await sendRequest(id: id, topic: topic, method: PairingMethod.ping, params: .object([:]))
        let clock = self.clock
        let timeout = pingTimeout
        let response: JSONRPCResponse = try await withThrowingTaskGroup(of: JSONRPCResponse?.self) { group in
            group.addTask { try await waiter.value() }
            group.addTask {
                try await clock.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let response = first else {
                throw PairingError(.pingTimeout, topic)
            }
            return response
        }
        if let error = response.error { throw error }
    }

    /// Sends `wc_pairingDelete {6000, "User disconnected."}`, then deletes the pairing locally
    /// (the local deletion happens even when the publish fails; the publish error is then rethrown).
    /// - Throws: ``PairingError`` (invalid, unknown or expired topic), relay errors.
    package func disconnect(topic: String) async throws {
        try await validateTopic(topic)
        let id = ids.payloadID()
        outgoing[id] = (PairingMethod.delete, nil)
        var publishError: (any Error)?
        do {
            try await sendRequest(
                id: id, topic: topic, method: PairingMethod.delete,
                params: ["code": 6000, "message": "User disconnected."])
        } catch {
            publishError = error
            outgoing[id] = nil
        }
        await deleteLocally(topic: topic, reason: .deleted(topic: topic, byPeer: false))
        if let publishError { throw publishError }
    }

    /// The checks of spec §5.6 for ping/disconnect; an expired pairing is deleted before throwing.
    func validateTopic(_ topic: String) async throws {
        guard !topic.isEmpty else { throw PairingError(.invalidTopic, topic) }
        guard let pairing = await store.value(forKey: topic) else { throw PairingError(.noMatchingTopic, topic) }
        if pairing.isExpired(nowMilliseconds: wallClock.nowMilliseconds) {
            await deleteLocally(topic: topic, reason: .expired(topic: topic))
            throw PairingError(.expired, topic)
        }
    }

    // MARK: - Deletion and expiry

    /// Deletes a pairing locally without telling the peer: unsubscribe, then remove the record, the symmetric
    /// key and the expirer entry. Emits ``PairingEvent/deleted(topic:byPeer:)``.
    package func delete(topic: String) async {
        await deleteLocally(topic: topic, reason: .deleted(topic: topic, byPeer: false))
    }

    /// Deletes in the spec's order; failures of each step are logged and do not stop the next ones.
    func deleteLocally(topic: String, reason: PairingEvent) async {
        do { try await relay.unsubscribe(topic: topic) } catch {
            logger.debug("pairing unsubscribe failed", metadata: ["wk.topic": "\(topic)"])
        }
        do { try await store.delete(topic) } catch {
            logger.debug("pairing record delete failed", metadata: ["wk.topic": "\(topic)"])
        }
        do { try await crypto.deleteSymKey(topic: topic) } catch {
            logger.debug("pairing key delete failed", metadata: ["wk.topic": "\(topic)"])
        }
        do { try await expirer.delete(.topic(topic)) } catch {
            logger.debug("pairing expirer delete failed", metadata: ["wk.topic": "\(topic)"])
        }
        logger.debug("pairing deleted", metadata: ["wk.topic": "\(topic)"])
        broadcaster.yield(reason)
    }

    /// Handles an expirer event: a `topic:<t>` expiry of a stored pairing deletes it and emits
    /// ``PairingEvent/expired(topic:)``. Other events are ignored.
    package func handle(_ event: ExpirerEvent) async {
        guard case .expired(let entry) = event,
            case .topic(let topic)? = try? ExpirerTarget(parsing: entry.target),
            await store.contains(topic)
        else { return }
        await deleteLocally(topic: topic, reason: .expired(topic: topic))
    }

    // MARK: - Inbound

    /// Handles one relay message on a pairing topic (spec §5.6 inbound filter).
    ///
    /// Type-1 and type-2 envelopes are ignored (left to Sign). Requests: `wc_pairingPing` is answered `true`,
    /// `wc_pairingDelete` deletes the pairing, registered methods are forwarded, any other method gets error
    /// 10001. Responses to this controller's own requests are consumed; other responses are forwarded.
    @discardableResult
    package func handle(_ message: RelayMessage) async -> PairingHandlingResult {
        guard !isShutDown else { return .ignored }
        guard let type = try? Crypto.envelopeType(of: message.message), type == .type0 else {
            logger.trace("pairing ignored non type-0 envelope", metadata: ["wk.topic": "\(message.topic)"])
            return .ignored
        }
        let rpc: JSONRPCMessage
        do {
            let text = try await crypto.decode(topic: message.topic, encoded: message.message)
            rpc = try JSONRPCMessage.decode(text)
        } catch {
            logger.debug("pairing could not decode a message", metadata: ["wk.topic": "\(message.topic)"])
            return .ignored
        }
        switch rpc {
        case .request(let request):
            return await handleRequest(request, topic: message.topic)
        case .response(let response):
            guard let entry = outgoing.removeValue(forKey: response.id.rawValue) else { return .forwarded(rpc) }
            entry.waiter?.fulfill(.success(response))
            return .handled
        }
    }

    func handleRequest(_ request: JSONRPCRequest, topic: String) async -> PairingHandlingResult {
        let id = request.id.rawValue
        switch request.method {
        case PairingMethod.ping:
            do {
                try await validateTopic(topic)
                try await sendResponse(JSONRPCResponse(id: request.id, result: true), topic: topic, method: request.method)
                broadcaster.yield(.ping(topic: topic, id: id))
            } catch {
                await replyError(to: request, topic: topic, error: error)
            }
            return .handled
        case PairingMethod.delete:
            do {
                try await validateTopic(topic)
                await deleteLocally(topic: topic, reason: .deleted(topic: topic, byPeer: true))
            } catch {
                await replyError(to: request, topic: topic, error: error)
            }
            return .handled
        default:
            if registeredMethods.contains(request.method) { return .forwarded(.request(request)) }
            let error = JSONRPCError(code: 10001, message: "Unsupported wc_ method. \(request.method)")
            do {
                try await sendResponse(JSONRPCResponse(id: request.id, error: error), topic: topic, method: request.method)
            } catch {
                logger.debug("pairing could not send an error reply", metadata: ["wk.topic": "\(topic)"])
            }
            return .handled
        }
    }

    /// Sends a validation error back (best effort; impossible once the pairing and its key are gone).
    func replyError(to request: JSONRPCRequest, topic: String, error: any Error) async {
        let code: Int
        if let pairingError = error as? PairingError {
            switch pairingError.kind {
            case .noMatchingTopic, .invalidTopic: code = 1001
            case .expired: code = 1002
            default: code = 1000
            }
        } else {
            code = 1000
        }
        let reply = JSONRPCResponse(id: request.id, error: JSONRPCError(code: code, message: String(describing: error)))
        do {
            try await sendResponse(reply, topic: topic, method: request.method)
        } catch {
            logger.debug("pairing could not send a validation error", metadata: ["wk.topic": "\(topic)"])
        }
    }

    // MARK: - Sending

    func sendRequest(id: Int64, topic: String, method: String, params: JSONValue) async throws {
        let payload = try WireJSON.string(JSONRPCRequest(id: RPCID(id), method: method, params: params))
        let envelope = try await crypto.encode(topic: topic, payload: payload)
        var options = PairingMethod.requestOptions(method)
        options.correlationID = id
        try await relay.publish(topic: topic, message: envelope, options: options)
        logger.debug("pairing request sent", metadata: ["wk.topic": "\(topic)", "wk.rpc.id": "\(id)", "wk.method": "\(method)"])
    }

    func sendResponse(_ response: JSONRPCResponse, topic: String, method: String) async throws {
        let payload = try WireJSON.string(response)
        let envelope = try await crypto.encode(topic: topic, payload: payload)
        var options = PairingMethod.responseOptions(method)
        options.correlationID = response.id.rawValue
        try await relay.publish(topic: topic, message: envelope, options: options)
    }
}
