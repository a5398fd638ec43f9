import Logging

extension Relayer {
    /// Connects and keeps the connection: reconnects with exponential backoff and jitter, at once after a
    /// load-balancing close (4010); after every connect resubscribes all topics and fetches held messages.
    ///
    /// Returns after ``shutdown()`` or when the calling task is cancelled; pending calls then fail with
    /// ``RelayerError/shutdown`` and the streams finish. A relayer runs once: a second call returns at once.
    /// - Throws: ``RelayerError`` with ``RelayerError/isFatal`` when the relay closed with code 3000 (no
    ///   reconnect; pending and later calls fail with the same error), or a storage error on first load.
    package func run() async throws {
        guard !hasStarted else { return }
        hasStarted = true
        if isStopped {
            finish(error: RelayerError.shutdown, state: .closed(reason: "shutdown"))
            return
        }
        do {
            try await ensureLoaded()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await self.connectionLoop() }
                group.addTask {
                    for await _ in self.stopSignal.stream {}
                }
                defer { group.cancelAll() }
                try await group.next()
            }
        } catch let error as RelayerError where error.isFatal {
            finish(error: error, state: .closed(reason: error.reason ?? "fatal relay error"))
            throw error
        } catch {
            finish(error: RelayerError.shutdown, state: .closed(reason: "shutdown"))
            if !(error is CancellationError) { throw error }
            return
        }
        finish(error: RelayerError.shutdown, state: .closed(reason: "shutdown"))
    }

    /// Stops the relayer for good: closes the socket, makes ``run()`` return, fails pending calls.
    package func shutdown() async {
        guard !isStopped else { return }
        isStopped = true
        if let open = gate.current {
            // Close handshake first, so TLS also ends cleanly; then cancel whatever is left. Bounded: when the
            // relay does not finish it within the close timeout (or the close frame cannot even be written,
            // because the peer stopped reading), the socket is aborted, so shutdown never waits on the peer.
            let states = stateChannel.subscribe()
            do {
                _ = try await withDeadline(configuration.closeTimeout, error: RelayerError.timeout(method: "close")) {
                    await withTaskCancellationHandler {
                        try? await open.connection.close()
                        for await state in states where state != .connected { return true }
                        return false
                    } onCancel: {
                        open.connection.abort()
                    }
                }
            } catch {
                logger.debug("relay close handshake timed out, the socket was aborted")
            }
        }
        stopSignal.continuation.finish()
        if !hasStarted { finish(error: RelayerError.shutdown, state: .closed(reason: "shutdown")) }
    }

    /// Runs the relayer while `body` runs, then shuts it down and waits for ``run()`` to return.
    /// - Throws: what `body` throws, or a fatal ``RelayerError`` from ``run()``.
    package func withRunning<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.run() }
            do {
                let value = try await body()
                await shutdown()
                try await group.waitForAll()
                return value
            } catch {
                await shutdown()
                try? await group.waitForAll()
                throw error
            }
        }
    }

    private func finish(error: RelayerError, state: RelayConnectionState) {
        isStopped = true
        pending.failAll(error)
        gate.fail(error)
        stateChannel.set(state)
        stateChannel.finish()
        inbound.finish()
        inboundQueue.removeAll()
        readAheadGate.wake()
    }

    private func connectionLoop() async throws {
        var attempt = 0
        while !isStopped, !Task.isCancelled {
            stateChannel.set(.connecting)
            generation += 1
            let current = generation
            var close: RelayCloseInfo?
            do {
                let url = try await connectionURL()
                close = try await transport.run(
                    url: url,
                    headers: configuration.additionalHeaders.map { (name: $0.key, value: $0.value) },
                    onText: { text, connection in await self.handleFrame(text, on: connection) },
                    session: { connection in try await self.runSession(connection, generation: current) }
                )
            } catch is CancellationError {
                connectionEnded(generation: current)
                return
            } catch let error as RelayerError where error == .invalidURL {
                throw RelayerError.fatal(code: 0, reason: "invalid relay URL")
            } catch {
                logger.debug("relay connection failed", metadata: ["wk.error": "\(error)"])
                if !hasConnected {
                    unreachableReason =
                        "cannot reach the relay at \(configuration.audience): \(RelayConnectionFailure.describe(error))"
                }
            }
            let wasHealthy = healthyGenerations.remove(current) != nil
            connectionEnded(generation: current)
            guard !isStopped, !Task.isCancelled else { return }
            if let close, close.isFatal {
                throw RelayerError.fatal(code: close.code ?? 3000, reason: close.reason)
            }
            if let close, close.isLoadBalancing {
                logger.debug("relay asked to reconnect", metadata: ["wk.close": "\(close)"])
                attempt = 0
                continue
            }
            if wasHealthy { attempt = 0 }
            let delay = configuration.backoff.delay(attempt: attempt, random: Double.random(in: 0..<1))
            attempt += 1
            logger.debug("relay reconnect scheduled", metadata: ["wk.delay": "\(delay)", "wk.close": "\(close?.description ?? "none")"])
            try await clock.sleep(for: delay)
        }
    }

    /// A fresh JWT per connection, then the URL with `auth`, `projectId`, `ua`, `useOnCloseEvent`.
    private func connectionURL() async throws -> String {
        let jwt = try await identity.signJWT(audience: configuration.audience)
        return RelayConnectionURL.make(configuration: configuration, jwt: jwt)
    }

    private func connectionEnded(generation ended: UInt64) {
        gate.close(generation: ended)
        pending.connectionLost(generation: ended)
        stateChannel.set(.disconnected)
    }

    private func sessionOpened(_ connection: any RelayConnection, generation opened: UInt64) {
        counters.bump(.connectionsOpened)
        hasConnected = true
        unreachableReason = nil
        logger.debug("relay connected", metadata: ["wk.connection": "\(opened)"])
        gate.open(ConnectionGate.Open(connection: connection, generation: opened))
        stateChannel.set(.connected)
    }

    private func markHealthy(_ healthy: UInt64) {
        healthyGenerations.insert(healthy)
    }

    /// Runs while connection `generation` is open: the keep-alive watchdog throughout; first `irn_batchSubscribe`
    /// of every topic (batches of 500) on this connection, then the gate opens (state `.connected`) and held
    /// messages are fetched.
    private func runSession(_ connection: any RelayConnection, generation opened: UInt64) async throws {
        let open = ConnectionGate.Open(connection: connection, generation: opened)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.watchdog(connection) }
            let resubscribed = await resubscribe(topics.sorted(), on: open)
            sessionOpened(connection, generation: opened)
            group.addTask {
                await self.fetchHeldMessages(resubscribed, on: open)
                await self.markHealthy(opened)
            }
            try await group.waitForAll()
        }
    }

    /// Pings after one silent interval; drops the socket after two.
    private nonisolated func watchdog(_ connection: any RelayConnection) async throws {
        var lastCount = connection.trafficCount
        var silentIntervals = 0
        while true {
            try await clock.sleep(for: configuration.keepAliveInterval)
            let count = connection.trafficCount
            if count != lastCount {
                lastCount = count
                silentIntervals = 0
                continue
            }
            silentIntervals += 1
            if silentIntervals == 1 {
                try? await connection.ping()
            } else {
                logger.debug("relay watchdog expired, dropping the socket")
                connection.abort()
                throw RelayerError.timeout(method: "keep-alive")
            }
        }
    }

    /// `irn_batchSubscribe` of `all` in batches of 500 on connection `open`; returns the topics that succeeded.
    private func resubscribe(_ all: [String], on open: ConnectionGate.Open) async -> [String] {
        var done: [String] = []
        for batch in all.chunked(into: IRN.batchLimit) {
            do {
                _ = try await request(IRN.Method.batchSubscribe, IRN.BatchSubscribeParams(topics: batch), on: open)
                confirm(batch, generation: open.generation)
                done += batch
            } catch {
                logger.debug("resubscribe failed", metadata: ["wk.error": "\(error)"])
                if error is CancellationError { return done }
            }
        }
        return done
    }

    /// `irn_batchFetchMessages` (repeated while `hasMore`), fed oldest first through the same dedupe path.
    private func fetchHeldMessages(_ all: [String], on open: ConnectionGate.Open) async {
        guard configuration.fetchMessagesOnConnect else { return }
        for batch in all.chunked(into: IRN.batchLimit) {
            for _ in 0..<100 {
                do {
                    let value = try await request(
                        IRN.Method.batchFetchMessages, IRN.BatchFetchMessagesParams(topics: batch), on: open)
                    let result = try value.decode(as: IRN.FetchMessagesResult.self)
                    for message in result.messages.sorted(by: { $0.publishedAt < $1.publishedAt }) {
                        await ingest(message)
                    }
                    if !result.hasMore || result.messages.isEmpty { break }
                } catch {
                    logger.debug("fetch of held messages failed", metadata: ["wk.error": "\(error)"])
                    return
                }
            }
        }
    }

    /// Sends one JSON-RPC call and waits for its answer: registers the waiter before sending, waits for a
    /// connection when there is none, resends with the same id after a reconnect, all within
    /// ``RelayerConfiguration/requestTimeout``.
    /// With `pinned`, the call goes on that connection only and fails when it drops.
    nonisolated func request<Params: Codable & Sendable>(
        _ method: String, _ params: Params, on pinned: ConnectionGate.Open? = nil
    ) async throws -> JSONValue {
        try await call(method, params, on: pinned).result
    }

    /// ``request(_:_:on:)`` that also returns the generation of the connection that answered.
    nonisolated func call<Params: Codable & Sendable>(
        _ method: String, _ params: Params, on pinned: ConnectionGate.Open? = nil
    ) async throws -> (result: JSONValue, generation: UInt64) {
        let id = requestIDs.relayRPCID()
        let frame = try WireJSON.string(IRN.Request(id: id, method: method, params: params))
        let pending = self.pending
        let gate = self.gate
        pending.register(id)
        defer { pending.remove(id) }
        logger.trace("relay call", metadata: ["wk.rpc.id": "\(id)", "wk.method": "\(method)"])
        return try await withDeadline(configuration.requestTimeout, error: RelayerError.timeout(method: method)) {
            var sentOn: UInt64 = 0
            while true {
                let open: ConnectionGate.Open
                if let pinned {
                    // The pinned connection dropped (or refused the frame): give up.
                    guard sentOn != pinned.generation else { throw CancellationError() }
                    open = pinned
                } else {
                    open = try await gate.wait(newerThan: sentOn)
                }
                sentOn = open.generation
                pending.markSent(id, generation: open.generation)
                do {
                    try await open.connection.send(frame)
                } catch {
                    try Task.checkCancellation()
                    continue
                }
                switch try await pending.wait(id) {
                case .response(let response):
                    if let error = response.error { throw RelayerError.relay(method: method, error: error) }
                    return (response.result ?? .null, open.generation)
                case .disconnected:
                    continue
                }
            }
        }
    }

    /// Runs `body`, throwing `error` when it has not finished after `timeout` on the injected clock.
    nonisolated func withDeadline<T: Sendable>(
        _ timeout: Duration, error: RelayerError, _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        try await WalletConnectCore.withDeadline(timeout, on: clock, error: error, body)
    }
}

/// Runs `body`, throwing `error` when it has not finished after `timeout` on `clock`. At the deadline `body` is
/// cancelled and waited for, so a `body` that must be unblocked from outside (a socket write, a pending upgrade)
/// does that in its cancellation handler.
func withDeadline<T: Sendable>(
    _ timeout: Duration, on clock: any Clock<Duration>, error: some Error,
    _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await clock.sleep(for: timeout)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else { throw error }
        return value
    }
}
