import WalletConnectCore
import WalletConnectSign

/// One-click auth helpers, push registration and namespace building (sign.md §9, §11.2, §12.1, §7.6).
extension WalletKit {
    // MARK: - One-click auth

    /// Approves a `wc_sessionAuthenticate` request with CACAOs the wallet signed, one per account/chain (§9.2).
    /// Every CACAO is verified (EIP-191, or EIP-1271 through ``WalletKitConfiguration/ethereumRPCCaller``) and
    /// must be bound to the request.
    /// - Returns: The session, or `nil` when the CACAOs grant no method (SIWE only).
    /// - Throws: `SDKError` (unknown or expired request, no CACAO), `AuthError` (a CACAO failed verification;
    ///   the dapp is told 7000), ``WalletKitError/shuttingDown``, or the relay error (the request stays pending).
    @discardableResult
    public func approveSessionAuthenticate(requestID: Int64, auths: [Cacao]) async throws -> Session? {
        try await tracked(startsSomethingNew: true) {
            try await signClient.approveSessionAuthenticate(requestID: requestID, auths: auths, rpcCaller: rpcCaller)
        }
    }

    /// Rejects a `wc_sessionAuthenticate` request; `reason` (default 5000) reaches the dapp.
    /// - Throws: `SDKError` (unknown request, invalid reason), or the relay error (the request stays pending).
    public func rejectSessionAuthenticate(requestID: Int64, reason: SDKError = .sdk(.userRejected)) async throws {
        try await tracked(startsSomethingNew: false) {
            try await signClient.rejectSessionAuthenticate(requestID: requestID, reason: reason)
        }
    }

    /// The SIWE message to sign for an auth request (JS `formatAuthMessage`, §9.3).
    /// - Parameters:
    ///   - request: The (populated) auth payload.
    ///   - iss: The signer, `did:pkh:<chain>:<address>`.
    /// - Throws: `AuthError` (missing audience, statement with a line break, …).
    public nonisolated func formatAuthMessage(request: AuthPayload, iss: String) throws -> String {
        try OneClickAuth.formatAuthMessage(request: request, iss: iss)
    }

    /// The CACAO for a signed auth payload (JS `buildAuthObject`); a bare CAIP-10 `iss` gets `did:pkh:`.
    /// - Throws: `AuthError` when the payload has neither `aud` nor `uri`.
    public nonisolated func buildAuthObject(requestPayload: AuthPayload, signature: CacaoSignature, iss: String) throws
        -> Cacao
    {
        try OneClickAuth.buildAuthObject(requestPayload: requestPayload, signature: signature, iss: iss)
    }

    /// Narrows an auth request to the chains and methods the wallet supports (JS `populateAuthPayload`, §9.4).
    /// - Throws: `AuthError` (no supported chains, unsupported methods, invalid ReCap).
    public nonisolated func populateAuthPayload(authPayload: AuthPayload, chains: [String], methods: [String]) throws
        -> AuthPayload
    {
        try OneClickAuth.populateAuthPayload(authPayload: authPayload, chains: chains, methods: methods)
    }

    // MARK: - Namespaces

    /// The namespaces to approve for `proposal` from what the wallet supports (JS `buildApprovedNamespaces`, §7.6).
    ///
    /// Linear in the sizes; `limits` bounds them (see `NamespaceLimits`; proposals over the default bounds are
    /// already refused by the engine when they arrive).
    /// - Throws: `NamespaceLimitError` when the proposal or `supportedNamespaces` exceed `limits` (its `sdkError` is
    ///   the answer to reject with); `Namespaces/NoAccountsError` when a supported chain has no account;
    ///   `SDKError` (code 9) when the wallet cannot satisfy the required namespaces; `CancellationError`.
    public static func buildApprovedNamespaces(
        proposal: Proposal, supportedNamespaces: SessionNamespaces, limits: NamespaceLimits = .default
    ) throws -> SessionNamespaces {
        try Namespaces.buildApprovedNamespaces(
            proposal: proposal, supportedNamespaces: supportedNamespaces, limits: limits)
    }

    // MARK: - Push

    /// Registers a device token with the Echo server (§12.1) while the instance is running.
    /// - Parameters:
    ///   - token: The device token.
    ///   - type: The push provider.
    ///   - enableEncrypted: Pushes carry the encrypted envelope (`always_raw`).
    ///   - clientID: The client id to register; this instance's relay identity by default.
    /// - Throws: ``WalletKitError/notConfigured(_:)`` without a project id (or when not running), ``EchoError``,
    ///   the HTTP transport's error.
    public func registerDeviceToken(
        token: String, type: EchoClient.PushType, enableEncrypted: Bool = false, clientID: String? = nil
    ) async throws {
        guard let echoClient else { throw WalletKitError.notConfigured("Echo push registration needs a project id") }
        let id: String
        if let clientID { id = clientID } else { id = try await signClient.clientID() }
        try await tracked(startsSomethingNew: false) {
            try await echoClient.registerDeviceToken(clientID: id, token: token, type: type, enableEncrypted: enableEncrypted)
        }
    }
}
