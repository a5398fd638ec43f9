import Logging

/// The pairing controller (spec §5.6): creates and pairs pairing URIs, keeps the stored pairings, answers
/// `wc_pairingPing` / `wc_pairingDelete` on pairing topics, and deletes pairings when they expire.
///
/// Lifecycle: ``load(resubscribe:)``, then keep ``run(consumingRelayMessages:)`` running (it consumes the
/// expirer's events, and optionally the relay's messages on pairing topics). When a Sign engine owns the relay
/// stream, it hands pairing-topic messages to ``handle(_:)-(RelayMessage)`` instead, and marks them handled itself.
package actor Pairing {
    let crypto: Crypto
    let relay: any RelayClient
    let expirer: Expirer
    let store: Store<PairingInfo>
    let clock: any Clock<Duration>
    let wallClock: WallClock
    let ids: RPCIDGenerator
    let logger: Logger
    let pingTimeout: Duration
    let broadcaster = EventBroadcaster<PairingEvent>()

    /// Methods handled by upper layers; requests for them are forwarded, not answered with 10001.
    var registeredMethods: Set<String> = []
    /// Our outgoing pairing requests awaiting a response, by id.
    var outgoing: [Int64: (method: String, waiter: PairingResponseWaiter?)] = [:]
    var isShutDown = false
    /// Expirer events subscribed in ``load(resubscribe:)`` (so none is missed before ``run(consumingRelayMessages:)``).
    var expirations: AsyncStream<ExpirerEvent>?

    /// Seconds a new pairing lives (`FIVE_MINUTES`), also used by ``activate(topic:)`` as JS 2.23 does.
    package static let pairingLifetime: Int64 = 300
    /// Relay protocols accepted in URIs.
    package static let supportedRelayProtocols: Set<String> = ["irn", "iridium", "waku"]

    /// Creates the controller. Call ``load(resubscribe:)`` before use.
    /// - Parameters:
    ///   - crypto: stores and uses the pairing symmetric keys.
    ///   - relay: publishes and subscribes pairing topics.
    ///   - expirer: schedules `topic:<topic>` expiries (shared with the Sign engine).
    ///   - storage: where pairings are persisted (under ``StorageKey/pairing(prefix:)``).
    ///   - storagePrefix: the custom storage prefix.
    ///   - clock: drives the ping timeout.
    ///   - wallClock: wall time for expiries.
    ///   - ids: JSON-RPC id source (default: a generator on `wallClock`).
    ///   - pingTimeout: how long ``ping(topic:)`` waits for the response.
    ///   - logger: debug logging; never receives keys or payloads.
    package init(
        crypto: Crypto, relay: any RelayClient, expirer: Expirer, storage: any KeyValueStorage,
        storagePrefix: String = "", clock: any Clock<Duration>, wallClock: WallClock, ids: RPCIDGenerator? = nil,
        pingTimeout: Duration = .seconds(30),
        logger: Logger = Logger(label: "walletkit", factory: { _ in SwiftLogNoOpLogHandler() })
    ) {
        self.crypto = crypto
        self.relay = relay
        self.expirer = expirer
        self.store = Store(storage: storage, storageKey: .pairing(prefix: storagePrefix))
        self.clock = clock
        self.wallClock = wallClock
        self.ids = ids ?? RPCIDGenerator(wallClock: wallClock)
        self.pingTimeout = pingTimeout
        self.logger = logger
    }

    // MARK: - Lifecycle

    /// Loads the stored pairings, deletes the expired ones, schedules expiries for the others, and (by default)
    /// resubscribes their topics.
    /// - Throws: the storage error.
    package func load(resubscribe: Bool = true) async throws {
        if expirations == nil { expirations = expirer.events() }
        try await store.load()
        let now = wallClock.nowMilliseconds
        var live: [String] = []
        for pairing in await store.values {
            if pairing.isExpired(nowMilliseconds: now) {
                await deleteLocally(topic: pairing.topic, reason: .expired(topic: pairing.topic))
                continue
            }
            live.append(pairing.topic)
            if await !expirer.has(.topic(pairing.topic)) {
                try await expirer.set(.topic(pairing.topic), expiry: pairing.expiry)
            }
        }
        if resubscribe, !live.isEmpty {
            do {
                try await relay.subscribe(topics: live.sorted())
            } catch {
                logger.debug("pairing resubscribe failed", metadata: ["wk.count": "\(live.count)"])
            }
        }
    }

    /// Consumes expirer events (deleting expired pairings) and, when `consumingRelayMessages` is set, the relay's
    /// messages on pairing topics (handled ones are marked handled), until cancelled.
    package func run(consumingRelayMessages: Bool = false) async {
        let expirations = self.expirations ?? expirer.events()
        self.expirations = nil
        let messages = consumingRelayMessages ? relay.messages() : nil
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await event in expirations { await self.handle(event) }
            }
            if let messages {
                group.addTask {
                    await self.relay.replayUnhandled()
                    for await message in messages {
                        guard await self.isPairingTopic(message.topic) else {
                            // Not ours: let the relay hand on the next message (it stays unhandled for others).
                            await self.relay.release(message)
                            continue
                        }
                        await self.handle(message)
                        await self.relay.markHandled(message)
                    }
                }
            }
            await group.waitForAll()
        }
    }

    /// Fails pending pings with ``PairingError/Kind/shutDown`` and ends every event stream.
    package func shutdown() {
        isShutDown = true
        for (_, entry) in outgoing {
            entry.waiter?.fulfill(.failure(PairingError(.shutDown, "")))
        }
        outgoing.removeAll()
        broadcaster.finish()
    }

    /// A new stream of pairing events (one per caller).
    package nonisolated func events() -> AsyncStream<PairingEvent> {
        broadcaster.subscribe()
    }

    // MARK: - Queries

    /// Every stored pairing (`getPairings`), sorted by topic.
    package func pairings() async -> [PairingInfo] {
        await store.values.sorted { $0.topic < $1.topic }
    }

    /// The stored pairing under `topic`, or `nil`.
    package func pairing(topic: String) async -> PairingInfo? {
        await store.value(forKey: topic)
    }

    /// The pairing URI of the stored pairing `topic` (JS `formatUri` form, with its symKey, relay and expiry), for
    /// showing it again (a QR code) or handing it to another device.
    /// - Throws: ``PairingError`` `noMatchingTopic` when no such pairing is stored, or the key chain's error when
    ///   its key is missing.
    package func uri(topic: String) async throws -> String {
        guard let info = await pairing(topic: topic) else { throw PairingError(.noMatchingTopic, topic) }
        var symKey = try await crypto.symKey(for: topic)
        defer { Sodium.wipe(&symKey) }
        let uri = PairingURI(
            topic: topic, symKey: Hex.encode(symKey), relayProtocol: info.relay.protocol, relayData: info.relay.data,
            expiryTimestamp: info.expiry, methods: info.methods)
        return uri.absoluteString
    }

    /// Whether `topic` is a stored pairing topic.
    package func isPairingTopic(_ topic: String) async -> Bool {
        await store.contains(topic)
    }

    // MARK: - Create and pair

    /// Proposer side: creates a pairing with a random symmetric key, expiring in 5 minutes.
    /// - Parameters:
    ///   - methods: methods announced in the URI.
    ///   - subscribe: whether to subscribe the topic now (pass `false` when `wc_proposeSession` subscribes it).
    /// - Returns: the pairing topic and the URI (JS form, with `expiryTimestamp`).
    /// - Throws: storage or relay errors.
    package func create(methods: [String]? = nil, subscribe: Bool = true) async throws -> (topic: String, uri: String) {
        let (topic, symKey) = try await crypto.createPairingSymKey()
        let expiry = Expiry.calc(ttlSeconds: Self.pairingLifetime, nowMilliseconds: wallClock.nowMilliseconds)
        let pairing = PairingInfo(topic: topic, expiry: expiry, relay: PairingRelay(), active: false, methods: methods)
        try await store.set(topic, pairing)
        try await expirer.set(.topic(topic), expiry: expiry)
        let uri = PairingURI(topic: topic, symKey: symKey, expiryTimestamp: expiry, methods: methods)
        if subscribe { try await relay.subscribe(topic: topic) }
        logger.debug("pairing created", metadata: ["wk.topic": "\(topic)"])
        broadcaster.yield(.created(pairing))
        return (topic, uri.absoluteString)
    }

    /// Responder side: validates and pairs a URI (spec §2.4), stores the symmetric key (only if absent) and
    /// subscribes the topic.
    /// - Parameters:
    ///   - uri: the pairing URI text.
    ///   - activate: whether to activate the pairing at once.
    /// - Returns: the stored pairing.
    /// - Throws: ``PairingURIError`` (invalid or expired URI), ``PairingError`` (already active, unsupported relay
    ///   protocol), storage or relay errors.
    @discardableResult
    package func pair(uri: String, activate: Bool = false) async throws -> PairingInfo {
        let now = wallClock.nowMilliseconds
        let parsed = try PairingURI.validateForPairing(uri, nowMilliseconds: now)
        let topic = parsed.topic
        if let existing = await store.value(forKey: topic), existing.active {
            throw PairingError(.alreadyExists, topic)
        }
        guard Self.supportedRelayProtocols.contains(parsed.relayProtocol) else {
            throw PairingError(.unsupportedRelayProtocol, parsed.relayProtocol)
        }
        let expiry = parsed.expiryTimestamp ?? Expiry.calc(ttlSeconds: Self.pairingLifetime, nowMilliseconds: now)
        var pairing = PairingInfo(
            topic: topic, expiry: expiry, relay: PairingRelay(protocol: parsed.relayProtocol, data: parsed.relayData),
            active: false, methods: parsed.methods)
        try await store.set(topic, pairing)
        try await expirer.set(.topic(topic), expiry: expiry)
        if activate { pairing = try await self.activate(topic: topic) }
        if await !crypto.hasKey(topic) {
            _ = try await crypto.setSymKey(parsed.symKey, overrideTopic: topic)
        }
        try await relay.subscribe(topic: topic)
        logger.debug("paired", metadata: ["wk.topic": "\(topic)"])
        broadcaster.yield(.created(pairing))
        return pairing
    }

    // MARK: - Updates

    /// Marks the pairing active and extends its expiry to now + 5 minutes (JS 2.23).
    /// - Throws: ``StoreError`` when absent; storage errors.
    @discardableResult
    package func activate(topic: String) async throws -> PairingInfo {
        let expiry = Expiry.calc(ttlSeconds: Self.pairingLifetime, nowMilliseconds: wallClock.nowMilliseconds)
        let updated = try await store.update(topic) { pairing in
            pairing.active = true
            pairing.expiry = expiry
        }
        try await expirer.set(.topic(topic), expiry: expiry)
        broadcaster.yield(.activated(updated))
        return updated
    }

    /// Sets the expiry (Unix seconds) of a pairing.
    /// - Throws: ``StoreError`` when absent; storage errors.
    package func updateExpiry(topic: String, expiry: Int64) async throws {
        try await store.update(topic) { $0.expiry = expiry }
        try await expirer.set(.topic(topic), expiry: expiry)
    }

    /// Stores the peer's metadata on a pairing.
    /// - Throws: ``StoreError`` when absent; storage errors.
    package func updateMetadata(topic: String, metadata: JSONValue) async throws {
        try await store.update(topic) { $0.peerMetadata = metadata }
    }

    /// Registers methods handled by upper layers (their requests are forwarded by ``handle(_:)-(RelayMessage)``).
    package func register(methods: [String]) {
        registeredMethods.formUnion(methods)
    }

    /// The registered methods.
    package var registered: Set<String> { registeredMethods }
}
