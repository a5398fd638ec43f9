/// The engine's in-flight decisions as a pure state machine (the swift-nio way): the actor asks it, before any
/// `await`, whether a call may go ahead; a yes reserves the item, so a call re-entering the actor while the first
/// one awaits sees the reservation instead of the old state. The actor then performs the effects and reports the
/// end, which releases the reservation.
///
/// - A pending session request goes `pending → answering → answered`. The app's answer and the expiry's 8000
///   answer both reserve it: whichever comes first answers, the other is refused (the dapp never gets two).
/// - A proposal is reserved while it is approved or rejected: one session per proposal, never an approval and a
///   rejection of the same proposal.
/// - A session topic is marked `deleting` from the start of its deletion and remembered as ended afterwards: a
///   request that arrived for it while the engine awaited (a Verify lookup, a store write) is neither stored nor
///   announced, and calls on it are refused.
struct SignEngineStateMachine: Sendable {
    /// Who holds a pending request.
    enum Answerer: Sendable, Hashable {
        /// ``SignEngine/respondSessionRequest(topic:response:)``.
        case app
        /// The expiry (answers 8000).
        case expiry
    }

    /// Who holds a proposal.
    enum ProposalAction: Sendable, Hashable {
        case approving
        case rejecting
    }

    private var answering: [SessionRequestKey: Answerer] = [:]
    private var settling: [Int64: ProposalAction] = [:]
    private var deleting: Set<String> = []
    private var ended = BoundedSet<String>(limit: 10_000)

    // MARK: Requests

    /// What ``beginAnswering(_:by:)`` decided.
    enum AnswerDecision: Sendable, Hashable {
        /// Reserved: answer it, then call ``endAnswering(_:)``.
        case answer
        /// Another answer holds it; the caller must not answer.
        case refuse(SignEngineError)
    }

    /// Reserves `key` for one answer.
    mutating func beginAnswering(_ key: SessionRequestKey, by answerer: Answerer) -> AnswerDecision {
        if deleting.contains(key.topic) || ended.contains(key.topic) {
            return .refuse(.sessionDeleted(topic: key.topic))
        }
        if answering[key] != nil { return .refuse(.alreadyAnswering(topic: key.topic, id: key.id)) }
        answering[key] = answerer
        return .answer
    }

    /// The answer of `key` is over (sent, or failed and the request is still pending).
    mutating func endAnswering(_ key: SessionRequestKey) {
        answering[key] = nil
    }

    /// Whether an answer of `key` is in progress.
    func isAnswering(_ key: SessionRequestKey) -> Bool { answering[key] != nil }

    // MARK: Proposals

    /// Reserves proposal `id` for one approval or rejection.
    /// - Returns: `nil` when reserved (call ``endSettling(proposalID:)`` afterwards), else the refusal.
    mutating func beginSettling(proposalID id: Int64, _ action: ProposalAction) -> SignEngineError? {
        if let held = settling[id] {
            return .proposalInProgress(id: id, approving: held == .approving)
        }
        settling[id] = action
        return nil
    }

    /// The approval or rejection of proposal `id` is over.
    mutating func endSettling(proposalID id: Int64) {
        settling[id] = nil
    }

    /// Whether proposal `id` is being approved or rejected.
    func isSettling(proposalID id: Int64) -> Bool { settling[id] != nil }

    // MARK: Sessions

    /// Marks `topic` as being deleted. Returns `false` when a deletion of it is already in progress.
    mutating func beginDeleting(_ topic: String) -> Bool {
        deleting.insert(topic).inserted
    }

    /// The deletion of `topic` is over: `deleted` says whether the session is gone (it is remembered as ended) or
    /// was kept (the publish of the delete failed).
    mutating func endDeleting(_ topic: String, deleted: Bool) {
        deleting.remove(topic)
        if deleted { ended.insert(topic) }
    }

    /// Whether `topic`'s session is neither being deleted nor deleted: work started for it before an `await`
    /// may go on only when this still holds after it.
    func isLive(_ topic: String) -> Bool {
        !deleting.contains(topic) && !ended.contains(topic)
    }

    /// Whether a deletion of `topic` is in progress.
    func isDeleting(_ topic: String) -> Bool { deleting.contains(topic) }
}

/// A set that forgets its oldest members past `limit` (the fence of deleted topics must not grow forever; 10,000
/// deletions are far more than can happen while one inbound message awaits).
struct BoundedSet<Element: Hashable & Sendable>: Sendable {
    private var members: Set<Element> = []
    private var order: [Element] = []
    private var head = 0
    let limit: Int

    init(limit: Int) { self.limit = max(1, limit) }

    func contains(_ element: Element) -> Bool { members.contains(element) }

    mutating func insert(_ element: Element) {
        guard members.insert(element).inserted else { return }
        order.append(element)
        if members.count > limit {
            members.remove(order[head])
            head += 1
            if head >= limit {
                order.removeFirst(head)
                head = 0
            }
        }
    }

    var count: Int { members.count }
}
