import CompressNIO
import NIOWebSocket
import WSCore
import WSCompression

/// permessage-deflate whose oversize messages close with 1009 (message too big), as uncompressed ones do.
///
/// swift-websocket's deflate extension throws a buffer overflow when a message inflates past its limit, and the
/// connection then closes with 1011 (internal error): to the client that reads as a relay fault, not as its own
/// message being too big. The wrapper turns that overflow into the frame-length error, which closes with 1009.
struct MessageSizeDeflateBuilder: WebSocketExtensionBuilder {
    static var name: String { "permessage-deflate" }

    let base: any WebSocketExtensionBuilder

    /// permessage-deflate with messages inflating to at most `maxMessageBytes`.
    static func factory(maxMessageBytes: Int) -> WebSocketExtensionFactory {
        let deflate = WebSocketExtensionFactory.perMessageDeflate(maxDecompressedFrameSize: maxMessageBytes)
        return WebSocketExtensionFactory { MessageSizeDeflateBuilder(base: deflate.build()) }
    }

    func clientRequestHeader() -> String { base.clientRequestHeader() }

    func serverReponseHeader(to request: WebSocketExtensionHTTPParameters) -> String? {
        base.serverReponseHeader(to: request)
    }

    func serverExtension(from request: WebSocketExtensionHTTPParameters) throws -> (any WebSocketExtension)? {
        try base.serverExtension(from: request).map { MessageSizeExtension(base: $0) }
    }

    func clientExtension(from response: WebSocketExtensionHTTPParameters) throws -> (any WebSocketExtension)? {
        try base.clientExtension(from: response).map { MessageSizeExtension(base: $0) }
    }
}

/// One connection's deflate extension, with an inflate overflow reported as a frame too long (close 1009).
struct MessageSizeExtension: WebSocketExtension {
    let base: any WebSocketExtension

    var name: String { base.name }
    var reservedBits: WebSocketFrame.ReservedBits { base.reservedBits }

    func processReceivedFrame(_ frame: WebSocketFrame, context: WebSocketExtensionContext) async throws
        -> WebSocketFrame
    {
        do {
            return try await base.processReceivedFrame(frame, context: context)
        } catch let error as CompressNIOError where error == .bufferOverflow {
            throw NIOWebSocketError.invalidFrameLength
        }
    }

    func processFrameToSend(_ frame: WebSocketFrame, context: WebSocketExtensionContext) async throws
        -> WebSocketFrame
    {
        try await base.processFrameToSend(frame, context: context)
    }

    func shutdown() async { await base.shutdown() }
}
