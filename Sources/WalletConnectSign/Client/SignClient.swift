import Foundation
import Logging
import WalletConnectCore

/// One complete Sign client — wallet or dapp — composed from a ``SignClientConfiguration``.
///
/// It builds, in order: the storage, the namespace lock, the key chain and `Crypto` (the relay identity), the
/// `Relayer`, the `Expirer`, the `Pairing` controller and the `SignEngine`. ``run()`` keeps them running
/// until ``shutdown()``:
///
/// ```swift
/// let client = try SignClient(configuration: .init(metadata: metadata, storage: .sqlite(path: path)))
/// try await withThrowingTaskGroup(of: Void.self) { group in
///     group.addTask { try await client.run() }
///     try await client.untilRunning()
///     try await client.pair(uri: uri)
///     await client.shutdown()
/// }
/// ```
/// or, scoped, ``withSignClient(_:_:)``. The engine API is forwarded (see `SignClient+API.swift`); the parts are
/// public for advanced use.
public actor SignClient {
    /// The configuration this client was built from.
    public nonisolated let configuration: SignClientConfiguration
    /// The storage every store of this client writes to (under ``SignClientConfiguration/customStoragePrefix``).
    package nonisolated let storage: any KeyValueStorage
    /// The key controller; its key chain holds this client's relay identity.
    package nonisolated let crypto: Crypto
    /// The relay client (one WebSocket, this client's identity).
    package nonisolated let relayer: Relayer
    /// The expirer shared by pairing and engine.
    package nonisolated let expirer: Expirer
    /// The pairing controller.
    package nonisolated let pairing: Pairing
    /// The Sign engine.
    package nonisolated let engine: SignEngine

    private let logger: Logger
    private let lock: StorageNamespaceLock?
    /// The server storage this client runs (its connection pool) and closes last (``SignClientConfiguration/Storage/server(_:)``).
    private let ownedServerStorage: (any ServerKeyValueStorage)?
    private let stopRequest = AsyncStream<Void>.makeStream()
    private let readiness = OneShotSignal<Bool>()
    private let stopped = OneShotSignal<Void>()
    private var phase: Phase = .idle

    private enum Phase: Sendable, Hashable {
        case idle, starting, running, stopping, stopped
    }

    /// What a child task of ``run()`` reports when it ends.
    private enum ChildOutcome: Sendable {
        /// The engine is consuming messages.
        case ready
        /// ``shutdown()`` was called (or `run()` was cancelled).
        case stopRequested
        /// An essential part (relayer, engine) ended.
        case ended
        /// A helper loop ended (it ends with the parts it serves).
        case auxiliary
    }

    /// Builds the client. Nothing connects until ``run()``.
    /// - Throws: ``SignClientError/namespaceInUse(_:)`` when another client holds this storage namespace,
    ///   ``SignClientError/keyChainLocationRequired``, or a `StorageError` when the database or key chain
    ///   cannot be opened.
    public init(configuration: SignClientConfiguration) throws {
        let logger = configuration.logger
        let prefix = configuration.customStoragePrefix
        let keyChainLocation = try configuration.resolvedKeyChain()
        var lock: StorageNamespaceLock?
        if case .file(let path) = keyChainLocation { lock = try StorageNamespaceLock.acquire(path: path + ".lock") }
        let storage = try configuration.makeStorage()
        let keyChain: KeyChain
        switch keyChainLocation {
        case .file(let path): keyChain = try KeyChain(fileURL: URL(fileURLWithPath: path))
        case .memory: keyChain = KeyChain.inMemory()
        case .storage: keyChain = KeyChain(storage: storage, prefix: prefix)
        }
        let crypto = Crypto(keyChain: keyChain, wallClock: configuration.wallClock, logger: logger)
        let relayer = Relayer(
            configuration: configuration.effectiveRelayerConfiguration, identity: crypto, storage: storage,
            clock: configuration.clock, wallClock: configuration.wallClock, logger: logger)
        let expirer = Expirer(
            storage: storage, storagePrefix: prefix, clock: configuration.clock, wallClock: configuration.wallClock,
            checkInterval: configuration.expirerCheckInterval, logger: logger)
        let pairing = Pairing(
            crypto: crypto, relay: relayer, expirer: expirer, storage: storage, storagePrefix: prefix,
            clock: configuration.clock, wallClock: configuration.wallClock, logger: logger)
        self.engine = SignEngine(
            metadata: configuration.metadata, crypto: crypto, relay: relayer, pairing: pairing, expirer: expirer,
            storage: storage, clock: configuration.clock, wallClock: configuration.wallClock, logger: logger,
            options: configuration.effectiveEngineOptions, verifier: configuration.verifier)
        self.configuration = configuration
        self.storage = storage
        self.crypto = crypto
        self.relayer = relayer
        self.expirer = expirer
        self.pairing = pairing
        self.logger = logger
        self.lock = lock
        self.ownedServerStorage = configuration.ownsStorage ? storage as? any ServerKeyValueStorage : nil
    }

    /// Whether ``run()`` has the engine consuming messages (and ``shutdown()`` has not begun).
    public var isRunning: Bool { phase == .running }

    /// Runs the client: the relayer (connect, reconnect), the expirer, the pairing controller and the engine, in
    /// one task group. Returns after ``shutdown()`` (or cancellation) once every part has stopped.
    ///
    /// Start-up: a server storage the client owns starts its connection pool, and a server storage is prepared
    /// (connected, schema created or migrated); a key chain kept in the storage is loaded; the relayer starts
    /// connecting, the expirer and pairings are loaded, then the engine restores its stores (resubscribing
    /// session topics, re-announcing pending requests) and starts consuming.
    /// Shut-down order: engine (waiting calls fail, event streams finish), pairing, expirer, relayer (socket
    /// closed), then the namespace lock is released, and last the connection pool of an owned server storage
    /// is closed (every write has finished by then).
    /// - Throws: ``SignClientError/alreadyStarted`` on a second call, a storage error from loading, or a fatal
    ///   `RelayerError` (the relay closed with 3000).
    public func run() async throws {
        switch phase {
        case .idle: phase = .starting
        case .stopped: return
        case .starting, .running, .stopping: throw SignClientError.alreadyStarted
        }
        let relayer = relayer, expirer = expirer, pairing = pairing, engine = engine, crypto = crypto
        let ownedServerStorage = ownedServerStorage, serverStorage = storage as? any ServerKeyValueStorage
        let stopStream = stopRequest.stream
        var failure: (any Error)?
        await withThrowingTaskGroup(of: ChildOutcome.self) { group in
            group.addTask {
                for await _ in stopStream {}
                return .stopRequested
            }
            if let ownedServerStorage {
                // Runs until cancelled, which happens after the teardown below: the pool outlives every writer.
                group.addTask {
                    try await ownedServerStorage.run()
                    return .auxiliary
                }
            }
            do {
                // A bad URL, an unreachable server or refused credentials stop the start here, named.
                try await serverStorage?.prepare()
                try await crypto.loadKeys()
                group.addTask {
                    try await relayer.run()
                    return .ended
                }
                group.addTask {
                    for await state in relayer.connectionStates() { await expirer.setRelayConnected(state == .connected) }
                    return .auxiliary
                }
                try await expirer.load()
                try await pairing.load(resubscribe: false)
                group.addTask {
                    try await engine.run()
                    return .ended
                }
                group.addTask {
                    await pairing.run()
                    return .auxiliary
                }
                group.addTask {
                    await expirer.run()
                    return .auxiliary
                }
                group.addTask {
                    await engine.untilRunning()
                    return .ready
                }
                loop: while let outcome = try await group.next() {
                    switch outcome {
                    case .ready: markRunning()
                    case .auxiliary: continue
                    case .stopRequested, .ended: break loop
                    }
                }
            } catch {
                failure = error
            }
            await teardown()
            group.cancelAll()
            while true {
                do {
                    guard try await group.next() != nil else { break }
                } catch {
                    if failure == nil, !(error is CancellationError) { failure = error }
                }
            }
        }
        phase = .stopped
        readiness.resolve(false)
        stopped.resolve(())
        if let failure {
            logger.debug("sign client stopped with an error")
            throw failure
        }
        logger.debug("sign client stopped")
    }

    private func markRunning() {
        guard phase == .starting else { return }
        phase = .running
        readiness.resolve(true)
        logger.debug("sign client running")
    }

    /// Returns once ``run()`` has the engine consuming relay messages.
    /// - Throws: ``SignClientError/stopped`` when the client stopped (or failed) first; `CancellationError`.
    public func untilRunning() async throws {
        switch phase {
        case .running: return
        case .stopping, .stopped: throw SignClientError.stopped
        case .idle, .starting: break
        }
        guard let running = await readiness.wait() else { throw CancellationError() }
        guard running, phase == .running else { throw SignClientError.stopped }
    }

    /// Stops the client and returns when every part has stopped (see ``run()`` for the order). Idempotent; also
    /// valid before ``run()`` (which then returns at once).
    public func shutdown() async {
        switch phase {
        case .idle:
            phase = .stopped
            await teardown()
            readiness.resolve(false)
            stopped.resolve(())
        case .starting, .running:
            phase = .stopping
            stopRequest.continuation.finish()
            _ = await stopped.wait()
        case .stopping:
            _ = await stopped.wait()
        case .stopped:
            return
        }
    }

    /// Stops the parts in order and releases the namespace lock.
    private func teardown() async {
        if phase != .stopped { phase = .stopping }
        await engine.shutdown()
        await engine.cancelLinkModeSubscriptions()
        await pairing.shutdown()
        await expirer.finish()
        await relayer.shutdown()
        lock?.release()
    }

    /// Runs `body` with a running client, shutting it down afterwards on every path (return, throw, cancellation).
    ///
    /// - Returns: What `body` returns.
    /// - Throws: What `body` throws; the error that stopped the client if it failed before it was running; the
    ///   errors of ``init(configuration:)``.
    public static func withSignClient<T>(
        _ configuration: SignClientConfiguration, _ body: (SignClient) async throws -> T
    ) async throws -> T {
        let client = try SignClient(configuration: configuration)
        return try await withThrowingTaskGroup(of: Void.self, returning: T.self) { group in
            group.addTask { try await client.run() }
            let value: T
            do {
                try await client.untilRunning()
                value = try await body(client)
            } catch {
                await client.shutdown()
                do {
                    try await group.waitForAll()
                } catch let runError {
                    if error is SignClientError { throw runError }
                }
                throw error
            }
            await client.shutdown()
            try await group.waitForAll()
            return value
        }
    }
}
