import Foundation
import HummingbirdWebSocket
import Synchronization
import Logging
import NIOCore
import NIOWebSocket
import WalletConnectCore

/// The ids of the connections one ``RelayServer`` serves (its state may be shared with other servers).
final class RelayServerConnections: Sendable {
    private let ids = Locked<Set<UInt64>>([])

    func insert(_ id: UInt64) { _ = ids.withLock { $0.insert(id) } }
    func remove(_ id: UInt64) { _ = ids.withLock { $0.remove(id) } }
    var current: Set<UInt64> { ids.withLock { $0 } }
}

/// Serves one upgraded WebSocket: reads frames into the state and writes the state's frames out.
struct RelayConnectionHandler: Sendable {
    struct Configuration: Sendable {
        var maxMessageBytes: Int
        var maxQueuedFrames: Int
        var refusalGrace: Duration
    }

    let state: RelayServerState
    let configuration: Configuration
    let clientID: String
    let compressed: Bool
    /// Set when auth failed and the client asked for a close event: close with 3000 at once.
    let refusal: IRN.ErrorTag?
    let logger: Logger
    let clock: any Clock<Duration>
    /// The serving server's connections.
    let owned: RelayServerConnections

    func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async {
        if let refusal {
            logger.debug("relay connection refused with a close frame", metadata: ["wk.relay.error": "\(refusal.rawValue)"])
            // A close frame that arrives in the same read as the 101 response can be lost by a client still
            // finishing its upgrade (seen with swift-websocket's client), so wait for the client's first frame
            // or a short grace period before closing.
            let clock = self.clock
            let grace = configuration.refusalGrace
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    var iterator = inbound.makeAsyncIterator()
                    _ = try? await iterator.next()
                }
                group.addTask { try? await clock.sleep(for: grace) }
                await group.next()
                group.cancelAll()
            }
            let error = IRN.error(refusal)
            try? await outbound.close(WebSocketErrorCode(codeNumber: error.code), reason: error.message)
            return
        }
        let (frames, sink) = AsyncStream<RelayOutbound>.makeStream(
            bufferingPolicy: .bufferingOldest(max(1, configuration.maxQueuedFrames)))
        let id = await state.register(
            clientID: clientID, compressed: compressed, sink: sink, queueSize: max(1, configuration.maxQueuedFrames))
        owned.insert(id)
        let parser = RelayFrameParser(limits: state.limits)
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await frame in frames {
                    switch frame {
                    case .text(let text):
                        do { try await outbound.write(.text(text)) } catch { return }
                    case .close(let code, let reason):
                        try? await outbound.close(WebSocketErrorCode(codeNumber: Int(code)), reason: reason)
                        return
                    }
                }
                // The queue ended without a close frame. Only an overflowed connection is closed here (1013, try
                // again later: the client reconnects); otherwise the connection is ending already, and a second
                // close on it lost deliveries under a 4010 storm.
                if await state.hasOverflowed(id) {
                    try? await outbound.close(WebSocketErrorCode(codeNumber: 1013), reason: "Slow consumer")
                }
            }
            do {
                for try await message in inbound.messages(maxSize: configuration.maxMessageBytes) {
                    let data: Data
                    switch message {
                    case .text(let text): data = Data(text.utf8)
                    case .binary(let buffer): data = Data(buffer.readableBytesView)
                    }
                    await state.receive(parser.parse(data), from: id)
                }
            } catch {
                // Protocol errors and oversized messages end the connection; the state forgets it below.
            }
            await state.unregister(id)
            owned.remove(id)
            await group.waitForAll()
        }
    }
}
