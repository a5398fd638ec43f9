import Logging
import WalletConnectCore

/// Calls available to both roles, and local clean-up.
extension SignEngine {
    /// Pings a session (`wc_sessionPing`, waits for `true`) or a pairing (`wc_pairingPing`).
    /// - Throws: ``SDKError`` (validation: `No matching key. session or pairing topic doesn't exist: <t>`, or the
    ///   peer's error), ``SignEngineError/timedOut(_:)``, or the relay error.
    package func ping(topic: String) async throws {
        try requireStarted()
        guard case .topic(let target) = try await validated(.ping, params: ["topic": .string(topic)]) else { return }
        switch target {
        case .session:
            _ = try await sendRequestAwaitingResult(
                topic: topic, method: .sessionPing, params: SessionPingParams(), timeout: options.acknowledgementTimeout,
                timeoutError: SignEngineError.timedOut("Session ping request expired without receiving any acknowledgement"))
        case .pairing(let pairingTopic):
            try await pingPairing(topic: pairingTopic)
        }
    }

    /// Disconnects a session (`wc_sessionDelete` with 6000 `User disconnected.`, which must be published, then
    /// local deletion without a ``SignEvent/sessionDelete(id:topic:)`` event) or deletes a pairing.
    /// - Throws: ``SDKError`` (validation), the relay error (the session is kept then), or
    ///   ``SignEngineError/deletionInProgress(topic:)`` while another disconnect of the session runs.
    package func disconnect(topic: String) async throws {
        try requireStarted()
        guard case .topic(let target) = try await validated(.disconnect, params: ["topic": .string(topic)]) else { return }
        switch target {
        case .session:
            // Reserved from here (no await since the validation): a concurrent disconnect is refused, requests
            // arriving meanwhile are not announced, answers are refused.
            guard decisions.beginDeleting(topic) else { throw SignEngineError.deletionInProgress(topic: topic) }
            // Runs to its end even if the caller is cancelled: a delete that reached the dapp is carried out here.
            try await Task {
                do {
                    try await sendRequest(
                        topic: topic, method: .sessionDelete,
                        params: SessionDeleteParams(code: SDKErrorCode.userDisconnected.rawValue, message: "User disconnected."))
                } catch {
                    decisions.endDeleting(topic, deleted: false)
                    throw error
                }
                for record in await history.pendingOutgoing where record.topic == topic {
                    responseWaiters.resume(record.id, with: .failure(SDKError.sdk(.userDisconnected)))
                }
                await deleteSessionLocally(topic: topic, eventID: nil, reserved: true)
            }.value
        case .pairing(let pairingTopic):
            try await disconnectPairing(topic: pairingTopic)
        }
    }

    /// Deletes a session locally (§3.10): unsubscribe, record, keys, timer, its pending requests (resetting its
    /// queue), remembered as recently deleted. Emits ``SignEvent/sessionDelete(id:topic:)`` when `eventID` is set.
    ///
    /// The topic is marked deleting first (a concurrent deletion of it returns at once) and ended afterwards, so
    /// inbound work for it that was awaiting stops. `reserved` says the caller already marked it.
    /// Returns `false` when another deletion of the topic was already in progress (that one finishes the work).
    @discardableResult
    func deleteSessionLocally(topic: String, eventID: Int64?, reserved: Bool = false) async -> Bool {
        guard reserved || decisions.beginDeleting(topic) else { return false }
        defer { decisions.endDeleting(topic, deleted: true) }
        let session = await sessions.session(topic: topic)
        await clearPendingSettlement(topic: topic)
        await cancelLinkModeSubscription(topic: topic)
        do {
            try await relay.unsubscribe(topic: topic)
        } catch {
            logger.debug("could not unsubscribe a deleted session", metadata: ["wk.topic": "\(topic)"])
        }
        do {
            try await sessions.delete(topic: topic)
        } catch {
            logger.debug("could not delete a session record", metadata: ["wk.topic": "\(topic)"])
        }
        recentlyDeleted.insert(topic)
        if let session { try? await crypto.deleteKeyPair(publicKey: session.selfParticipant.publicKey) }
        try? await crypto.deleteSymKey(topic: topic)
        try? await expirer.delete(.topic(topic))
        let removed = (try? await requests.deleteAll(topic: topic)) ?? []
        for id in removed {
            try? await expirer.delete(.request(topic: topic, id: id))
            queueReleases.removeValue(forKey: SessionRequestKey(topic: topic, id: id))?.cancel()
        }
        announce(queue.removeSession(topic: topic))
        lastUpdateIDs[topic] = nil
        lastEventIDs = lastEventIDs.filter { !$0.key.hasPrefix(topic + "|") }
        try? await history.deleteAll(topic: topic)
        logger.debug("deleted session", metadata: ["wk.topic": "\(topic)"])
        if let eventID { emit(.sessionDelete(id: eventID, topic: topic)) }
        return true
    }

    /// Deletes a proposal and its timer, remembering its id as recently deleted.
    func deleteProposal(id: Int64) async {
        do {
            try await proposals.delete(id: id)
        } catch {
            logger.debug("could not delete a proposal", metadata: ["wk.rpc.id": "\(id)"])
        }
        recentlyDeleted.insert(String(id))
        try? await expirer.delete(.id(id))
    }

    /// Dapp: records (memory and storage) that `topic` awaits the settlement of a proposal.
    /// - Throws: The storage error; nothing is recorded then.
    func setPendingSettlement(_ settlement: PendingSettlement, topic: String) async throws {
        try await settlementStore.set(topic, settlement)
        pendingSettlements[topic] = settlement
    }

    /// Dapp: `topic` no longer awaits a settlement (settled, refused or deleted).
    func clearPendingSettlement(topic: String) async {
        pendingSettlements[topic] = nil
        do {
            _ = try await settlementStore.delete(topic)
        } catch {
            logger.debug("could not delete a pending settlement", metadata: ["wk.topic": "\(topic)"])
        }
    }

    /// Deletes a pending request and its timer and takes it out of the queue.
    func dropPendingRequest(_ key: SessionRequestKey) async {
        _ = try? await requests.delete(topic: key.topic, id: key.id)
        try? await expirer.delete(.request(topic: key.topic, id: key.id))
        queueReleases.removeValue(forKey: key)?.cancel()
        announce(queue.remove(key))
    }

    /// Emits ``SignEvent/sessionRequest(_:)`` for each request the queue released.
    func announce(_ released: [PendingRequest]) {
        for request in released {
            logger.debug("announcing session request", metadata: ["wk.topic": "\(request.topic)", "wk.rpc.id": "\(request.id)"])
            emit(.sessionRequest(request))
        }
    }

    /// Releases the queue lane of the answered request `key` after the configured delay (JS: 1 s).
    func scheduleQueueRelease(_ key: SessionRequestKey) {
        let delay = options.requestQueueReleaseDelay
        guard delay > .zero else {
            announce(queue.complete(key))
            return
        }
        let clock = self.clock
        queueReleases[key]?.cancel()
        queueReleases[key] = Task {
            do {
                try await clock.sleep(for: delay)
            } catch {
                return
            }
            self.releaseQueue(key)
        }
    }

    private func releaseQueue(_ key: SessionRequestKey) {
        queueReleases[key] = nil
        guard !isShutDown else { return }
        announce(queue.complete(key))
    }
}
