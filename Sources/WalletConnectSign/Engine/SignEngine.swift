import Logging
import WalletConnectCore

/// The Sign protocol engine (sign.md §2–§3): proposals, sessions, requests, events, pings and deletes, for
/// both roles — the wallet (approve, reject, respond, update, extend, emit, disconnect) and the dapp
/// (connect, request, ping, disconnect).
///
/// Lifecycle: subscribe to ``events()``, call ``start()`` (restores the stores, drops what expired,
/// resubscribes topics, re-announces pending requests), then keep ``run()`` running in a long-lived task: it
/// consumes the relay's messages and the expirer's events. Cancelling `run()` shuts the engine down and
/// resumes every waiting call with ``SignEngineError/shutDown``.
///
/// Inbound messages are handled one at a time in arrival order; a relay message is marked handled only after
/// its effect is persisted, so a crash in between replays it.
package actor SignEngine {
    let metadata: Metadata
    let crypto: Crypto
    let relay: any RelayClient
    let pairing: Pairing
    let expirer: Expirer
    let clock: any Clock<Duration>
    let wallClock: WallClock
    let logger: Logger
    let options: SignEngineOptions
    let verifier: (any SignVerifyResolver)?

    /// The stored sessions.
    package let sessions: SessionStore
    /// The stored proposals.
    package let proposals: ProposalStore
    /// The stored pending requests.
    package let requests: RequestStore
    /// The JSON-RPC history (response id → request).
    package let history: SignRPCHistory
    /// The pending `wc_sessionAuthenticate` requests this wallet received.
    package let authRequests: AuthRequestStore

    let broadcaster = EventBroadcaster<SignEvent>()
    /// Waiters for responses to this client's requests (update, extend, ping, session request).
    let responseWaiters = WaiterTable<JSONRPCResponse>()
    /// Waiters for the settlement of this client's proposals (dapp `approval()`).
    let approvalWaiters = WaiterTable<Session>()
    /// Waiters for the wallet's answer to this client's authenticate requests (dapp).
    let authWaiters = WaiterTable<SignAuthenticationResult>()
    /// One-click-auth state (dapp pending authentications, wallet settings).
    var authState = SignAuthenticateState()
    /// Link mode: the injected transport and the peers' universal links seen (sign.md §3.14).
    var linkMode = LinkModeState()

    var queue: SessionRequestQueue
    /// The in-flight reservations (answering, approving, deleting): decided before any `await`.
    var decisions = SignEngineStateMachine()
    /// Serialises the controller calls that change one session (update, extend), so their store writes and
    /// publishes reach the peer in the order they change the session.
    var sessionGate = AsyncSerialGate<String>()
    /// The one ``start()`` in progress; a concurrent call awaits it instead of loading and announcing again.
    var startTask: Task<Void, any Error>?
    /// Calls of ``start()`` waiting for the one in progress (for tests).
    var startWaiters = 0
    var isStarted = false
    var isShutDown = false
    var isRunning = false
    var runningWaiters: [CheckedContinuation<Void, Never>] = []
    /// Dapp: session topics derived from a proposal response, waiting for `wc_sessionSettle` (mirrored in
    /// `settlementStore`, so a dapp restarted between the proposal response and the settlement still settles).
    var pendingSettlements: [String: PendingSettlement] = [:]
    /// The persisted copy of `pendingSettlements`, keyed by session topic.
    let settlementStore: Store<PendingSettlement>
    /// The persisted copy of `linkMode.seenLinks`, keyed (and valued) by universal link.
    let linkModeAppStore: Store<String>
    /// Last processed id per session topic for `wc_sessionUpdate` (out-of-sync check).
    var lastUpdateIDs: [String: Int64] = [:]
    /// Last processed id per session topic and event name for `wc_sessionEvent`.
    var lastEventIDs: [String: Int64] = [:]
    /// Tasks releasing a request-queue lane after the release delay, by request id.
    var queueReleases: [SessionRequestKey: Task<Void, Never>] = [:]
    /// Recently deleted session topics and proposal ids (§3.12).
    var recentlyDeleted = RecentlyDeleted()
    /// Client-to-client JSON-RPC ids.
    let ids: RPCIDGenerator

    /// A proposal of this client (dapp) whose response arrived; the session topic awaits `wc_sessionSettle`.
    struct PendingSettlement: Sendable, Codable {
        var proposalID: Int64
        var pairingTopic: String
        var selfPublicKey: String
    }

    /// Creates an engine. Nothing runs until ``start()`` / ``run()``.
    /// - Parameters:
    ///   - metadata: This app's metadata (sent in proposals and settlements).
    ///   - crypto: The key controller (shared with the relay and pairing layers).
    ///   - relay: The relay client.
    ///   - pairing: The pairing controller.
    ///   - expirer: The expirer (shared with pairing); the engine consumes its events.
    ///   - storage: Where sessions, proposals, pending requests and the history are persisted.
    ///   - clock: Drives acknowledgement timeouts and the request-queue release delay.
    ///   - wallClock: Wall time for expiries.
    ///   - logger: Debug logging; silent by default. Never receives keys or decrypted payloads.
    ///   - options: Queue mode, relay call styles, timeouts.
    ///   - verifier: Resolves Verify contexts of inbound proposals and requests (default: `UNKNOWN`).
    package init(
        metadata: Metadata, crypto: Crypto, relay: any RelayClient, pairing: Pairing, expirer: Expirer,
        storage: any KeyValueStorage, clock: any Clock<Duration> = ContinuousClock(), wallClock: WallClock = .system,
        logger: Logger = Logger(label: "walletkit", factory: { _ in SwiftLogNoOpLogHandler() }),
        options: SignEngineOptions = SignEngineOptions(), verifier: (any SignVerifyResolver)? = nil
    ) {
        self.metadata = metadata
        self.crypto = crypto
        self.relay = relay
        self.pairing = pairing
        self.expirer = expirer
        self.clock = clock
        self.wallClock = wallClock
        self.logger = logger
        self.options = options
        self.verifier = verifier
        self.sessions = SessionStore(storage: storage, prefix: options.storagePrefix)
        self.proposals = ProposalStore(storage: storage, prefix: options.storagePrefix)
        self.requests = RequestStore(storage: storage, prefix: options.storagePrefix)
        self.history = SignRPCHistory(storage: storage, prefix: options.storagePrefix, wallClock: wallClock)
        self.authRequests = AuthRequestStore(storage: storage, prefix: options.storagePrefix)
        self.settlementStore = Store(storage: storage, storageKey: .client("pendingSettlement", prefix: options.storagePrefix))
        self.linkModeAppStore = Store(storage: storage, storageKey: .linkModeApps(prefix: options.storagePrefix))
        self.queue = SessionRequestQueue(mode: options.requestQueue)
        self.ids = RPCIDGenerator(wallClock: wallClock)
    }

    // MARK: - Events and queries

    /// A new stream of engine events (one per caller). Subscribe before ``start()`` to see re-announced requests.
    package nonisolated func events() -> AsyncStream<SignEvent> {
        broadcaster.subscribe()
    }

    /// The active sessions keyed by topic (`getActiveSessions`).
    package func activeSessions() async -> [String: Session] {
        await sessions.byTopic
    }

    /// The stored proposals (`getPendingSessionProposals`), oldest first.
    package func pendingSessionProposals() async -> [Proposal] {
        await proposals.all
    }

    /// The pending session requests (`getPendingSessionRequests`), in arrival order.
    package func pendingSessionRequests() async -> [PendingRequest] {
        await requests.all
    }

    /// This app's metadata.
    package nonisolated var appMetadata: Metadata { metadata }

    // MARK: - Lifecycle

    /// Restores the stores, deletes expired sessions/proposals (and sessions without a key), resubscribes the
    /// session topics, schedules expiries and re-announces the pending requests that have not expired (the
    /// expired ones are answered with error 8000; the ones the history records as answered — published before a
    /// crash or a failed write removed them — are dropped, never announced twice). Idempotent.
    /// - Throws: The storage error when a store cannot be read.
    package func start() async throws {
        if isStarted { return }
        if let startTask {
            startWaiters += 1
            defer { startWaiters -= 1 }
            return try await startTask.value
        }
        let task = Task { try await self.performStart() }
        startTask = task
        do {
            try await task.value
        } catch {
            startTask = nil
            throw error
        }
    }

    private func performStart() async throws {
        try await sessions.load()
        try await proposals.load()
        try await requests.load()
        try await history.load()
        try await settlementStore.load()
        try await loadLinkModeApps()
        try await restoreAuthRequests()
        await pairing.register(methods: Self.pairingForwardedMethods)
        isStarted = true
        await restore()
    }

    /// Consumes relay messages and expirer events until cancelled (or both streams end), then shuts down.
    ///
    /// Calls ``start()`` first when needed, subscribes to the relay and only then asks it to replay the
    /// messages that were delivered but never handled (e.g. before a crash).
    /// - Throws: The storage error from ``start()``.
    package func run() async throws {
        try await start()
        let messages = relay.messages()
        let expirations = expirer.events()
        await relay.replayUnhandled()
        markRunning()
        await withDiscardingTaskGroup { group in
            group.addTask {
                for await message in messages {
                    await self.handle(message)
                }
            }
            group.addTask {
                for await event in expirations {
                    if case .expired(let entry) = event { await self.handleExpiry(entry) }
                }
            }
        }
        shutdown()
    }

    private func markRunning() {
        isRunning = true
        let waiters = runningWaiters
        runningWaiters.removeAll()
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once ``run()`` is consuming relay messages and expirer events (or the engine has shut down).
    package func untilRunning() async {
        guard !isRunning, !isShutDown else { return }
        await withCheckedContinuation { runningWaiters.append($0) }
    }

    /// Stops the engine: every waiting call resumes with ``SignEngineError/shutDown`` and the event streams end.
    package func shutdown() {
        guard !isShutDown else { return }
        isShutDown = true
        isRunning = false
        let waiters = runningWaiters
        runningWaiters.removeAll()
        for waiter in waiters { waiter.resume() }
        for task in queueReleases.values { task.cancel() }
        queueReleases.removeAll()
        for subscription in linkMode.subscriptions.values { subscription.task.cancel() }
        responseWaiters.shutdown(with: SignEngineError.shutDown)
        approvalWaiters.shutdown(with: SignEngineError.shutDown)
        authWaiters.shutdown(with: SignEngineError.shutDown)
        broadcaster.finish()
        logger.debug("sign engine shut down")
    }

    func requireStarted() throws {
        guard isStarted else { throw SignEngineError.notStarted }
        guard !isShutDown else { throw SignEngineError.shutDown }
    }

    /// Runs `body` while no other update or extend of the session `topic` runs (first come, first served).
    func withSessionGate<T>(_ topic: String, _ body: () async throws -> T) async throws -> T {
        if !sessionGate.tryEnter(topic) { await withCheckedContinuation { sessionGate.park(topic, $0) } }
        defer { sessionGate.leave(topic)?.resume() }
        return try await body()
    }

    func emit(_ event: SignEvent) {
        broadcaster.yield(event)
    }

    var nowSeconds: Int64 { wallClock.nowSeconds }
}
