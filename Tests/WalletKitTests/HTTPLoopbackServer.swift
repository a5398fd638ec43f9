import Foundation
import Hummingbird
import Logging
import NIOCore
import Synchronization
import WalletConnectCore
import WalletKitTesting

/// One request as the loopback server saw it.
struct RecordedRequest: Sendable, Hashable {
    var method: String
    var path: String
    var query: String?
    /// Header names lowercased.
    var headers: [String: String]
    var body: [UInt8]

    var bodyJSON: Any? { try? JSONSerialization.jsonObject(with: Data(body)) }
}

/// What a loopback handler answers.
struct LoopbackReply: Sendable {
    var status: Int
    var body: String

    static func json(_ text: String, status: Int = 200) -> LoopbackReply { .init(status: status, body: text) }
    static let notFound = LoopbackReply(status: 404, body: "")
}

/// A real HTTP/1.1 server (Hummingbird) on 127.0.0.1 with an ephemeral port, recording every request.
final class HTTPLoopbackServer: Sendable {
    private let log = Locked<[RecordedRequest]>([])
    private let arrivals: AsyncStream<RecordedRequest>
    private let arrivalsContinuation: AsyncStream<RecordedRequest>.Continuation

    init() {
        (arrivals, arrivalsContinuation) = AsyncStream.makeStream(bufferingPolicy: .unbounded)
    }

    /// Every request received so far.
    var requests: [RecordedRequest] { log.withLock { $0 } }

    /// Waits (bounded) until `count` requests matching `predicate` have arrived in total.
    func waitForRequests(
        _ count: Int, within limit: Duration = .seconds(10),
        where predicate: @escaping @Sendable (RecordedRequest) -> Bool = { _ in true }
    ) async throws {
        let already = requests.filter(predicate).count
        guard already < count else { return }
        _ = try await BoundedWait.collect(count - already, from: arrivals, within: limit, where: predicate)
    }

    /// Runs the server around `body`, which gets the base URL `http://127.0.0.1:<port>`.
    /// The server stops when `body` returns or throws.
    func run<T: Sendable>(
        handler: @escaping @Sendable (RecordedRequest) async -> LoopbackReply,
        _ body: @Sendable (String) async throws -> T
    ) async throws -> T {
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let responder = CallbackResponder<BasicRequestContext> { [self] request, _ in
            let buffer = try await request.body.collect(upTo: 1 << 20)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName.lowercased()] = field.value }
            let recorded = RecordedRequest(
                method: request.method.rawValue, path: request.uri.path, query: request.uri.query,
                headers: headers, body: Array(buffer.readableBytesView)
            )
            log.withLock { $0.append(recorded) }
            arrivalsContinuation.yield(recorded)
            let reply = await handler(recorded)
            var responseHeaders = HTTPFields()
            responseHeaders[.contentType] = "application/json"
            return Response(
                status: .init(code: reply.status), headers: responseHeaders,
                body: .init(byteBuffer: ByteBuffer(string: reply.body))
            )
        }
        let app = Application(
            responder: responder,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                portContinuation.yield(channel.localAddress?.port ?? 0)
                portContinuation.finish()
            },
            logger: Logger(label: "loopback", factory: { _ in SwiftLogNoOpLogHandler() })
        )
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.run() }
            defer { group.cancelAll() }
            let port = try await BoundedWait.run(within: .seconds(10)) {
                for await port in ports { return port }
                return 0
            }
            return try await body("http://127.0.0.1:\(port)")
        }
    }

    /// A base URL on 127.0.0.1 where nothing listens (a server was bound there and stopped).
    static func closedPortURL() async throws -> String {
        try await HTTPLoopbackServer().run(handler: { _ in .notFound }) { $0 }
    }
}

/// A one-shot gate a slow handler can wait on; ``open()`` releases every waiter (used at teardown).
final class Gate: Sendable {
    private let state = Locked<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func wait() async {
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLock { state -> Bool in
                if state.open { return true }
                state.waiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    func open() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.open = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}
