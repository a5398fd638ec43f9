import WalletConnectCore

/// The Sign API calls whose input the engine validates with ``SignValidation`` against its live state.
package enum SignAPICall: String, Sendable, Hashable, CaseIterable {
    /// `connect()` (dapp).
    case connect
    /// `approve()` (wallet).
    case approve
    /// `reject()` (wallet).
    case reject
    /// `update()` (controller).
    case update
    /// `extend()` (controller).
    case extend
    /// `request()` (dapp).
    case request
    /// `respond()` (wallet).
    case respond
    /// `ping()` (either side).
    case ping
    /// `emit()` (wallet).
    case emit
    /// `disconnect()` (either side).
    case disconnect
}

extension SignEngine {
    /// A snapshot of the state the API validators look at: sessions, pairings, proposals, pending requests,
    /// recently deleted records and which session topics still have their key.
    package func validationState() async -> SignValidationState {
        let sessionsByTopic = await sessions.byTopic
        var withKey: Set<String> = []
        for topic in sessionsByTopic.keys where await crypto.hasKey(topic) { withKey.insert(topic) }
        var proposalsByID: [Int64: Proposal] = [:]
        for proposal in await proposals.all { proposalsByID[proposal.id] = proposal }
        var pending: [Int64: PendingRequest] = [:]
        for request in await requests.all { pending[request.id] = request }
        return SignValidationState(
            nowMilliseconds: wallClock.nowMilliseconds, sessions: sessionsByTopic,
            pairingExpiries: await pairingExpiries(), proposals: proposalsByID, pendingRequests: pending,
            recentlyDeleted: recentlyDeleted.members, topicsWithSymKey: withKey)
    }

    /// Runs the validator of `call` on JSON `params` (shaped as the JS API's params object) against the live
    /// state — the same check each typed method runs before doing anything. An expired session or proposal,
    /// or a session whose key is missing, is deleted as in JS.
    ///
    /// - Throws: ``SDKError`` with the JS message.
    package func validate(_ call: SignAPICall, params: JSONValue?) async throws {
        _ = try await validated(call, params: params)
    }

    /// What a successful validation resolved to.
    enum ValidatedTarget {
        case none
        case session(Session)
        case proposal(Proposal)
        case topic(SignTopicTarget)
    }

    /// The part of ``validationState()`` that a validator of `params` can look at: the session and the pairing
    /// under each of `topics`, the proposal `proposalID` and the pending request `requestID`. The validators only
    /// look records up by these keys, so the verdicts are those of the full snapshot, without copying every
    /// session (and asking the key chain about each) on every call.
    func scopedValidationState(topics: [String], proposalID: Int64?, requestID: Int64?) async -> SignValidationState {
        var sessionsByTopic: [String: Session] = [:]
        var withKey: Set<String> = []
        var pairingExpiries: [String: Int64] = [:]
        for topic in topics {
            if let session = await sessions.session(topic: topic) {
                sessionsByTopic[topic] = session
                if await crypto.hasKey(topic) { withKey.insert(topic) }
            }
            if let info = await pairing.pairing(topic: topic) { pairingExpiries[topic] = info.expiry }
        }
        var proposalsByID: [Int64: Proposal] = [:]
        if let proposalID, let proposal = await proposals.proposal(id: proposalID) { proposalsByID[proposalID] = proposal }
        var pending: [Int64: PendingRequest] = [:]
        if let requestID {
            // The request of that id on the named topic; else one on another topic (a mismatched-topic answer).
            if let topic = topics.first, let request = await requests.request(topic: topic, id: requestID) {
                pending[requestID] = request
            } else if let other = await requests.requests(id: requestID).first {
                pending[requestID] = other
            }
        }
        return SignValidationState(
            nowMilliseconds: wallClock.nowMilliseconds, sessions: sessionsByTopic, pairingExpiries: pairingExpiries,
            proposals: proposalsByID, pendingRequests: pending, recentlyDeleted: recentlyDeleted.members,
            topicsWithSymKey: withKey)
    }

    /// ``scopedValidationState(topics:proposalID:requestID:)`` for the keys an API params object names:
    /// `topic`, `pairingTopic`, `id` and `response.id`.
    func scopedValidationState(for params: JSONValue?) async -> SignValidationState {
        let topics = [params?["topic"]?.stringValue, params?["pairingTopic"]?.stringValue].compactMap { $0 }
        return await scopedValidationState(
            topics: topics, proposalID: params?["id"]?.int64Value, requestID: params?["response"]?["id"]?.int64Value)
    }

    func validated(_ call: SignAPICall, params: JSONValue?) async throws -> ValidatedTarget {
        let state = await scopedValidationState(for: params)
        do {
            switch call {
            case .connect:
                try SignValidation.connect(params, state: state)
                return .none
            case .approve: return .proposal(try SignValidation.approve(params, state: state))
            case .reject: return .proposal(try SignValidation.reject(params, state: state))
            case .update: return .session(try SignValidation.update(params, state: state))
            case .extend: return .session(try SignValidation.extend(params, state: state))
            case .request: return .session(try SignValidation.request(params, state: state))
            case .respond: return .session(try SignValidation.respond(params, state: state))
            case .emit: return .session(try SignValidation.emit(params, state: state))
            case .ping: return .topic(try SignValidation.ping(params, state: state))
            case .disconnect: return .topic(try SignValidation.disconnect(params, state: state))
            }
        } catch let error as SDKError {
            await cleanUpAfterValidationFailure(error, call: call, params: params)
            throw error
        }
    }

    /// JS deletes an expired session/proposal, or a session without key, before throwing.
    private func cleanUpAfterValidationFailure(_ error: SDKError, call: SignAPICall, params: JSONValue?) async {
        let expiredOrKeyless =
            error.code == .expired || (error.code == .missingOrInvalid && error.message.contains("does not exist in keychain"))
        guard expiredOrKeyless else { return }
        if call == .approve || call == .reject, let id = params?["id"]?.int64Value {
            if let proposal = await proposals.proposal(id: id), proposal.isExpired(nowMilliseconds: wallClock.nowMilliseconds) {
                await deleteProposal(id: id)
            }
            return
        }
        if let topic = params?["topic"]?.stringValue, await sessions.session(topic: topic) != nil {
            await deleteSessionLocally(topic: topic, eventID: 0)
        }
    }

    /// Validates a received proposal (``SignValidation/receivedProposalError(_:pairingTopic:state:limits:)``) against
    /// the records it names: the pairing it arrived on (which counts as known) and the one in its params.
    func validateReceivedProposal(_ params: SessionProposeParams, pairingTopic: String) async -> SDKError? {
        let state = await scopedValidationState(
            topics: [pairingTopic] + (params.pairingTopic.map { [$0] } ?? []), proposalID: nil, requestID: nil)
        return SignValidation.receivedProposalError(params, pairingTopic: pairingTopic, state: state)
    }
}

/// The in-memory "recently deleted" set of §3.12 (topics and ids), capped at 200 and halved when full.
struct RecentlyDeleted: Sendable {
    private var order: [String] = []
    private(set) var members: Set<String> = []

    mutating func insert(_ key: String) {
        guard members.insert(key).inserted else { return }
        order.append(key)
        if order.count >= SignLifetimes.recentlyDeletedLimit {
            let dropped = order.prefix(order.count / 2)
            order.removeFirst(dropped.count)
            for key in dropped { members.remove(key) }
        }
    }

    func contains(_ key: String) -> Bool { members.contains(key) }
}
