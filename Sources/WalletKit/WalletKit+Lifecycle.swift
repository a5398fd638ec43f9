import AsyncHTTPClient
import Logging
import ServiceLifecycle
import WalletConnectCore
import WalletConnectSign

extension WalletKit: Service {
    /// Runs the instance until ``shutdown()``, a graceful shutdown of the enclosing `ServiceGroup`, or
    /// cancellation: the Sign client (relay connection, expirer, pairing, engine), plus an AsyncHTTPClient for
    /// Verify/Echo/telemetry when one is needed and none was injected. Telemetry (when enabled) starts once the
    /// engine runs.
    ///
    /// A graceful shutdown (`ServiceGroup`'s, or ``shutdown()``) drains as described there; cancellation skips
    /// the drain's wait.
    /// - Throws: ``WalletKitError/alreadyRunning`` on a second call; what `SignClient/run()` throws (storage
    ///   errors while loading, a fatal relay close).
    public func run() async throws {
        switch phase {
        case .idle: phase = .running
        case .stopped: return
        case .running, .draining: throw WalletKitError.alreadyRunning
        }
        defer {
            phase = .stopped
            proposalGate.close()
            stoppedSignal.resolve(())
        }
        if let transport = configuration.httpTransport {
            http.install(transport)
            defer { http.install(nil) }
            try await runServices()
        } else if configuration.needsHTTP {
            try await HTTPClient.withHTTPClient { client in
                http.install(AsyncHTTPClientTransport(client: client, logger: logger))
                defer { http.install(nil) }
                try await runServices()
            }
        } else {
            try await runServices()
        }
    }

    private func runServices() async throws {
        let client = signClient
        await client.setHandlesSessionAuthenticate(configuration.handlesSessionAuthenticate)
        await client.setAuthenticateRPCCaller(rpcCaller)
        let (shutdownRequests, requestShutdown) = AsyncStream<Void>.makeStream()
        try await withGracefulShutdownHandler {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await client.run() }
                group.addTask {
                    for await _ in shutdownRequests {}
                    await self.stop()
                }
                if (try? await client.untilRunning()) != nil { await startTelemetry() }
                do {
                    // The first child to end is the client (stopped or failed) or the shutdown request.
                    try await group.next()
                } catch {
                    requestShutdown.finish()
                    try? await group.waitForAll()
                    throw error
                }
                requestShutdown.finish()
                try await group.waitForAll()
            }
        } onGracefulShutdown: {
            requestShutdown.finish()
        }
    }

    private func startTelemetry() async {
        guard let id = try? await signClient.clientID() else { return }
        let agent = configuration.sign.effectiveRelayerConfiguration.userAgent ?? ""
        await telemetryClient.start(clientID: id, userAgent: agent)
    }

    /// Returns once the engine is consuming relay messages.
    /// - Throws: `SignClientError/stopped` when the instance stopped first; `CancellationError`.
    public func untilRunning() async throws {
        try await signClient.untilRunning()
    }

    /// Shuts down gracefully and returns when everything has stopped:
    /// 1. stop taking proposals (``pair(uri:activatePairing:)`` and ``approveSession(proposalID:namespaces:sessionProperties:scopedProperties:sessionConfig:relayProtocol:proposalRequestsResponses:waitsForAcknowledgement:)``
    ///    throw ``WalletKitError/shuttingDown``; ``sessionProposals`` announces nothing more);
    /// 2. drain: wait until no call is in flight (answers are still accepted meanwhile), at most
    ///    ``WalletKitConfiguration/shutdownDrainTimeout`` on the injected clock;
    /// 3. stop the engine (waiting calls fail with `SignEngineError/shutDown`, every event stream finishes),
    ///    pairing and expirer; every store write is already committed (one SQLite or PostgreSQL transaction each,
    ///    key chain fsynced or committed), so nothing is left to flush;
    /// 4. close the socket and release the storage namespace; last, close the connection pool of a PostgreSQL
    ///    storage (`.postgres(url:)`).
    ///
    /// A request that was announced but not answered stays in the store and is announced again after a restart
    /// on the same storage. Idempotent; also valid before ``run()``.
    public func shutdown() async {
        await stop()
        _ = await stoppedSignal.wait()
    }

    /// Steps 1–4 of ``shutdown()`` without waiting for ``run()`` to return (``run()``'s own shutdown path calls it).
    func stop() async {
        switch phase {
        case .idle:
            phase = .stopped
            proposalGate.close()
            await signClient.shutdown()
            stoppedSignal.resolve(())
        case .running:
            phase = .draining
            proposalGate.close()
            logger.debug("walletkit draining", metadata: ["wk.count": "\(inFlight)"])
            await drain()
            await signClient.shutdown()
        case .draining, .stopped:
            return
        }
    }

    /// Waits until no call is in flight or the deadline passes, then closes the door to every call. The last
    /// check and the closing happen without a suspension in between, so no call can slip in after the drain.
    private func drain() async {
        await drain(clock: configuration.sign.clock, limit: configuration.shutdownDrainTimeout)
        isClosed = true
        if inFlight > 0 {
            logger.debug("walletkit drain deadline passed", metadata: ["wk.count": "\(inFlight)"])
        }
    }

    private func drain<C: Clock<Duration>>(clock: C, limit: Duration) async {
        let deadline = clock.now.advanced(by: limit)
        while inFlight > 0, clock.now < deadline, !Task.isCancelled {
            let idle = idleStream()
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await _ in idle {}
                }
                group.addTask {
                    try? await clock.sleep(until: deadline, tolerance: nil)
                }
                await group.next()
                group.cancelAll()
            }
        }
    }

    /// Runs `body` with a running instance and shuts it down afterwards on every path (return, throw,
    /// cancellation), waiting until it has stopped.
    /// - Returns: What `body` returns.
    /// - Throws: What `body` throws; the error that stopped the instance if it failed before running; the errors of
    ///   ``init(configuration:)``.
    public static func withWalletKit<T>(
        _ configuration: WalletKitConfiguration, _ body: (WalletKit) async throws -> T
    ) async throws -> T {
        let kit = try WalletKit(configuration: configuration)
        return try await withThrowingTaskGroup(of: Void.self, returning: T.self) { group in
            group.addTask { try await kit.run() }
            let value: T
            do {
                try await kit.untilRunning()
                value = try await body(kit)
            } catch {
                await kit.shutdown()
                do {
                    try await group.waitForAll()
                } catch let runError {
                    if error is SignClientError { throw runError }
                }
                throw error
            }
            await kit.shutdown()
            try await group.waitForAll()
            return value
        }
    }
}
