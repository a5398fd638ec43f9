import Foundation
import HTTPTypes
import Logging
import NIOCore
import NIOSSL
import NIOWebSocket
import Synchronization
import Testing
import WSClient
import WSCompression
import WalletConnectCore
import WalletKitTesting

/// What a test WebSocket client observed.
enum TestEvent: Sendable, CustomStringConvertible {
    case connected
    case text(String)
    case binary([UInt8])
    case closed(code: Int?, reason: String?)
    case failed(String)

    var description: String {
        switch self {
        case .connected: "connected"
        case .text(let text): "text(\(text.prefix(200)))"
        case .binary(let bytes): "binary(\(bytes.count) bytes)"
        case .closed(let code, let reason): "closed(\(code.map(String.init) ?? "nil"), \(reason ?? ""))"
        case .failed(let error): "failed(\(error))"
        }
    }

    /// The frame parsed as JSON-RPC, for text frames.
    var rpc: JSONRPCMessage? {
        guard case .text(let text) = self else { return nil }
        return try? JSONRPCMessage.decode(text)
    }
}

/// A buffer of events with one waiter at a time; waits are bounded by the caller.
final class TestInbox: Sendable {
    private struct Waiter {
        var id: Int
        var predicate: @Sendable (TestEvent) -> Bool
        var continuation: CheckedContinuation<TestEvent, any Error>
    }

    private struct State {
        var buffer: [TestEvent] = []
        var waiter: Waiter?
        var nextID = 0
    }

    private let state = Locked(State())

    func push(_ event: TestEvent) {
        let waiter: Waiter? = state.withLock { state in
            if let waiter = state.waiter, waiter.predicate(event) {
                state.waiter = nil
                return waiter
            }
            state.buffer.append(event)
            return nil
        }
        waiter?.continuation.resume(returning: event)
    }

    /// Buffered (not yet consumed) events.
    var buffered: [TestEvent] { state.withLock { $0.buffer } }

    /// Removes and returns the first event matching `predicate`, waiting for it if needed (cancellable).
    func next(where predicate: @escaping @Sendable (TestEvent) -> Bool) async throws -> TestEvent {
        let id = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<TestEvent, any Error>) in
                let immediate: Result<TestEvent, any Error>? = state.withLock { state in
                    if let index = state.buffer.firstIndex(where: predicate) {
                        return .success(state.buffer.remove(at: index))
                    }
                    if Task.isCancelled { return .failure(CancellationError()) }
                    state.waiter = Waiter(id: id, predicate: predicate, continuation: continuation)
                    return nil
                }
                if let immediate { continuation.resume(with: immediate) }
            }
        } onCancel: {
            let waiter: Waiter? = state.withLock { state in
                guard state.waiter?.id == id else { return nil }
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.continuation.resume(throwing: CancellationError())
        }
    }
}

/// A WebSocket client for relay tests (swift-websocket's WSClient), with JSON-RPC helpers.
final class RelayTestClient: Sendable {
    enum Outgoing: Sendable {
        case text(String)
        case binary([UInt8])
        case close
    }

    struct ConnectFailed: Error, CustomStringConvertible { var description: String }

    let inbox: TestInbox
    private let outgoing: AsyncStream<Outgoing>.Continuation
    private let task: Task<Void, Never>
    private let nextID = Locked<Int64>(1_700_000_000_000_000_000)

    private init(inbox: TestInbox, outgoing: AsyncStream<Outgoing>.Continuation, task: Task<Void, Never>) {
        self.inbox = inbox
        self.outgoing = outgoing
        self.task = task
    }

    /// Connects and waits for the upgrade; throws when the upgrade fails.
    static func connect(
        _ url: String, headers: HTTPFields = [:], extensions: [WebSocketExtensionFactory] = [],
        tls: TLSConfiguration? = nil, maxFrameSize: Int = 1 << 20
    ) async throws -> RelayTestClient {
        let inbox = TestInbox()
        let (frames, outgoing) = AsyncStream<Outgoing>.makeStream()
        let configuration = WebSocketClientConfiguration(
            maxFrameSize: maxFrameSize, additionalHeaders: headers, extensions: extensions)
        var logger = Logger(label: "relay-test-client", factory: { _ in SwiftLogNoOpLogHandler() })
        if ProcessInfo.processInfo.environment["WALLETKIT_TEST_TRACE"] != nil {
            logger = Logger(label: "relay-test-client", factory: { StreamLogHandler.standardError(label: $0) })
            logger.logLevel = .trace
        }
        let task = Task {
            do {
                let close = try await WebSocketClient.connect(
                    url: url, configuration: configuration, tlsConfiguration: tls, logger: logger
                ) { inbound, outbound, _ in
                    inbox.push(.connected)
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask {
                            for await frame in frames {
                                switch frame {
                                case .text(let text): try await outbound.write(.text(text))
                                case .binary(let bytes): try await outbound.write(.binary(ByteBuffer(bytes: bytes)))
                                case .close:
                                    try await outbound.close(.normalClosure, reason: nil)
                                    return
                                }
                            }
                        }
                        for try await message in inbound.messages(maxSize: 1 << 22) {
                            switch message {
                            case .text(let text): inbox.push(.text(text))
                            case .binary(let buffer): inbox.push(.binary(Array(buffer.readableBytesView)))
                            }
                        }
                        group.cancelAll()
                    }
                }
                inbox.push(
                    .closed(
                        code: close.map { Int(UInt16(webSocketErrorCode: $0.closeCode)) }, reason: close?.reason))
            } catch {
                inbox.push(.failed(String(describing: error)))
            }
        }
        let client = RelayTestClient(inbox: inbox, outgoing: outgoing, task: task)
        let first = try await client.next { event in
            if case .connected = event { return true }
            if case .failed = event { return true }
            if case .closed = event { return true }
            return false
        }
        guard case .connected = first else { throw ConnectFailed(description: "\(first)") }
        return client
    }

    /// The next event matching `predicate`, within `limit`.
    func next(
        within limit: Duration = .seconds(15), where predicate: @escaping @Sendable (TestEvent) -> Bool
    ) async throws -> TestEvent {
        let inbox = self.inbox
        return try await BoundedWait.run(within: limit) { try await inbox.next(where: predicate) }
    }

    /// Events received but not yet consumed.
    var buffered: [TestEvent] { inbox.buffered }

    func send(_ text: String) { outgoing.yield(.text(text)) }
    func sendBinary(_ bytes: [UInt8]) { outgoing.yield(.binary(bytes)) }

    /// Sends a close frame and waits for the connection to end.
    func close() async {
        outgoing.yield(.close)
        outgoing.finish()
        await task.value
    }

    func makeID() -> RPCID {
        RPCID(nextID.withLock { value in
            value += 1
            return value
        })
    }

    /// Sends a request and returns its response.
    @discardableResult
    func call<P: Codable & Sendable>(_ method: String, _ params: P) async throws -> JSONRPCResponse {
        let id = makeID()
        send(try WireJSON.string(IRN.Request(id: id, method: method, params: params)))
        return try await response(to: id)
    }

    /// Waits for the response with `id`.
    func response(to id: RPCID?) async throws -> JSONRPCResponse {
        let event = try await next { event in
            guard case .text(let text) = event else { return false }
            guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) else { return false }
            guard value["method"] == nil else { return false }
            if let id { return value["id"]?.int64Value == id.rawValue }
            return value["id"] == .null
        }
        guard case .text(let text) = event else { throw ConnectFailed(description: "not text") }
        if id == nil {
            // Null-id error: decode the error object by hand.
            let value = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
            let error = try (value["error"] ?? .null).decode(as: JSONRPCError.self)
            return JSONRPCResponse(id: RPCID(0), error: error)
        }
        return try JSONDecoder().decode(JSONRPCResponse.self, from: Data(text.utf8))
    }

    /// Waits for the next `irn_subscription`.
    func nextSubscription(within limit: Duration = .seconds(15)) async throws -> IRN.Request<IRN.SubscriptionParams> {
        let event = try await next(within: limit) { event in
            if case .request(let request)? = event.rpc { return IRN.Method.isSubscription(request.method) }
            return false
        }
        guard case .text(let text) = event else { throw ConnectFailed(description: "not text") }
        return try JSONDecoder().decode(IRN.Request<IRN.SubscriptionParams>.self, from: Data(text.utf8))
    }

    /// Acknowledges a delivery.
    func ack(_ id: RPCID) throws {
        send(try WireJSON.string(IRN.ResultResponse(id: id, result: true)))
    }

    /// Waits for the connection to close; returns the close code.
    func closed(within limit: Duration = .seconds(15)) async throws -> Int? {
        let event = try await next(within: limit) { event in
            if case .closed = event { return true }
            if case .failed = event { return true }
            return false
        }
        if case .closed(let code, _) = event { return code }
        return nil
    }

    // MARK: Shorthands

    func subscribe(_ topic: String) async throws -> String {
        let response = try await call(IRN.Method.subscribe, IRN.SubscribeParams(topic: topic))
        return try #require(response.result?.stringValue, "subscribe failed: \(String(describing: response.error))")
    }

    func unsubscribe(_ topic: String) async throws {
        let response = try await call(IRN.Method.unsubscribe, IRN.UnsubscribeParams(topic: topic))
        #expect(response.result == .bool(true))
    }

    @discardableResult
    func publish(_ topic: String, _ message: String, ttl: UInt32 = 300, tag: Int = 1108) async throws
        -> JSONRPCResponse
    {
        try await call(IRN.Method.publish, IRN.PublishParams(topic: topic, message: message, ttl: ttl, tag: tag, prompt: false))
    }

    func fetch(_ topic: String) async throws -> IRN.FetchMessagesResult {
        let response = try await call(IRN.Method.fetchMessages, IRN.FetchMessagesParams(topic: topic))
        return try #require(response.result).decode(as: IRN.FetchMessagesResult.self)
    }
}

/// Test helpers.
enum RelayTest {
    /// A random 64-hex topic.
    static func topic() -> String {
        (0..<4).map { _ in String(format: "%016llx", UInt64.random(in: .min ... .max)) }.joined()
    }

    /// An unsigned JWT-shaped token whose payload carries `iss` (accepted without strict auth).
    static func fakeJWT(iss: String) -> String {
        let header = Base64Codec.encodeURL(Array(#"{"alg":"EdDSA","typ":"JWT"}"#.utf8))
        let payload = Base64Codec.encodeURL(Array(#"{"iss":"\#(iss)"}"#.utf8))
        return "\(header).\(payload).c2ln"
    }

    /// A wall clock tests move by hand.
    final class ManualWallClock: Sendable {
        private let milliseconds: Locked<Int64>
        init(_ start: Int64 = 1_750_000_000_000) { milliseconds = Locked(start) }
        var wallClock: WallClock { WallClock { self.milliseconds.withLock { $0 } } }
        func advance(seconds: Int64) { milliseconds.withLock { $0 += seconds * 1000 } }
    }
}
