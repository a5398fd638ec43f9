import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import HummingbirdWSCompression
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL
import WalletConnectCore

/// The project's IRN relay: a WebSocket server speaking the relay JSON-RPC of core.md §3.
///
/// Usable in-process (tests, demos) and by `walletkit relay`:
/// ```
/// let server = RelayServer(configuration: .init(port: 0))
/// let port = try await server.start()
/// // clients connect to await server.url
/// await server.stop()
/// ```
/// The broker lives in ``state`` (a ``RelayServerState``); pass the same state to a new server to keep the
/// mailbox across a restart on the same port.
public actor RelayServer {
    /// Why the server could not start.
    public struct StartError: Error, CustomStringConvertible {
        /// What went wrong.
        public let description: String
    }

    /// The configuration.
    public nonisolated let configuration: RelayServerConfiguration
    /// The broker state (mailbox, subscriptions, counters); may outlive this server.
    public nonisolated let state: RelayServerState
    private let logger: Logger
    private let clock: any Clock<Duration>
    private var runTask: Task<Void, Never>?
    private var boundPort: Int?
    private let owned = RelayServerConnections()

    /// Creates a server; nothing listens until ``start()``.
    /// - Parameters:
    ///   - configuration: Address, TLS, auth and limits.
    ///   - state: The broker state; a new one (system wall clock) by default.
    ///   - clock: Clock for the shutdown drain timeout.
    ///   - logger: Debug logging; silent by default.
    public init(
        configuration: RelayServerConfiguration = RelayServerConfiguration(),
        state: RelayServerState = RelayServerState(),
        clock: any Clock<Duration> = ContinuousClock(),
        logger: Logger = Logger(label: "walletkit.relay", factory: { _ in SwiftLogNoOpLogHandler() })
    ) {
        self.configuration = configuration
        self.state = state
        self.clock = clock
        self.logger = logger
    }

    /// Most connections this server keeps open at once: ``RelayServerConfiguration/maxConnections``, lowered to
    /// fit the process's open-file limit (`ulimit -n`; a quarter of it, at least 32 and at most 128, is left for
    /// other files).
    public nonisolated var connectionLimit: Int {
        RelayConnectionGate.effectiveLimit(configured: configuration.maxConnections)
    }

    /// The bound port, once started.
    public var port: Int? { boundPort }

    /// `ws://HOST:PORT` (or `wss://` with TLS); empty before ``start()``.
    public var url: String {
        guard let boundPort else { return "" }
        let scheme = configuration.tls == nil ? "ws" : "wss"
        let host = configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host
        return "\(scheme)://\(host):\(boundPort)"
    }

    /// A snapshot of the counters.
    public func counters() async -> RelayServerCounters {
        await state.counters()
    }

    /// Sends a close frame with `code` and `reason` to every open connection (fault injection: 4010, 3000, …).
    public func closeAllConnections(code: UInt16, reason: String) async {
        await state.closeAllConnections(code: code, reason: reason)
    }

    /// Binds and starts serving; returns the bound port.
    /// - Throws: ``StartError`` when already started, TLS files cannot be read, or binding fails.
    @discardableResult
    public func start() async throws -> Int {
        guard runTask == nil else { throw StartError(description: "relay server already started") }
        let server = try makeServerBuilder()
        let (events, continuation) = AsyncStream<Result<Int, any Error>>.makeStream()
        let app = Application(
            responder: CallbackResponder<BasicRequestContext> { [configuration, state] request, _ in
                if request.uri.path == "/health" { return Response(status: .ok) }
                let auth = RelayConnectionAuth(
                    strict: configuration.strictAuth, leeway: configuration.jwtLeeway, wallClock: state.wallClock)
                if case .rejected = auth.check(request.head) { return Response(status: .unauthorized) }
                return Response(status: .upgradeRequired)
            },
            server: server,
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.host, port: configuration.port), serverName: nil,
                reuseAddress: true),
            onServerRunning: { channel in
                continuation.yield(.success(channel.localAddress?.port ?? 0))
            },
            logger: logger
        )
        runTask = Task {
            do {
                try await app.run()
                continuation.yield(.failure(StartError(description: "relay server stopped")))
            } catch {
                continuation.yield(.failure(error))
            }
            continuation.finish()
        }
        for await event in events {
            switch event {
            case .success(let port):
                boundPort = port
                logger.debug("relay listening", metadata: ["wk.relay.port": "\(port)"])
                return port
            case .failure(let error):
                runTask = nil
                throw error
            }
        }
        runTask = nil
        throw StartError(description: "relay server did not start")
    }

    /// Closes every connection (1001 going away), waits briefly for them to finish, and stops listening; this
    /// server's connections opened meanwhile (clients reconnecting) are closed too, so the stop always ends.
    public func stop() async {
        guard let task = runTask else { return }
        runTask = nil
        await state.closeAllConnections(code: 1001, reason: "relay shutting down")
        let state = self.state
        let limit = configuration.closeTimeout
        let clock = self.clock
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await state.waitUntilNoConnections() }
            group.addTask { try? await clock.sleep(for: limit) }
            await group.next()
            group.cancelAll()
        }
        task.cancel()
        // The server stops listening, then waits for its open connections to end. A client that reconnected
        // between the close above and the cancellation (a relayer reconnects at once after a 1001) would hold that
        // wait forever, so this server's own connections are closed again (every close timeout) until it has stopped.
        let owned = self.owned
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await task.value }
            group.addTask {
                // Every close timeout, not at once: a close sent right after an upgrade can be lost by a client.
                while (try? await clock.sleep(for: limit)) != nil {
                    await state.closeConnections(owned.current, code: 1001, reason: "relay shutting down")
                }
            }
            await group.next()
            group.cancelAll()
        }
        boundPort = nil
    }

    // MARK: Building

    private func makeServerBuilder() throws -> HTTPServerBuilder {
        var extensions: [WebSocketExtensionFactory] = []
        if configuration.permessageDeflate {
            extensions.append(MessageSizeDeflateBuilder.factory(maxMessageBytes: configuration.maxMessageBytes))
        }
        let wsConfiguration = WebSocketServerConfiguration(
            maxFrameSize: configuration.maxMessageBytes, extensions: extensions,
            autoPing: .enabled(timePeriod: configuration.pingInterval), closeTimeout: configuration.closeTimeout)
        let builders = wsConfiguration.extensions
        let connectionConfiguration = RelayConnectionHandler.Configuration(
            maxMessageBytes: configuration.maxMessageBytes,
            limits: RelayConnectionLimits(
                queueFrames: configuration.maxQueuedFramesPerConnection,
                queueBytes: configuration.maxQueuedBytesPerConnection,
                inFlightDeliveries: configuration.maxInFlightDeliveriesPerConnection,
                inFlightBytes: configuration.maxInFlightBytesPerConnection,
                subscriptions: configuration.maxSubscriptionsPerConnection,
                perClient: configuration.maxConnectionsPerClient),
            refusalGrace: .milliseconds(250), idleTimeout: configuration.idleTimeout)
        let auth = RelayConnectionAuth(
            strict: configuration.strictAuth, leeway: configuration.jwtLeeway, wallClock: state.wallClock)
        let state = self.state
        let clock = self.clock
        let owned = self.owned
        let upgradeConfiguration = HTTP1WebSocketUpgradeChannel.Configuration(
            http1: HTTP1Channel.Configuration(idleTimeout: TimeAmount(configuration.headerTimeout)), ws: wsConfiguration)
        let shouldUpgrade: @Sendable (HTTPRequest, any Channel, Logger) async throws -> ShouldUpgradeResult<
            WebSocketDataHandler<HTTP1WebSocketUpgradeChannel.Context>
        > = { request, channel, logger in
            let outcome = auth.check(request)
            let clientID: String
            var refusal: IRN.ErrorTag?
            switch outcome {
            case .accepted(let id):
                clientID = id
            case .rejected(let tag):
                await state.noteRejectedAuth()
                guard RelayConnectionAuth.wantsCloseEvent(request) else {
                    try await Self.refuseUpgrade(on: channel)
                    return .dontUpgrade
                }
                clientID = RelayConnectionAuth.anonymousClientID()
                refusal = tag
            }
            let compressed =
                (try? builders.serverExtensionNegotiation(requestHeaders: request.headerFields).1.isEmpty == false)
                ?? false
            let handler = RelayConnectionHandler(
                state: state, configuration: connectionConfiguration, clientID: clientID, compressed: compressed,
                ticket: state.takeUpgradeTicket(),
                refusal: refusal, logger: logger, clock: clock, owned: owned)
            return .upgrade([:]) { inbound, outbound, _ in
                await handler.run(inbound: inbound, outbound: outbound)
            }
        }
        // Outside in: the connection limit (before any byte is read), TLS, the request-head guard (size and time,
        // on the decrypted bytes), then HTTP with the WebSocket upgrade.
        let gate = RelayConnectionGate(limit: connectionLimit)
        let headTimeout = configuration.headerTimeout
        let maxHeadBytes = configuration.maxRequestHeadBytes
        var tlsConfiguration: TLSConfiguration?
        if let tls = configuration.tls {
            do {
                let chain = try NIOSSLCertificate.fromPEMFile(tls.certificatePath).map {
                    NIOSSLCertificateSource.certificate($0)
                }
                let key = try NIOSSLPrivateKey(file: tls.privateKeyPath, format: .pem)
                tlsConfiguration = TLSConfiguration.makeServerConfiguration(
                    certificateChain: chain, privateKey: .privateKey(key))
            } catch {
                throw StartError(description: "cannot load TLS certificate or key: \(error)")
            }
        }
        let serverTLS = tlsConfiguration
        return HTTPServerBuilder { responder in
            let http = RelayHeadGuardChannel(
                base: HTTP1WebSocketUpgradeChannel(
                    responder: responder, configuration: upgradeConfiguration, shouldUpgrade: shouldUpgrade),
                timeout: headTimeout, maxBytes: maxHeadBytes, state: state)
            guard let tlsConfiguration = serverTLS else {
                return RelayAdmissionChannel(base: http, gate: gate, plainText: true, state: state)
            }
            return RelayAdmissionChannel(
                base: try TLSChannel(http, tlsConfiguration: tlsConfiguration), gate: gate, plainText: false,
                state: state)
        }
    }

    /// Answers a refused upgrade with HTTP 401 and closes the connection.
    private static func refuseUpgrade(on channel: any Channel) async throws {
        var headers = HTTPHeaders()
        headers.add(name: "content-length", value: "0")
        headers.add(name: "connection", value: "close")
        let head = HTTPResponseHead(version: .http1_1, status: .unauthorized, headers: headers)
        try? await channel.writeAndFlush(HTTPServerResponsePart.head(head)).get()
        try? await channel.writeAndFlush(HTTPServerResponsePart.end(nil)).get()
        try? await channel.close().get()
    }
}
