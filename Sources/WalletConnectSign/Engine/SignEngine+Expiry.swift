import Logging
import WalletConnectCore

/// Expiries (§3.13) and the restore step of ``SignEngine/start()``.
extension SignEngine {
    /// Reacts to an expired expirer entry: a session topic, a pending request, a proposal or an auth request id.
    func handleExpiry(_ entry: ExpirerEntry) async {
        guard !isShutDown, let target = try? ExpirerTarget(parsing: entry.target) else { return }
        switch target {
        case .topic(let topic):
            guard await sessions.session(topic: topic) != nil,
                await deleteSessionLocally(topic: topic, eventID: 0)
            else { return }
            emit(.sessionExpire(topic: topic))
        case .request(let topic, let id):
            if let record = await requests.record(topic: topic, id: id) {
                await expireRequest(record)
            } else {
                try? await expirer.delete(target)
            }
        case .id(let id):
            // Entries written before requests had their own target may still name a request by id alone.
            let now = wallClock.nowMilliseconds
            if let record = await requests.allRecords.first(where: { $0.request.id == id && $0.isExpired(nowMilliseconds: now) }) {
                await expireRequest(record)
            } else if await proposals.proposal(id: id) != nil {
                await expireProposal(id: id)
            } else {
                _ = await handleAuthenticateExpiry(id: id)
            }
        }
    }

    /// Deletes an expired pending request, announces the expiry, answers 8000 and releases its queue lane.
    func expireRequest(_ record: StoredSessionRequest) async {
        let request = record.request
        // The app's answer in progress wins (it expires the request itself if it fails); so does a deletion.
        guard case .answer = decisions.beginAnswering(request.key, by: .expiry) else { return }
        defer { decisions.endAnswering(request.key) }
        _ = try? await requests.delete(topic: request.topic, id: request.id)
        try? await expirer.delete(.request(topic: request.topic, id: request.id))
        emit(.sessionRequestExpire(id: request.id, topic: request.topic))
        if options.answersExpiredRequests, await sessions.session(topic: request.topic) != nil {
            await sendError(
                topic: request.topic, id: request.id, error: .sdk(.sessionRequestExpired),
                options: SignMethod.sessionRequest.responseOptions)
        }
        // Released at once (JS waits for the next message; §11.4 asks Swift to do better).
        await dropPendingRequest(request.key)
        logger.debug("session request expired", metadata: ["wk.topic": "\(request.topic)", "wk.rpc.id": "\(request.id)"])
    }

    /// Deletes an expired proposal, announces it and fails a dapp's waiting `approval()`.
    func expireProposal(id: Int64) async {
        // An approval or rejection in progress settles it (and expires it afterwards if it fails).
        guard !decisions.isSettling(proposalID: id) else { return }
        await deleteProposal(id: id)
        approvalWaiters.resume(id, with: .failure(Self.proposalExpiredError))
        emit(.proposalExpire(id: id))
        logger.debug("proposal expired", metadata: ["wk.rpc.id": "\(id)"])
    }

    /// Expires proposal `id` when it is still stored and past its expiry (after a failed approve or reject, which
    /// held it while its timer fired).
    func expireProposalIfDue(id: Int64) async {
        guard let proposal = await proposals.proposal(id: id),
            proposal.isExpired(nowMilliseconds: wallClock.nowMilliseconds)
        else { return }
        await expireProposal(id: id)
    }

    /// The restore step of ``start()``.
    func restore() async {
        let now = wallClock.nowMilliseconds
        var liveTopics: [String] = []
        var linkModeTopics: Set<String> = []
        for session in await sessions.all {
            if session.isExpired(nowMilliseconds: now) {
                await deleteSessionLocally(topic: session.topic, eventID: 0)
                emit(.sessionExpire(topic: session.topic))
            } else if !(await crypto.hasKey(session.topic)) {
                await deleteSessionLocally(topic: session.topic, eventID: 0)
            } else {
                liveTopics.append(session.topic)
                if session.transportType == .linkMode { linkModeTopics.insert(session.topic) }
                await setExpiryIfMissing(.topic(session.topic), expiry: session.expiry)
            }
        }
        for proposal in await proposals.all {
            if proposal.isExpired(nowMilliseconds: now) {
                await expireProposal(id: proposal.id)
            } else {
                await setExpiryIfMissing(.id(proposal.id), expiry: proposal.expiryTimestamp)
            }
        }
        // Dapp: proposals answered before a restart whose settlement has not arrived yet.
        for topic in await settlementStore.keys {
            guard let settlement = await settlementStore.value(forKey: topic) else { continue }
            if await proposals.proposal(id: settlement.proposalID) != nil, await crypto.hasKey(topic) {
                pendingSettlements[topic] = settlement
                liveTopics.append(topic)
            } else {
                await clearPendingSettlement(topic: topic)
            }
        }
        // Link-mode sessions never wait for the relay (it may be unreachable): they are subscribed in the background.
        for topic in linkModeTopics.sorted() { subscribeLinkModeSession(topic: topic) }
        let relayTopics = liveTopics.filter { !linkModeTopics.contains($0) }
        if !relayTopics.isEmpty {
            do {
                try await relay.subscribe(topics: relayTopics)
            } catch {
                logger.debug("could not resubscribe session topics", metadata: ["wk.count": "\(relayTopics.count)"])
            }
        }
        for record in await requests.allRecords {
            if !liveTopics.contains(record.request.topic) {
                await dropPendingRequest(record.request.key)
            } else if await history.incoming(topic: record.request.topic, id: record.request.id)?.isResolved == true {
                // Answered before a crash (or a failed write) removed it: the response was published and recorded
                // in the history first. Announcing it again would have the app answer — sign, send — twice.
                await dropPendingRequest(record.request.key)
            } else if record.isExpired(nowMilliseconds: now) {
                await expireRequest(record)
            } else {
                await setExpiryIfMissing(.request(topic: record.request.topic, id: record.request.id), expiry: record.expiryTimestamp)
                announce(queue.enqueue(record.request))
            }
        }
        logger.debug("sign engine restored", metadata: ["wk.sessions": "\(liveTopics.count)"])
    }

    private func setExpiryIfMissing(_ target: ExpirerTarget, expiry: Int64) async {
        guard !(await expirer.has(target)) else { return }
        do {
            try await expirer.set(target, expiry: expiry)
        } catch {
            logger.debug("could not schedule an expiry", metadata: ["wk.target": "\(target.rawValue)"])
        }
    }
}
