/// One-click auth (`wc_sessionAuthenticate`, sign.md §9), forwarded to the engine.
extension SignClient {
    /// Dapp: asks a wallet to sign in (see `SignEngine.authenticate(_:rpcCaller:)`).
    /// - Returns: The URI and an awaitable answer (verified CACAOs and session, or the fallback session).
    /// - Throws: ``SDKError`` (invalid params), ``AuthError``, or the relay error.
    public nonisolated func authenticate(
        _ params: AuthRequestParams, rpcCaller: (any EthereumRPCCaller)? = nil
    ) async throws -> SignAuthentication {
        try await engine.authenticate(params, rpcCaller: rpcCaller)
    }

    /// Wallet: the pending authenticate requests, oldest first.
    public nonisolated func pendingAuthRequests() async -> [PendingAuthRequest] {
        await engine.pendingAuthRequests()
    }

    /// Wallet: approves an authenticate request with signed CACAOs (see
    /// `SignEngine.approveSessionAuthenticate(requestID:auths:rpcCaller:)`).
    /// - Returns: The session, or `nil` when no method was approved (SIWE only).
    /// - Throws: ``SDKError`` (unknown or expired request), ``AuthError`` (a CACAO failed verification), or the
    ///   relay error.
    @discardableResult
    public nonisolated func approveSessionAuthenticate(
        requestID: Int64, auths: [Cacao], rpcCaller: (any EthereumRPCCaller)? = nil
    ) async throws -> Session? {
        try await engine.approveSessionAuthenticate(requestID: requestID, auths: auths, rpcCaller: rpcCaller)
    }

    /// Wallet: rejects an authenticate request (type 1, tag 1118).
    /// - Throws: ``SDKError`` (unknown request, invalid reason), or the relay error.
    public nonisolated func rejectSessionAuthenticate(requestID: Int64, reason: SDKError = .sdk(.userRejected)) async throws {
        try await engine.rejectSessionAuthenticate(requestID: requestID, reason: reason)
    }

    /// Wallet: whether `wc_sessionAuthenticate` is handled (default `true`); see
    /// `SignEngine.setHandlesSessionAuthenticate(_:)`.
    public nonisolated func setHandlesSessionAuthenticate(_ handles: Bool) async {
        await engine.setHandlesSessionAuthenticate(handles)
    }

    /// Sets the caller used to verify EIP-1271 CACAOs (e.g. an `HTTPEthereumRPCCaller` from WalletKit).
    public nonisolated func setAuthenticateRPCCaller(_ caller: (any EthereumRPCCaller)?) async {
        await engine.setAuthenticateRPCCaller(caller)
    }
}
