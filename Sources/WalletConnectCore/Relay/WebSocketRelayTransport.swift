import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import NIOWebSocket
import WSClient
import WSCompression
@_spi(WSInternal) import WSCore

/// The production ``RelayTransport``: swift-websocket's frame handler over a NIO client channel that
/// sets up TLS itself (system trust store, `SSL_CERT_FILE`, or an injected `TLSConfiguration`).
struct WebSocketRelayTransport: RelayTransport {
    var tlsConfiguration: TLSConfiguration
    var maxFrameSize: Int
    var enableDeflate: Bool
    var eventLoopGroup: any EventLoopGroup
    /// Times the upgrade (the relayer's clock).
    var clock: any Clock<Duration>
    var upgradeTimeout: Duration
    var logger: Logger

    func run(
        url: String,
        headers: [(name: String, value: String)],
        onText: @escaping @Sendable (String, any RelayConnection) async -> Void,
        session: @escaping @Sendable (any RelayConnection) async throws -> Void
    ) async throws -> RelayCloseInfo {
        let endpoint = try Self.endpoint(for: url)
        let sslContext = endpoint.usesTLS ? try NIOSSLContext(configuration: tlsConfiguration) : nil
        var extensions: [any WebSocketExtensionBuilder] = []
        if enableDeflate {
            extensions.append(
                WebSocketExtensionFactory.perMessageDeflate(
                    maxDecompressedFrameSize: maxFrameSize, minFrameSizeToCompress: 512
                ).build())
        }
        let counter = TrafficCounter()
        let maxMessageSize = maxFrameSize
        let channel = RelayWebSocketChannel(
            endpoint: endpoint,
            headers: headers,
            sslContext: sslContext,
            maxFrameSize: maxFrameSize,
            extensions: extensions,
            counter: counter,
            clock: clock,
            upgradeTimeout: upgradeTimeout,
            makeHandler: { channel in
                { inbound, outbound, _ in
                    let connection = WebSocketRelayConnection(outbound: outbound, channel: channel, counter: counter)
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask { try await session(connection) }
                        group.addTask {
                            for try await message in inbound.messages(maxSize: maxMessageSize) {
                                if case .text(let text) = message { await onText(text, connection) }
                            }
                        }
                        // Whichever ends first (peer closed, or the session is done) ends the other.
                        defer { group.cancelAll() }
                        try await group.next()
                    }
                }
            }
        )
        let client = ClientConnection(
            channel, address: .hostname(endpoint.host, port: endpoint.port), eventLoopGroup: eventLoopGroup,
            logger: logger)
        let frame = try await client.run()
        return RelayCloseInfo(
            code: frame.map { Int(UInt16(webSocketErrorCode: $0.closeCode)) },
            reason: frame?.reason)
    }

    /// Splits a `ws://` / `wss://` URL into host, port and request target.
    static func endpoint(for url: String) throws -> RelayEndpoint {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            scheme == "ws" || scheme == "wss", let host = components.host, !host.isEmpty
        else {
            throw RelayerError.invalidURL
        }
        let usesTLS = scheme == "wss"
        var target = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        if let query = components.percentEncodedQuery, !query.isEmpty { target += "?" + query }
        let bareHost = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        return RelayEndpoint(
            host: bareHost, port: components.port ?? (usesTLS ? 443 : 80), requestTarget: target,
            usesTLS: usesTLS, scheme: scheme)
    }
}

/// ``RelayConnection`` over swift-websocket's outbound writer.
struct WebSocketRelayConnection: RelayConnection {
    let outbound: WebSocketOutboundWriter
    let channel: any Channel
    let counter: TrafficCounter

    func send(_ text: String) async throws {
        try await outbound.write(.text(text))
    }

    func ping() async throws {
        var data = channel.allocator.buffer(capacity: 8)
        data.writeInteger(UInt64.random(in: .min ... .max))
        try await outbound.write(.custom(WebSocketFrame(fin: true, opcode: .ping, data: data)))
    }

    func close() async throws {
        try await outbound.close(.normalClosure, reason: nil)
    }

    func abort() {
        channel.close(promise: nil)
    }

    var trafficCount: UInt64 { counter.value }
}
