import Logging
import WalletConnectCore
import WalletConnectSign

/// The wallet-side face of WalletConnect v2 (sign.md §11): pair, approve and reject proposals, answer session
/// requests, update, extend, emit, disconnect — over one `SignClient`.
///
/// ```swift
/// try await WalletKit.withWalletKit(WalletKitConfiguration(metadata: metadata, projectID: id)) { kit in
///     try await kit.pair(uri: uri)
///     for await proposal in kit.sessionProposals {
///         let namespaces = try WalletKit.buildApprovedNamespaces(proposal: proposal.proposal, supportedNamespaces: supported)
///         _ = try await kit.approveSession(proposalID: proposal.id, namespaces: namespaces)
///     }
/// }
/// ```
///
/// Lifecycle: ``run()`` (a swift-service-lifecycle `Service`) keeps the relay connection, the expirer and the
/// engine running; a graceful shutdown stops announcing proposals, drains in-flight calls until
/// ``WalletKitConfiguration/shutdownDrainTimeout``, then stops the engine (event streams finish) and closes the
/// socket. Each instance has its own relay identity, socket and storage namespace (see Docs/WalletKit.md).
public actor WalletKit {
    /// The configuration this instance was built from.
    public nonisolated let configuration: WalletKitConfiguration
    /// The Sign client underneath (dapp-side calls, pings, the parts).
    public nonisolated let signClient: SignClient
    /// Push registration (Echo).
    public nonisolated let echoClient: EchoClient?
    /// The Verify client, when ``WalletKitConfiguration/verify`` is set.
    public nonisolated let verifyClient: VerifyClient?
    /// The telemetry client (disabled unless ``WalletKitConfiguration/telemetry`` enables it).
    public nonisolated let telemetryClient: TelemetryClient

    let logger: Logger
    let http: DeferredHTTPTransport
    /// Verifies EIP-1271 CACAOs in ``approveSessionAuthenticate(requestID:auths:)``.
    let rpcCaller: (any EthereumRPCCaller)?
    let proposalGate = ProposalGate()
    let stoppedSignal = OneShotSignal<Void>()
    let stateChannel = WalletKitStateChannel(.idle)
    var phase: WalletKitState = .idle {
        didSet { stateChannel.set(phase) }
    }
    /// Calls under way (``tracked(startsSomethingNew:_:)``); a graceful shutdown waits for them.
    var inFlight = 0
    /// Set when the drain ends: from then on every call is refused with ``WalletKitError/stopped``.
    var isClosed = false
    var idleWaiters: [AsyncStream<Void>.Continuation] = []

    /// Builds the instance (storage opened, namespace locked, nothing connected). Call ``run()`` next, or use
    /// ``withWalletKit(_:_:)``.
    /// - Throws: The errors of `SignClient/init(configuration:)` (namespace in use, storage).
    public init(configuration: WalletKitConfiguration) throws {
        var sign = configuration.sign
        let http = DeferredHTTPTransport()
        var verifyClient: VerifyClient?
        if let settings = configuration.verify {
            // The Verify client caches its key in this instance's storage, so the storage is opened first.
            let storage = try sign.makeStorage()
            sign = try sign.using(openedStorage: storage)
            let client = VerifyClient(
                transport: http, configuration: settings, clock: sign.clock, wallClock: sign.wallClock,
                storage: storage, storagePrefix: sign.customStoragePrefix, logger: sign.logger)
            sign.verifier = VerifyResolverAdapter(client: client)
            verifyClient = client
        }
        let signClient = try SignClient(configuration: sign)
        self.configuration = configuration
        self.logger = sign.logger
        self.signClient = signClient
        self.http = http
        self.verifyClient = verifyClient
        if let projectID = sign.projectID {
            self.echoClient = EchoClient(
                projectID: projectID, transport: http, baseURL: configuration.echo.baseURL,
                timeout: configuration.echo.timeout, logger: sign.logger)
        } else {
            self.echoClient = nil
        }
        self.rpcCaller = configuration.ethereumRPCCaller
            ?? sign.projectID.map { HTTPEthereumRPCCaller(transport: http, projectID: $0, logger: sign.logger) }
        self.telemetryClient = TelemetryClient(
            configuration: TelemetryClient.Configuration(
                projectID: sign.projectID ?? "", isEnabled: configuration.telemetry.isEnabled,
                pulseURL: configuration.telemetry.pulseURL, appDomain: sign.metadata.url.isEmpty ? nil : sign.metadata.url,
                storagePrefix: sign.customStoragePrefix),
            transport: http, storage: signClient.storage, wallClock: sign.wallClock, logger: sign.logger)
    }

    // MARK: - Queries

    /// This instance's relay identity (`did:key:…`), also the default push client id.
    /// - Throws: The key chain's error when the identity seed cannot be stored.
    public nonisolated func clientID() async throws -> String {
        try await signClient.clientID()
    }

    /// The active sessions keyed by topic (`getActiveSessions`).
    public nonisolated var activeSessions: [String: Session] {
        get async { await signClient.activeSessions() }
    }

    /// The stored proposals, oldest first (`getPendingSessionProposals`).
    public nonisolated var pendingSessionProposals: [Proposal] {
        get async { await signClient.pendingSessionProposals() }
    }

    /// The pending one-click auth requests, oldest first (`getPendingAuthRequests`).
    public nonisolated var pendingAuthRequests: [PendingAuthRequest] {
        get async { await signClient.pendingAuthRequests() }
    }

    /// The pending session requests in arrival order (`getPendingSessionRequests`). Always answered from the
    /// store, so nothing is lost when an event stream dropped or was not yet subscribed.
    public nonisolated var pendingSessionRequests: [PendingRequest] {
        get async { await signClient.pendingSessionRequests() }
    }

    /// The lifecycle state.
    public nonisolated var state: WalletKitState { stateChannel.state }

    /// Lifecycle states, starting with the current one; the stream finishes after ``WalletKitState/stopped``.
    public nonisolated var states: AsyncStream<WalletKitState> { stateChannel.subscribe() }

    // MARK: - Events (each access is a new stream; all finish at shutdown)

    /// Session proposals (`session_proposal`). Not announced once a graceful shutdown has begun (they stay
    /// stored and are announced again when the dapp's URI is paired after a restart).
    public nonisolated var sessionProposals: WalletKitEventStream<SessionProposalEvent> {
        let gate = proposalGate
        return events { event in
            guard gate.isOpen, case .sessionProposal(let proposal, let context) = event else { return nil }
            return SessionProposalEvent(proposal: proposal, verifyContext: context)
        }
    }

    /// Session requests ready for the wallet (`session_request`), through the request queue (§11.4).
    public nonisolated var sessionRequests: WalletKitEventStream<PendingRequest> {
        events { event in
            if case .sessionRequest(let request) = event { return request }
            return nil
        }
    }

    /// Sessions deleted by the peer or cleaned up locally (`session_delete`).
    public nonisolated var sessionDeletes: WalletKitEventStream<SessionDeleteEvent> {
        events { event in
            if case .sessionDelete(let id, let topic) = event { return SessionDeleteEvent(id: id, topic: topic) }
            return nil
        }
    }

    /// Proposals that expired unanswered (`proposal_expire`).
    public nonisolated var proposalExpirations: WalletKitEventStream<ProposalExpirationEvent> {
        events { event in
            if case .proposalExpire(let id) = event { return ProposalExpirationEvent(id: id) }
            return nil
        }
    }

    /// Session requests that expired unanswered (`session_request_expire`).
    public nonisolated var sessionRequestExpirations: WalletKitEventStream<SessionRequestExpirationEvent> {
        events { event in
            if case .sessionRequestExpire(let id, let topic) = event {
                return SessionRequestExpirationEvent(id: id, topic: topic)
            }
            return nil
        }
    }

    /// One-click authentication requests (`session_authenticate`); answer with
    /// ``approveSessionAuthenticate(requestID:auths:)`` or ``rejectSessionAuthenticate(requestID:reason:)``.
    public nonisolated var sessionAuthenticateRequests: WalletKitEventStream<PendingAuthRequest> {
        events { event in
            if case .sessionAuthenticate(let request) = event { return request }
            return nil
        }
    }

    /// Every engine event, including those WalletKit does not name (settle, update, extend, ping, event, expire).
    public nonisolated var signEvents: WalletKitEventStream<SignEvent> {
        events { $0 }
    }

    /// Relay connection states, starting with the current one (`socketConnectionStatus`).
    public nonisolated var connectionStates: AsyncStream<RelayConnectionState> {
        signClient.connectionStates()
    }

    nonisolated func events<Element: Sendable>(
        _ transform: @escaping @Sendable (SignEvent) -> Element?
    ) -> WalletKitEventStream<Element> {
        WalletKitEventStream(base: signClient.events(), transform: transform)
    }

    // MARK: - In-flight calls

    /// Runs a wallet call, counted as in flight so a graceful shutdown waits for it.
    /// - Parameter startsSomethingNew: Pairing and approving are refused once shutdown began
    ///   (``WalletKitError/shuttingDown``); answers (respond, reject, disconnect, …) are still accepted while draining.
    func tracked<T: Sendable>(startsSomethingNew: Bool, _ operation: () async throws -> T) async throws -> T {
        if isClosed { throw WalletKitError.stopped }
        switch phase {
        case .stopped: throw WalletKitError.stopped
        case .draining where startsSomethingNew: throw WalletKitError.shuttingDown
        case .idle, .running, .draining: break
        }
        inFlight += 1
        defer { finishCall() }
        return try await operation()
    }

    private func finishCall() {
        inFlight -= 1
        guard inFlight == 0 else { return }
        let waiters = idleWaiters
        idleWaiters.removeAll()
        for waiter in waiters { waiter.finish() }
    }

    /// A stream that finishes once no call is in flight (at once when none is).
    func idleStream() -> AsyncStream<Void> {
        let (stream, continuation) = AsyncStream<Void>.makeStream()
        if inFlight == 0 {
            continuation.finish()
        } else {
            idleWaiters.append(continuation)
        }
        return stream
    }
}
