import Logging
import WalletConnectCore
import WalletConnectSign

/// Wallet methods (sign.md §11.2). Errors pass through typed: `SDKError` with its protocol code (validation,
/// peer errors), `SignEngineError`, ``RelayerError``, ``StorageError``, ``WalletKitError``, `CancellationError`.
extension WalletKit {
    /// Pairs with a dapp from its `wc:` URI; its proposal arrives on ``sessionProposals``.
    /// - Throws: URI validation errors; ``WalletKitError/shuttingDown`` once a graceful shutdown began.
    public func pair(uri: String, activatePairing: Bool = false) async throws {
        try await tracked(startsSomethingNew: true) {
            try await signClient.pair(uri: uri, activatePairing: activatePairing)
        }
    }

    /// Approves a proposal and (by default) waits until the dapp acknowledged the settlement, as JS does.
    ///
    /// - Parameters:
    ///   - proposalID: The proposal id (``SessionProposalEvent/id``).
    ///   - namespaces: The approved namespaces (see ``buildApprovedNamespaces(proposal:supportedNamespaces:limits:)``).
    ///   - sessionProperties: Session properties to share with the dapp.
    ///   - scopedProperties: Scoped properties to share with the dapp.
    ///   - sessionConfig: Session configuration.
    ///   - relayProtocol: The relay protocol of the session (`irn` when `nil`).
    ///   - proposalRequestsResponses: Answers to requests bundled in the proposal (signed CACAOs for its
    ///     `authentication` request, Wallet Pay results); the settle carries them and both sides' sessions keep them.
    ///   - waitsForAcknowledgement: Wait for the dapp's answer to `wc_sessionSettle` (bounded by the engine's
    ///     acknowledgement timeout on the injected clock). With `false` the session is returned unacknowledged.
    /// - Returns: The session as stored.
    /// - Throws: `SDKError` (validation, the dapp's refusal), `SignEngineError/timedOut(_:)`,
    ///   ``WalletKitError/sessionNotAcknowledged(_:)``, ``WalletKitError/shuttingDown``, or the relay error.
    public func approveSession(
        proposalID: Int64, namespaces: SessionNamespaces, sessionProperties: [String: JSONValue]? = nil,
        scopedProperties: [String: JSONValue]? = nil, sessionConfig: SessionConfig? = nil,
        relayProtocol: String? = nil, proposalRequestsResponses: ProposalRequestsResponses? = nil,
        waitsForAcknowledgement: Bool = true
    ) async throws -> Session {
        try await tracked(startsSomethingNew: true) {
            let events = signClient.events()
            let session = try await signClient.approveSession(
                proposalID: proposalID, namespaces: namespaces, sessionProperties: sessionProperties,
                scopedProperties: scopedProperties, sessionConfig: sessionConfig, relayProtocol: relayProtocol,
                proposalRequestsResponses: proposalRequestsResponses)
            guard waitsForAcknowledgement else { return session }
            try await Self.awaitAcknowledgement(
                of: session.topic, in: events, clock: configuration.sign.clock,
                timeout: configuration.sign.engine.acknowledgementTimeout)
            return await signClient.activeSessions()[session.topic] ?? session
        }
    }

    /// Waits for ``SignEvent/sessionAcknowledged(topic:)`` of `topic` on `events` (subscribed before approving).
    private static func awaitAcknowledgement(
        of topic: String, in events: AsyncStream<SignEvent>, clock: any Clock<Duration>, timeout: Duration
    ) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await event in events {
                    switch event {
                    case .sessionAcknowledged(let acknowledged) where acknowledged == topic: return
                    case .sessionDelete(_, let deleted) where deleted == topic:
                        throw WalletKitError.sessionNotAcknowledged(topic)
                    case .sessionExpire(let expired) where expired == topic:
                        throw WalletKitError.sessionNotAcknowledged(topic)
                    default: continue
                    }
                }
                try Task.checkCancellation()
                throw SignEngineError.shutDown
            }
            group.addTask {
                try await clock.sleep(for: timeout)
                throw SignEngineError.timedOut("Session settle request expired without receiving any acknowledgement")
            }
            defer { group.cancelAll() }
            try await group.next()
        }
    }

    /// Rejects a proposal; `reason` (default 5000 `User rejected.`) reaches the dapp with its code.
    /// - Throws: `SDKError` (validation), or the relay error.
    public func rejectSession(proposalID: Int64, reason: SDKError = .sdk(.userRejected)) async throws {
        try await tracked(startsSomethingNew: false) {
            try await signClient.rejectSession(proposalID: proposalID, reason: reason)
        }
    }

    /// Replaces the namespaces of a session the wallet controls.
    /// - Returns: The dapp's acknowledgement (`acknowledged()`), which may be ignored.
    /// - Throws: `SDKError` (validation, 3003 for a non-controller), or the relay error.
    @discardableResult
    public func updateSession(topic: String, namespaces: SessionNamespaces) async throws -> SignAcknowledgement {
        try await tracked(startsSomethingNew: false) {
            try await signClient.updateSession(topic: topic, namespaces: namespaces)
        }
    }

    /// Extends a session the wallet controls to now + 7 days.
    /// - Returns: The dapp's acknowledgement (`acknowledged()`), which may be ignored.
    /// - Throws: `SDKError` (validation, 3004 for a non-controller), or the relay error.
    @discardableResult
    public func extendSession(topic: String) async throws -> SignAcknowledgement {
        try await tracked(startsSomethingNew: false) {
            try await signClient.extendSession(topic: topic)
        }
    }

    /// Answers a pending session request with a result or an error. Accepted while a graceful shutdown drains.
    /// - Throws: `SDKError` (validation, unknown request id), or the relay error for a result (the request then
    ///   stays pending and can be answered again).
    public func respondSessionRequest(topic: String, requestID: Int64, response: SessionRequestResponse) async throws {
        try await tracked(startsSomethingNew: false) {
            try await signClient.respondSessionRequest(topic: topic, response: response.jsonRPCResponse(id: requestID))
        }
    }

    /// Emits an event (e.g. `accountsChanged`) on a session.
    /// - Throws: `SDKError` (validation: chain or event not approved), or the relay error.
    public func emitSessionEvent(topic: String, event: SessionEventParams.Event, chainID: String) async throws {
        try await tracked(startsSomethingNew: false) {
            try await signClient.emitSessionEvent(topic: topic, event: event, chainID: chainID)
        }
    }

    /// Disconnects a session (or deletes a pairing). As in JS, `reason` is not sent: the dapp always receives
    /// 6000 `User disconnected.`. No ``sessionDeletes`` event follows for the wallet's own disconnect.
    /// - Throws: `SDKError` (validation), or the relay error (the session is kept then).
    public func disconnectSession(topic: String, reason: SDKError = .sdk(.userDisconnected)) async throws {
        try await tracked(startsSomethingNew: false) {
            logger.debug("disconnecting", metadata: ["wk.topic": "\(topic)", "wk.code": "\(reason.code.rawValue)"])
            try await signClient.disconnect(topic: topic)
        }
    }
}
