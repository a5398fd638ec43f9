import Foundation

/// Link mode (sign.md §3.14), forwarded to the engine.
extension SignClient {
    /// Sets the transport that opens link-mode URLs (see `SignEngine.setLinkModeTransport(_:)`).
    public nonisolated func setLinkModeTransport(_ transport: (any LinkModeTransport)?) async {
        await engine.setLinkModeTransport(transport)
    }

    /// Records a peer's universal link as supporting link mode (see `SignEngine.registerLinkModeApp(_:)`).
    public nonisolated func registerLinkModeApp(_ universalLink: String) async {
        await engine.registerLinkModeApp(universalLink)
    }

    /// Handles a link-mode URL the app received (see `SignEngine.dispatchEnvelope(_:)`).
    /// - Throws: ``LinkModeError`` for a refused link; ``SignEngineError`` when the engine is not running.
    public nonisolated func dispatchEnvelope(_ url: URL) async throws {
        try await engine.dispatchEnvelope(url)
    }

    /// Dapp: one-click auth through link mode when usable, else over the relay (see
    /// `SignEngine.authenticate(_:walletUniversalLink:rpcCaller:)`).
    /// - Throws: ``SDKError`` (invalid params), ``AuthError``, or the transport's or relay's error.
    public nonisolated func authenticate(
        _ params: AuthRequestParams, walletUniversalLink: String, rpcCaller: (any EthereumRPCCaller)? = nil
    ) async throws -> SignAuthentication {
        try await engine.authenticate(params, walletUniversalLink: walletUniversalLink, rpcCaller: rpcCaller)
    }
}
