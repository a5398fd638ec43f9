import WalletConnectCore

/// The engine API, forwarded (sign.md §3). Every call throws the engine's errors unchanged: ``SDKError`` with the
/// protocol code, ``SignEngineError``, ``RelayerError``, storage errors, `CancellationError`.
extension SignClient {
    // MARK: - Identity, events, queries

    /// This client's relay identity (`did:key:…`).
    /// - Throws: The key chain's error when the identity seed cannot be stored.
    public nonisolated func clientID() async throws -> String {
        try await crypto.clientID()
    }

    /// A new stream of engine events (one per caller); it finishes when the client shuts down.
    public nonisolated func events() -> AsyncStream<SignEvent> {
        engine.events()
    }

    /// A new stream of relay connection states, starting with the current one.
    public nonisolated func connectionStates() -> AsyncStream<RelayConnectionState> {
        relayer.connectionStates()
    }

    /// The active sessions keyed by topic.
    public nonisolated func activeSessions() async -> [String: Session] {
        await engine.activeSessions()
    }

    /// The stored proposals, oldest first.
    public nonisolated func pendingSessionProposals() async -> [Proposal] {
        await engine.pendingSessionProposals()
    }

    /// The pending session requests, in arrival order.
    public nonisolated func pendingSessionRequests() async -> [PendingRequest] {
        await engine.pendingSessionRequests()
    }

    // MARK: - Wallet

    /// Pairs with a dapp from its `wc:` URI (see `SignEngine.pair(uri:activatePairing:)`).
    /// - Throws: URI validation errors, ``SignEngineError/notStarted``.
    public nonisolated func pair(uri: String, activatePairing: Bool = false) async throws {
        try await engine.pair(uri: uri, activatePairing: activatePairing)
    }

    /// Approves a proposal (see `SignEngine.approveSession(proposalID:namespaces:sessionProperties:scopedProperties:sessionConfig:relayProtocol:proposalRequestsResponses:)`).
    /// - Returns: The stored session (not yet acknowledged by the dapp).
    /// - Throws: ``SDKError`` (validation), or the relay error.
    public nonisolated func approveSession(
        proposalID: Int64, namespaces: SessionNamespaces, sessionProperties: [String: JSONValue]? = nil,
        scopedProperties: [String: JSONValue]? = nil, sessionConfig: SessionConfig? = nil,
        relayProtocol: String? = nil, proposalRequestsResponses: ProposalRequestsResponses? = nil
    ) async throws -> Session {
        try await engine.approveSession(
            proposalID: proposalID, namespaces: namespaces, sessionProperties: sessionProperties,
            scopedProperties: scopedProperties, sessionConfig: sessionConfig, relayProtocol: relayProtocol,
            proposalRequestsResponses: proposalRequestsResponses)
    }

    /// Rejects a proposal with `reason` (default 5000 `User rejected.`).
    /// - Throws: ``SDKError`` (validation), or the relay error.
    public nonisolated func rejectSession(proposalID: Int64, reason: SDKError = .sdk(.userRejected)) async throws {
        try await engine.rejectSession(proposalID: proposalID, reason: reason)
    }

    /// Updates the namespaces of a session this client controls.
    /// - Returns: The peer's acknowledgement.
    /// - Throws: ``SDKError`` (validation, 3003), or the relay error.
    @discardableResult
    public nonisolated func updateSession(topic: String, namespaces: SessionNamespaces) async throws -> SignAcknowledgement {
        try await engine.updateSession(topic: topic, namespaces: namespaces)
    }

    /// Extends a session this client controls by 7 days.
    /// - Returns: The peer's acknowledgement.
    /// - Throws: ``SDKError`` (validation, 3004), or the relay error.
    @discardableResult
    public nonisolated func extendSession(topic: String) async throws -> SignAcknowledgement {
        try await engine.extendSession(topic: topic)
    }

    /// Answers a pending session request with a result or an error.
    /// - Throws: ``SDKError`` (validation, unknown request), or the relay error for a result.
    public nonisolated func respondSessionRequest(topic: String, response: JSONRPCResponse) async throws {
        try await engine.respondSessionRequest(topic: topic, response: response)
    }

    /// Emits an event to the peer of a session.
    /// - Throws: ``SDKError`` (validation: chain or event not approved), or the relay error.
    public nonisolated func emitSessionEvent(topic: String, event: SessionEventParams.Event, chainID: String) async throws {
        try await engine.emitSessionEvent(topic: topic, event: event, chainID: chainID)
    }

    /// Disconnects a session (sends 6000 `User disconnected.`) or deletes a pairing.
    /// - Throws: ``SDKError`` (validation), or the relay error.
    public nonisolated func disconnect(topic: String) async throws {
        try await engine.disconnect(topic: topic)
    }

    /// Pings a session or pairing and waits for the answer.
    /// - Throws: ``SDKError``, ``SignEngineError/timedOut(_:)``, or the relay error.
    public nonisolated func ping(topic: String) async throws {
        try await engine.ping(topic: topic)
    }

    // MARK: - Dapp

    /// Proposes a session (see `SignEngine.connect(requiredNamespaces:optionalNamespaces:sessionProperties:scopedProperties:pairingTopic:relays:)`).
    /// - Returns: The pairing URI and an awaitable approval.
    /// - Throws: ``SDKError`` (validation), or the relay error.
    public nonisolated func connect(
        requiredNamespaces: ProposalNamespaces = [:], optionalNamespaces: ProposalNamespaces = [:],
        sessionProperties: [String: JSONValue]? = nil, scopedProperties: [String: JSONValue]? = nil,
        pairingTopic: String? = nil
    ) async throws -> SignConnection {
        try await engine.connect(
            requiredNamespaces: requiredNamespaces, optionalNamespaces: optionalNamespaces,
            sessionProperties: sessionProperties, scopedProperties: scopedProperties, pairingTopic: pairingTopic)
    }

    /// Sends a session request and waits for the wallet's result.
    /// - Returns: The wallet's result.
    /// - Throws: ``SDKError`` (the wallet's error with its code, 6000, 8000), or the relay error.
    public nonisolated func request(
        topic: String, chainID: String, method: String, params: JSONValue, expiry: Int64? = nil
    ) async throws -> JSONValue {
        try await engine.request(topic: topic, chainID: chainID, method: method, params: params, expiry: expiry)
    }
}
