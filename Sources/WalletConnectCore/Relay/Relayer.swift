import Foundation
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// The relay client: one WebSocket to an IRN relay, kept open, with subscriptions, publishes and deduplicated
/// delivery (spec §3, §5.2–§5.5).
///
/// Lifetime: call ``run()`` from a task you own (it connects, reconnects with backoff, and returns on
/// ``shutdown()`` or cancellation; it throws ``RelayerError`` when the relay closes with the fatal code 3000).
/// Or use ``withRunning(_:)`` for a scoped lifetime. Calls made while disconnected wait for the connection
/// within ``RelayerConfiguration/requestTimeout``.
///
/// ```swift
/// let relayer = Relayer(configuration: .init(relayURL: url, projectID: id), identity: crypto, storage: store)
/// try await relayer.withRunning {
///     try await relayer.subscribe(topic: topic)
///     for await message in relayer.messages() { … ; await relayer.markHandled(message) }
/// }
/// ```
package actor Relayer: RelayClient {
    let configuration: RelayerConfiguration
    let identity: any RelayIdentity
    let storage: any KeyValueStorage
    let clock: any Clock<Duration>
    let wallClock: WallClock
    let logger: Logger
    let transport: any RelayTransport

    let pending = PendingRequests()
    let gate = ConnectionGate()
    let inbound: EventBroadcaster<RelayMessage>
    let stateChannel = ConnectionStateChannel(.disconnected)
    let requestIDs: RPCIDGenerator
    let counters = RelayerCounters()
    let stopSignal = AsyncStream<Void>.makeStream()

    /// Topics subscribed or being subscribed (persisted, resubscribed after every reconnect).
    var topics: Set<String> = []
    /// Topics the relay acknowledged on connection ``confirmedGeneration`` (emptied when a newer one confirms).
    var confirmed: Set<String> = []
    var confirmedGeneration: UInt64 = 0
    /// Topics added by a subscribe call that has not succeeded yet (forgotten when every call naming them fails).
    var provisionalTopics: Set<String> = []
    /// How many subscribe calls in flight name each topic.
    var subscribeClaims: [String: Int] = [:]
    var tracker: MessageTracker
    /// Inbound messages read (or fetched) and not taken yet: unrecorded, unacknowledged.
    var inboundQueue = InboundQueue()
    /// Messages handed to ``messages()`` that the consumer has not finished (``maxInboundBacklog`` at most).
    var inFlight: Set<InFlightKey> = []
    /// Whether a ``pump()`` is taking messages from ``inboundQueue`` (one at a time, in order).
    var isPumping = false
    /// Where the socket reader waits while the read-ahead is full.
    let readAheadGate = InboundGate()
    var loadState: LoadState = .notLoaded
    var cachedClientID: String?
    var generation: UInt64 = 0
    var healthyGenerations: Set<UInt64> = []
    var isStopped = false
    var hasStarted = false
    /// Whether a connection has ever been opened (upgrade accepted).
    var hasConnected = false
    /// Why the relay cannot be reached: the failure of the last connection attempt, as long as none has ever
    /// succeeded (`nil` before the first attempt ends and once one succeeds). E.g. `cannot reach the relay at
    /// ws://127.0.0.1:1: connection refused`. The relayer keeps retrying with backoff either way; a caller that
    /// cannot wait (a command-line tool) reads this when ``connectionStates()`` changes. Never holds the URL query.
    package internal(set) var unreachableReason: String?

    enum LoadState {
        case notLoaded
        case loading([CheckedContinuation<Void, Never>])
        case loaded
    }

    /// Creates a relayer. Nothing happens until ``run()``.
    /// - Parameters:
    ///   - configuration: relay URL, project id, TLS, timeouts, backoff.
    ///   - identity: client id and relay-auth JWTs (a fresh JWT per connection).
    ///   - storage: where subscriptions and the message tracker are persisted.
    ///   - clock: timeouts, backoff and keep-alive.
    ///   - wallClock: wall time (request ids).
    ///   - logger: debug/trace logs; silent by default.
    package init(
        configuration: RelayerConfiguration,
        identity: any RelayIdentity,
        storage: any KeyValueStorage,
        clock: any Clock<Duration> = ContinuousClock(),
        wallClock: WallClock = .system,
        logger: Logger = Logger(label: "walletkit", factory: { _ in SwiftLogNoOpLogHandler() })
    ) {
        let transport = WebSocketRelayTransport(
            tlsConfiguration: configuration.effectiveTLSConfiguration(),
            maxFrameSize: configuration.maxFrameSize,
            enableDeflate: configuration.enableDeflate,
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
            clock: clock,
            upgradeTimeout: configuration.upgradeTimeout,
            logger: logger
        )
        self.init(
            configuration: configuration, identity: identity, storage: storage, clock: clock, wallClock: wallClock,
            logger: logger, transport: transport)
    }

    init(
        configuration: RelayerConfiguration, identity: any RelayIdentity, storage: any KeyValueStorage,
        clock: any Clock<Duration>, wallClock: WallClock, logger: Logger, transport: any RelayTransport
    ) {
        self.configuration = configuration
        self.identity = identity
        self.storage = storage
        self.clock = clock
        self.wallClock = wallClock
        self.logger = logger
        self.transport = transport
        self.inbound = EventBroadcaster(bufferSize: configuration.messageBufferSize)
        self.tracker = MessageTracker(storagePrefix: configuration.storagePrefix, limits: configuration.trackerLimits)
        self.requestIDs = RPCIDGenerator(wallClock: wallClock)
    }

    // MARK: RelayClient

    /// The relay client id (`did:key:…`); empty when the identity cannot provide one.
    package var clientID: String {
        get async {
            if let cachedClientID { return cachedClientID }
            guard let id = try? await identity.clientID() else { return "" }
            cachedClientID = id
            return id
        }
    }

    /// Publishes an envelope; returns once the relay acknowledged it. Waits for a connection if needed and
    /// resends with the same id after a reconnect, within ``RelayerConfiguration/requestTimeout``.
    /// - Throws: ``RelayerError`` (timeout, relay error with its JSON-RPC code, fatal close, shutdown) or
    ///   `CancellationError`.
    package func publish(topic: String, message: String, options: PublishOptions) async throws {
        try await ensureLoaded()
        try await persist(tracker.recordOutbound(topic: topic, message: message, now: wallClock.nowSeconds))
        let params = IRN.PublishParams(topic: topic, message: message, options: options)
        _ = try await request(IRN.Method.publish, params)
    }

    /// Subscribes to one topic (recorded first, so it is resubscribed after reconnects).
    /// - Throws: ``RelayerError`` or `CancellationError`; the topic is then forgotten again.
    package func subscribe(topic: String) async throws {
        try await subscribe(topics: [topic])
    }

    /// Subscribes to many topics, in `irn_batchSubscribe` batches of at most 500.
    ///
    /// Each topic is sent once per connection: every connection resubscribes the recorded topics before it
    /// opens, so the call records the new topics, waits for an open connection and sends only the topics that
    /// connection has not confirmed yet (new ones, a failed resubscribe batch, or a call still in flight).
    /// - Throws: ``RelayerError`` or `CancellationError`; the topics new in this call are then forgotten again.
    package func subscribe(topics newTopics: [String]) async throws {
        try await ensureLoaded()
        let unique = Set(newTopics)
        // Decided before the first await: the new topics are recorded as provisional and every topic of the call
        // is claimed, so a concurrent call's failure cannot forget a topic this call relies on (nor this call's
        // failure one that another call subscribed).
        let added = claimTopics(unique)
        do {
            try await persistAddedTopics(added)
            let open: ConnectionGate.Open
            if let current = gate.current {
                open = current
            } else {
                let gate = self.gate
                let method = unique.count == 1 ? IRN.Method.subscribe : IRN.Method.batchSubscribe
                open = try await withDeadline(configuration.requestTimeout, error: RelayerError.timeout(method: method)) {
                    try await gate.wait()
                }
            }
            let toSend = (confirmedGeneration == open.generation ? unique.subtracting(confirmed) : unique).sorted()
            if toSend.count == 1, let topic = toSend.first {
                let sentOn = try await call(IRN.Method.subscribe, IRN.SubscribeParams(topic: topic)).generation
                confirm([topic], generation: sentOn)
            } else {
                for batch in toSend.chunked(into: IRN.batchLimit) {
                    let sentOn = try await call(IRN.Method.batchSubscribe, IRN.BatchSubscribeParams(topics: batch))
                        .generation
                    confirm(batch, generation: sentOn)
                }
            }
            _ = releaseClaims(unique, succeeded: true)
        } catch {
            let orphaned = releaseClaims(unique, succeeded: false)
            try? await removeTopics(orphaned)
            throw error
        }
    }

    /// Unsubscribes from a topic: forgets it and its dedupe entries locally, then tells the relay.
    /// - Throws: ``RelayerError`` or `CancellationError` when the relay call fails (the local state is gone anyway).
    package func unsubscribe(topic: String) async throws {
        try await ensureLoaded()
        try await removeTopics([topic])
        _ = try await request(IRN.Method.unsubscribe, IRN.UnsubscribeParams(topic: topic))
    }

    /// Records a topic as subscribed without sending `irn_subscribe`.
    package func markSubscribed(topic: String) async {
        do {
            try await ensureLoaded()
            try await addTopics([topic])
        } catch {
            logger.debug("could not persist subscription", metadata: ["wk.topic": "\(topic)"])
        }
    }

    /// `wc_proposeSession`: the relay subscribes this client to the pairing topic and publishes the proposal.
    /// - Throws: ``RelayerError`` or `CancellationError`.
    package func proposeSession(_ params: ProposeSessionParams) async throws {
        try await ensureLoaded()
        try await addTopics([params.pairingTopic])
        try await persist(tracker.recordOutbound(
            topic: params.pairingTopic, message: params.sessionProposal, now: wallClock.nowSeconds))
        _ = try await request(IRN.Method.proposeSession, params)
    }

    /// `wc_approveSession`: the relay subscribes this client to the session topic and publishes the response and
    /// the settlement request.
    /// - Throws: ``RelayerError`` or `CancellationError`.
    package func approveSession(_ params: ApproveSessionParams) async throws {
        try await ensureLoaded()
        try await addTopics([params.sessionTopic])
        let now = wallClock.nowSeconds
        var changes = tracker.recordOutbound(
            topic: params.pairingTopic, message: params.sessionProposalResponse, now: now)
        changes += tracker.recordOutbound(topic: params.sessionTopic, message: params.sessionSettlementRequest, now: now)
        try await persist(changes)
        _ = try await request(IRN.Method.approveSession, params)
    }

    /// A new stream of inbound messages: deduplicated, in arrival order per topic (topics take turns when several
    /// have messages waiting). At most ``RelayerConfiguration/maxInboundBacklog`` messages are out at once: finish
    /// each one with ``markHandled(_:)``, ``release(_:)`` or ``discard(_:)``, or no further message comes.
    /// The stream's own buffer is unbounded unless ``RelayerConfiguration/messageBufferSize`` sets a bound (then a
    /// message that does not fit is dropped for this stream, but stays recorded as unhandled).
    package nonisolated func messages() -> AsyncStream<RelayMessage> {
        inbound.subscribe()
    }

    /// A new stream of connection states, starting with the current one (newest kept).
    package nonisolated func connectionStates() -> AsyncStream<RelayConnectionState> {
        stateChannel.subscribe()
    }

    /// Marks a delivered message as handled, so it is never replayed; the next waiting message is handed on.
    package func markHandled(_ message: RelayMessage) async {
        let changes = tracker.markHandled(message)
        inFlight.remove(InFlightKey(message))
        do {
            try await persist(changes)
        } catch {
            logger.debug("could not persist handled mark", metadata: ["wk.topic": "\(message.topic)"])
        }
        await pump()
    }

    /// The consumer is done with a delivered message for now without handling it (its effect could not be
    /// persisted): it stays recorded as unhandled, for ``replayUnhandled()``, and the next waiting message is
    /// handed on.
    package func release(_ message: RelayMessage) async {
        inFlight.remove(InFlightKey(message))
        await pump()
    }

    /// The consumer could not read a delivered message (it does not decrypt or decode): it is forgotten, in
    /// memory and in storage, so garbage occupies nothing; the next waiting message is handed on.
    package func discard(_ message: RelayMessage) async {
        let changes = tracker.discard(message)
        inFlight.remove(InFlightKey(message))
        do {
            try await persist(changes)
        } catch {
            logger.debug("could not persist a discarded message", metadata: ["wk.topic": "\(message.topic)"])
        }
        await pump()
    }

    /// Yields every delivered-but-unhandled message again on ``messages()``, oldest first.
    package func replayUnhandled() async {
        do {
            try await ensureLoaded()
        } catch {
            logger.debug("could not load message tracker")
            return
        }
        for message in tracker.unhandledMessages {
            inFlight.insert(InFlightKey(message))
            inbound.yield(message)
        }
    }

    // MARK: Extras

    /// The current connection state.
    package nonisolated var connectionState: RelayConnectionState { stateChannel.current }

    /// Counters for tests and benchmarks.
    package nonisolated var statistics: RelayerStatistics { counters.snapshot(pendingCalls: pending.count) }

    /// The topics currently subscribed (or being subscribed), persisted ones included.
    /// - Throws: a storage error when the persisted list cannot be loaded.
    package var subscribedTopics: Set<String> {
        get async throws {
            try await ensureLoaded()
            return topics
        }
    }

    // MARK: State helpers

    func ensureLoaded() async throws {
        switch loadState {
        case .loaded:
            return
        case .loading(var waiters):
            await withCheckedContinuation { continuation in
                waiters.append(continuation)
                loadState = .loading(waiters)
            }
            try await ensureLoaded()
        case .notLoaded:
            loadState = .loading([])
            var loaded = MessageTracker(storagePrefix: configuration.storagePrefix, limits: configuration.trackerLimits)
            var restored: Set<String> = []
            var pruned: [StorageChange] = []
            do {
                pruned = try await loaded.load(from: storage, now: wallClock.nowSeconds)
                for item in try await storage.values(withPrefix: subscriptionPrefix) {
                    restored.insert(String(item.key.dropFirst(subscriptionPrefix.count)))
                }
            } catch {
                finishLoading(.notLoaded)
                throw error
            }
            tracker = loaded
            topics.formUnion(restored)
            finishLoading(.loaded)
            do {
                try await persist(pruned)
            } catch {
                logger.debug("could not prune expired message hashes")
            }
        }
    }

    private func finishLoading(_ state: LoadState) {
        guard case .loading(let waiters) = loadState else { return }
        loadState = state
        for waiter in waiters { waiter.resume() }
    }

    var subscriptionPrefix: String { StorageKey.subscription(prefix: configuration.storagePrefix).rawValue + "/" }

    /// Claims `unique` for one subscribe call and records the topics new to the relayer (returned, sorted) as
    /// provisional: kept only if a subscribe call naming them succeeds.
    func claimTopics(_ unique: Set<String>) -> [String] {
        let added = unique.subtracting(topics).sorted()
        topics.formUnion(added)
        provisionalTopics.formUnion(added)
        for topic in unique { subscribeClaims[topic, default: 0] += 1 }
        return added
    }

    /// Ends one subscribe call's claim on `unique`. A success makes its topics permanent; a failure returns the
    /// provisional topics no other call in flight claims any more, which the caller forgets.
    func releaseClaims(_ unique: Set<String>, succeeded: Bool) -> [String] {
        var orphaned: [String] = []
        for topic in unique {
            let remaining = (subscribeClaims[topic] ?? 1) - 1
            subscribeClaims[topic] = remaining > 0 ? remaining : nil
            if succeeded {
                provisionalTopics.remove(topic)
            } else if remaining <= 0, provisionalTopics.remove(topic) != nil {
                orphaned.append(topic)
            }
        }
        return orphaned.sorted()
    }

    /// Records topics as subscribed for good (the relay subscribes them in a composite call, or the caller
    /// knows they are), persisted.
    func addTopics(_ added: [String]) async throws {
        let new = added.filter { topics.insert($0).inserted }
        for topic in added { provisionalTopics.remove(topic) }
        try await persistAddedTopics(new)
    }

    func persistAddedTopics(_ added: [String]) async throws {
        guard !added.isEmpty else { return }
        try await persist(added.map { .set(key: subscriptionPrefix + $0, value: Data(#"{"topic":"\#($0)"}"#.utf8)) })
    }

    func removeTopics(_ removed: [String]) async throws {
        var changes: [StorageChange] = []
        for topic in removed where topics.remove(topic) != nil {
            provisionalTopics.remove(topic)
            confirmed.remove(topic)
            changes.append(.remove(key: subscriptionPrefix + topic))
            changes += tracker.remove(topic: topic)
        }
        try await persist(changes)
    }

    /// Records `batch` as acknowledged by the relay on connection `generation`.
    func confirm(_ batch: [String], generation: UInt64) {
        if generation > confirmedGeneration {
            confirmed = []
            confirmedGeneration = generation
        }
        guard generation == confirmedGeneration else { return }
        // Only topics still wanted: an unsubscribe may have raced the call.
        for topic in batch where topics.contains(topic) { confirmed.insert(topic) }
    }

    func persist(_ changes: [StorageChange]) async throws {
        guard !changes.isEmpty else { return }
        try await storage.write(changes)
    }
}

extension Array {
    func chunked(into size: Int) -> [[Element]] {
        stride(from: 0, to: count, by: size).map { Array(self[$0..<Swift.min($0 + size, count)]) }
    }
}
