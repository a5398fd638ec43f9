/// One-click-auth state of a ``SignEngine`` kept in memory (the wallet's pending requests are in
/// ``AuthRequestStore``).
struct SignAuthenticateState: Sendable {
    /// A dapp's authenticate request awaiting the wallet's type-1 answer.
    struct PendingAuthentication: Sendable {
        var requestID: Int64
        var fallbackProposalID: Int64
        var pairingTopic: String
        var responseTopic: String
        /// The requester key `R` (also the proposer key of the fallback proposal).
        var selfPublicKey: String
        /// The payload sent; the CACAOs must be bound to it.
        var payload: AuthPayload
        var rpcCaller: (any EthereumRPCCaller)?
        /// The wallet's universal link when the request went through link mode (the answer comes by link too).
        var walletLink: String? = nil
    }

    /// Dapp: pending authentications by request id.
    var pending: [Int64: PendingAuthentication] = [:]
    /// Dapp: request id by response topic.
    var requestIDByResponseTopic: [String: Int64] = [:]
    /// Wallet: whether `wc_sessionAuthenticate` is handled (JS: a `session_authenticate` listener exists).
    /// When it is not, the request is answered 10001 and the dapp's fallback proposal is processed.
    var handlesAuthenticate = true
    /// Verifies EIP-1271 CACAOs when no caller is passed to a call.
    var rpcCaller: (any EthereumRPCCaller)?

    mutating func insert(_ authentication: PendingAuthentication) {
        pending[authentication.requestID] = authentication
        requestIDByResponseTopic[authentication.responseTopic] = authentication.requestID
    }

    mutating func remove(requestID: Int64) -> PendingAuthentication? {
        guard let removed = pending.removeValue(forKey: requestID) else { return nil }
        requestIDByResponseTopic[removed.responseTopic] = nil
        return removed
    }

    /// Dapp: the pending authentications sent on `pairingTopic`, oldest request first.
    func pending(pairingTopic: String) -> [PendingAuthentication] {
        pending.values.filter { $0.pairingTopic == pairingTopic }.sorted { $0.requestID < $1.requestID }
    }

    func pending(responseTopic: String) -> PendingAuthentication? {
        requestIDByResponseTopic[responseTopic].flatMap { pending[$0] }
    }
}

/// The sentinel the fallback proposal's waiter ends with when the wallet answered `wc_sessionAuthenticate`.
struct AuthenticationSuperseded: Error, Sendable {}
