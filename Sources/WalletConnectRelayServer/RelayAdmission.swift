import HummingbirdCore
import Logging
import NIOCore
import WalletConnectCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Counts one server's open TCP connections against its limit.
final class RelayConnectionGate: Sendable {
    /// Most connections open at once.
    let limit: Int
    private let open = Locked(0)

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// Takes a place for a new connection; `false` when all are taken.
    func admit() -> Bool {
        open.withLock { count in
            guard count < limit else { return false }
            count += 1
            return true
        }
    }

    /// Gives back the place of a closed connection.
    func release() {
        open.withLock { $0 -= 1 }
    }

    /// `configured`, lowered so that the connections and the relay's other files fit the process's open-file limit
    /// (a quarter of it, at least 32 and at most 128, is kept for everything else: the event loops, the listening
    /// socket and the connections being refused). Past the limit `accept` fails with EMFILE and
    /// NIO retries it at once: one core spins at 100 % and no client is served or refused.
    static func effectiveLimit(configured: Int) -> Int {
        var limit = rlimit()
        #if canImport(Glibc)
        let status = getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        #else
        let status = getrlimit(RLIMIT_NOFILE, &limit)
        #endif
        // RLIM_INFINITY is all ones; any value past Int.max means no limit that matters here.
        guard status == 0, limit.rlim_cur < UInt64(Int32.max) else {
            return max(1, configured)
        }
        let files = Int(limit.rlim_cur)
        let reserve = max(32, min(128, files / 4))
        return max(1, min(configured, files - reserve))
    }
}

/// A server child channel that admits a connection only while the relay is under its connection limit, and
/// watches the request head (size and time) before the HTTP handlers see it.
///
/// A refused connection gets `503 Service Unavailable` (not on TLS) and is closed at once, so it holds its file
/// descriptor for no longer than the write.
struct RelayAdmissionChannel<Base: ServerChildChannel>: ServerChildChannel {
    enum Value: ServerChildChannelValue {
        case admitted(Base.Value)
        case refused(any Channel)

        var channel: any Channel {
            switch self {
            case .admitted(let value): value.channel
            case .refused(let channel): channel
            }
        }
    }

    let base: Base
    let gate: RelayConnectionGate
    let plainText: Bool
    let state: RelayServerState

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        guard gate.admit() else {
            let state = self.state
            Task { await state.noteRefusedConnection() }
            if plainText {
                let response = RelayRequestHeadGuard.response("503 Service Unavailable")
                channel.writeAndFlush(channel.allocator.buffer(string: response)).whenComplete { _ in
                    channel.close(promise: nil)
                }
            } else {
                channel.close(promise: nil)
            }
            return channel.eventLoop.makeSucceededFuture(.refused(channel))
        }
        let gate = self.gate
        channel.closeFuture.whenComplete { _ in gate.release() }
        return base.setup(channel: channel, logger: logger).map { .admitted($0) }
    }

    func handle(value: Value, logger: Logger) async {
        guard case .admitted(let admitted) = value else { return }
        await base.handle(value: admitted, logger: logger)
    }
}

/// A server child channel that puts a ``RelayRequestHeadGuard`` in front of its base's handlers (inside TLS, so
/// the guard reads the decrypted request).
struct RelayHeadGuardChannel<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value

    let base: Base
    let timeout: Duration
    let maxBytes: Int
    let state: RelayServerState

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let state = self.state
        let guardHandler = RelayRequestHeadGuard(
            timeout: TimeAmount(timeout), maxBytes: maxBytes,
            onRefusal: { Task { await state.noteTimedOutConnection() } })
        do {
            try channel.pipeline.syncOperations.addHandler(guardHandler)
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        return base.setup(channel: channel, logger: logger)
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

/// Watches the bytes of a connection until the end of its request head (`\r\n\r\n`): a head bigger than
/// `maxBytes` gets `431 Request Header Fields Too Large`, a head not complete within `timeout` (from the moment
/// the connection was set up) gets `408 Request Timeout`; either way the connection is closed. After the head it
/// passes everything through untouched.
final class RelayRequestHeadGuard: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let timeout: TimeAmount
    private let maxBytes: Int
    private let onRefusal: @Sendable () -> Void
    private var seen = 0
    /// How many bytes of `\r\n\r\n` the bytes seen so far end with.
    private var matched = 0
    private var complete = false
    private var refused = false
    private var timer: Scheduled<Void>?

    init(timeout: TimeAmount, maxBytes: Int, onRefusal: @escaping @Sendable () -> Void) {
        self.timeout = timeout
        self.maxBytes = maxBytes
        self.onRefusal = onRefusal
    }

    /// A complete close-delimited HTTP/1.1 response with `status` and no body.
    static func response(_ status: String) -> String {
        "HTTP/1.1 \(status)\r\nconnection: close\r\ncontent-length: 0\r\n\r\n"
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: timeout) {
            let (handler, context) = loopBound.value
            handler.refuse(context: context, status: "408 Request Timeout")
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if complete {
            context.fireChannelRead(data)
            return
        }
        if refused { return }
        let buffer = unwrapInboundIn(data)
        let pattern: [UInt8] = [13, 10, 13, 10]
        var end: Int?
        for (offset, byte) in buffer.readableBytesView.enumerated() {
            if byte == pattern[matched] {
                matched += 1
            } else {
                matched = byte == 13 ? 1 : 0
            }
            if matched == 4 {
                end = offset + 1
                break
            }
        }
        if seen + (end ?? buffer.readableBytes) > maxBytes {
            refuse(context: context, status: "431 Request Header Fields Too Large")
            return
        }
        seen += buffer.readableBytes
        if end != nil {
            complete = true
            timer?.cancel()
            timer = nil
        }
        context.fireChannelRead(data)
    }

    private func refuse(context: ChannelHandlerContext, status: String) {
        guard !complete, !refused else { return }
        refused = true
        timer?.cancel()
        timer = nil
        onRefusal()
        let response = context.channel.allocator.buffer(string: Self.response(status))
        // Written at the head of the pipeline: the HTTP handlers behind have seen no complete request.
        let channel = context.channel
        context.writeAndFlush(NIOAny(response)).whenComplete { _ in
            channel.close(promise: nil)
        }
    }
}
