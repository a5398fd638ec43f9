import HTTPTypes
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL
import NIOWebSocket
import Synchronization
import WSClient
@_spi(WSInternal) import WSCore

/// Where one connection goes: parsed from the relay URL.
struct RelayEndpoint: Sendable, Hashable {
    var host: String
    var port: Int
    /// Path and query, e.g. `/?auth=…&projectId=…`.
    var requestTarget: String
    var usesTLS: Bool
    var scheme: String

    /// Whether `host` is an IPv4 or IPv6 literal (TLS then sends no SNI and verifies the IP address).
    var hostIsIPAddress: Bool {
        (try? SocketAddress(ipAddress: host, port: 0)) != nil
    }

    /// The `Host` header value.
    var hostHeader: String {
        let bracketed = host.contains(":") ? "[\(host)]" : host
        let defaultPort = usesTLS ? 443 : 80
        return port == defaultPort ? bracketed : "\(bracketed):\(port)"
    }
}

/// Counts inbound reads on a channel (any bytes: data, pings, pongs, close) for the relayer's watchdog.
final class TrafficCounter: Sendable {
    private let reads = Atomic<UInt64>(0)

    /// Current reading.
    var value: UInt64 { reads.load(ordering: .relaxed) }

    /// Records one read.
    func increment() { reads.add(1, ordering: .relaxed) }
}

/// Passes every inbound buffer on unchanged and bumps a ``TrafficCounter``.
final class TrafficCountingHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let counter: TrafficCounter

    init(counter: TrafficCounter) { self.counter = counter }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        counter.increment()
        context.fireChannelRead(data)
    }
}

/// The WebSocket context handed to WSCore's frame handler.
struct RelaySocketContext: WebSocketContext {
    let logger: Logger
}

/// A `ClientConnectionChannel` that does TLS itself, so `wss://` to an IP literal works (no SNI for addresses;
/// NIOSSL then checks the certificate's IP SANs against the peer address), then the typed HTTP → WebSocket
/// upgrade, then WSCore's frame handler (masking, ping/pong, fragments, close handshake, deflate).
struct RelayWebSocketChannel: ClientConnectionChannel {
    enum Upgrade: Sendable {
        case websocket(NIOAsyncChannel<WebSocketFrame, WebSocketFrame>, [any WebSocketExtension])
        case notUpgraded
    }

    /// The connected channel and its pending upgrade.
    struct Pending: Sendable {
        let channel: any Channel
        let upgrade: EventLoopFuture<Upgrade>
    }

    typealias Value = Pending
    typealias Result = WebSocketCloseFrame?

    let endpoint: RelayEndpoint
    let headers: [(name: String, value: String)]
    let sslContext: NIOSSLContext?
    let maxFrameSize: Int
    let extensions: [any WebSocketExtensionBuilder]
    let counter: TrafficCounter
    /// How long the relay may take to answer the upgrade request once the TCP (and TLS) connection is up, on
    /// `clock`. A relay that accepts the connection and never answers would otherwise hold the connect, and a
    /// shutdown waiting on it, forever.
    let clock: any Clock<Duration>
    let upgradeTimeout: Duration
    let makeHandler: @Sendable (any Channel) -> WebSocketDataHandler<RelaySocketContext>

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            Pending(channel: channel, upgrade: try self.configurePipeline(channel: channel, logger: logger))
        }
    }

    private func configurePipeline(channel: any Channel, logger: Logger) throws -> EventLoopFuture<Upgrade> {
        let extensions = self.extensions
        let upgrader = NIOTypedWebSocketClientUpgrader<Upgrade>(
            maxFrameSize: maxFrameSize,
            upgradePipelineHandler: { channel, head in
                channel.eventLoop.makeCompletedFuture {
                    let asyncChannel = try NIOAsyncChannel<WebSocketFrame, WebSocketFrame>(
                        wrappingChannelSynchronously: channel)
                    var fields = HTTPFields()
                    for header in head.headers {
                        if let name = HTTPField.Name(header.name) { fields.append(HTTPField(name: name, value: header.value)) }
                    }
                    let negotiated = try extensions.buildClientExtensions(from: fields)
                    return Upgrade.websocket(asyncChannel, negotiated)
                }
            }
        )
        var requestHeaders = HTTPHeaders()
        requestHeaders.replaceOrAdd(name: "Host", value: endpoint.hostHeader)
        for header in headers { requestHeaders.add(name: header.name, value: header.value) }
        for builder in extensions {
            let offer = builder.clientRequestHeader()
            if !offer.isEmpty { requestHeaders.add(name: "Sec-WebSocket-Extensions", value: offer) }
        }
        let requestHead = HTTPRequestHead(
            version: .http1_1, method: .GET, uri: endpoint.requestTarget, headers: requestHeaders)
        let upgradeConfiguration = NIOTypedHTTPClientUpgradeConfiguration<Upgrade>(
            upgradeRequestHead: requestHead,
            upgraders: [upgrader],
            notUpgradingCompletionHandler: { channel in
                channel.eventLoop.makeCompletedFuture { Upgrade.notUpgraded }
            }
        )
        var pipelineConfiguration = NIOUpgradableHTTPClientPipelineConfiguration(
            upgradeConfiguration: upgradeConfiguration)
        pipelineConfiguration.leftOverBytesStrategy = .forwardBytes
        if let sslContext {
            let serverHostname = endpoint.hostIsIPAddress ? nil : endpoint.host
            let tls = try NIOSSLClientHandler(context: sslContext, serverHostname: serverHostname)
            try channel.pipeline.syncOperations.addHandler(tls, position: .first)
        }
        try channel.pipeline.syncOperations.addHandler(TrafficCountingHandler(counter: counter), position: .first)
        return try channel.pipeline.syncOperations.configureUpgradableHTTPClientPipeline(
            configuration: pipelineConfiguration)
    }

    func handle(value: Value, logger: Logger) async throws -> WebSocketCloseFrame? {
        switch try await awaitUpgrade(value) {
        case .websocket(let asyncChannel, let negotiated):
            // Bytes that came in the same read as the `101` (e.g. an immediate close frame) can leave the
            // channel without a pending read once the upgrade handler unbuffers; ask for one more read so they,
            // and the EOF after them, are seen (seen as a rare hang on an immediate 3000 close).
            asyncChannel.channel.read()
            return try await WebSocketHandler.handle(
                type: .client,
                configuration: .init(
                    extensions: negotiated,
                    autoPing: .disabled,
                    closeTimeout: .seconds(5),
                    validateUTF8: false,
                    ignoreUncleanSSLShutdownErrors: true,
                    maxFrameSize: maxFrameSize
                ),
                asyncChannel: asyncChannel,
                context: RelaySocketContext(logger: logger),
                handler: makeHandler(asyncChannel.channel)
            )
        case .notUpgraded:
            throw RelayerError.upgradeRefused
        }
    }

    /// The relay's answer to the upgrade, bounded by ``upgradeTimeout`` and cancellable: either closes the channel,
    /// which fails the pending upgrade. Only the upgrade is bounded; the session after it lives as long as it lives.
    private func awaitUpgrade(_ value: Pending) async throws -> Upgrade {
        let channel = value.channel
        return try await withDeadline(upgradeTimeout, on: clock, error: RelayerError.timeout(method: "upgrade")) {
            try await withTaskCancellationHandler {
                try await value.upgrade.get()
            } onCancel: {
                channel.close(promise: nil)
            }
        }
    }
}
