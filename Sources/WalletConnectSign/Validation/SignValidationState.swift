/// The stored state the API validators look at, as plain values (a snapshot taken by the engine).
package struct SignValidationState: Sendable {
    /// Current wall time in milliseconds (expiry checks use `now_ms >= expiry * 1000`).
    package var nowMilliseconds: Int64
    /// Sessions by topic.
    package var sessions: [String: Session]
    /// Known pairings: topic → expiry (Unix seconds).
    package var pairingExpiries: [String: Int64]
    /// Pending proposals by id.
    package var proposals: [Int64: Proposal]
    /// Pending session requests by id (for `respond`).
    package var pendingRequests: [Int64: PendingRequest]
    /// Recently deleted topics and ids (ids as decimal strings).
    package var recentlyDeleted: Set<String>
    /// Topics whose symmetric key is in the keychain; `nil` skips the keychain check.
    package var topicsWithSymKey: Set<String>?

    /// Creates a state snapshot.
    package init(
        nowMilliseconds: Int64, sessions: [String: Session] = [:], pairingExpiries: [String: Int64] = [:],
        proposals: [Int64: Proposal] = [:], pendingRequests: [Int64: PendingRequest] = [:],
        recentlyDeleted: Set<String> = [], topicsWithSymKey: Set<String>? = nil
    ) {
        self.nowMilliseconds = nowMilliseconds
        self.sessions = sessions
        self.pairingExpiries = pairingExpiries
        self.proposals = proposals
        self.pendingRequests = pendingRequests
        self.recentlyDeleted = recentlyDeleted
        self.topicsWithSymKey = topicsWithSymKey
    }
}

/// What a session-or-pairing topic (`ping`, `disconnect`) resolved to.
package enum SignTopicTarget: Sendable, Hashable {
    /// A valid session.
    case session(Session)
    /// A valid pairing topic.
    case pairing(String)
}
