import Foundation
import Logging
import Synchronization
import WalletConnectCore
import WSClient

/// A bare WebSocket client (swift-websocket's `WebSocketClient`, no relayer logic): the floor of the relay cases.
///
/// Every inbound text frame goes to ``frames`` (or, with an `onText` hook, is handled on the reading task).
final class RawSocket: Sendable {
    let frames: AsyncStream<String>
    private let writer: WebSocketOutboundWriter
    private let task: Task<Void, Never>

    private init(frames: AsyncStream<String>, writer: WebSocketOutboundWriter, task: Task<Void, Never>) {
        self.frames = frames
        self.writer = writer
        self.task = task
    }

    struct ConnectError: Error, CustomStringConvertible {
        var description: String
    }

    /// Connects to `url`. `onText` runs on the reading task for every frame before it is queued on ``frames``;
    /// return `false` to not queue it.
    static func connect(
        url: String, onText: (@Sendable (String, RawReply) async -> Bool)? = nil
    ) async throws -> RawSocket {
        let (frames, sink) = AsyncStream<String>.makeStream()
        let (ready, readySink) = AsyncStream<Result<WebSocketOutboundWriter, ConnectError>>.makeStream()
        let logger = Logger(label: "benchmarks.raw", factory: { _ in SwiftLogNoOpLogHandler() })
        let task = Task {
            do {
                try await WebSocketClient.connect(
                    url: url, configuration: .init(maxFrameSize: 1 << 22), logger: logger
                ) { inbound, outbound, _ in
                    readySink.yield(.success(outbound))
                    for try await message in inbound.messages(maxSize: 1 << 22) {
                        guard case .text(let text) = message else { continue }
                        if traceFrames { print("<- \(text.prefix(160))") }
                        if let onText, await !onText(text, RawReply(writer: outbound)) { continue }
                        sink.yield(text)
                    }
                }
            } catch {
                readySink.yield(.failure(ConnectError(description: "\(error)")))
            }
            readySink.yield(.failure(ConnectError(description: "closed")))
            sink.finish()
        }
        for await result in ready {
            switch result {
            case .success(let writer): return RawSocket(frames: frames, writer: writer, task: task)
            case .failure(let error): throw error
            }
        }
        throw ConnectError(description: "no connection")
    }

    /// Sends one text frame.
    func send(_ text: String) async throws {
        if traceFrames { print("-> \(text.prefix(160))") }
        try await writer.write(.text(text))
    }

    /// Drops the connection (cancels the client task) and waits for it to end.
    func close() async {
        task.cancel()
        await task.value
    }
}

/// `BENCH_TRACE_FRAMES=1` prints every raw frame (debugging the harness).
let traceFrames = ProcessInfo.processInfo.environment["BENCH_TRACE_FRAMES"] == "1"

/// Lets an `onText` hook answer on the same socket.
struct RawReply: Sendable {
    let writer: WebSocketOutboundWriter

    /// Sends one text frame (errors are ignored: the run then fails on its own timeout).
    func send(_ text: String) async {
        try? await writer.write(.text(text))
    }
}

/// Small helpers for reading relay frames without a JSON decoder (the relay writes `{"id":N,...` first).
enum RawFrame {
    /// The numeric `"id"` of a frame whose first member is the id.
    static func leadingID(_ text: String) -> Int64? {
        var utf8 = text.utf8[...]
        let prefix = #"{"id":"#.utf8
        guard utf8.starts(with: prefix) else { return nil }
        utf8 = utf8.dropFirst(prefix.count)
        var value: Int64 = 0
        var digits = 0
        for byte in utf8 {
            guard byte >= 0x30, byte <= 0x39 else { break }
            value = value &* 10 &+ Int64(byte - 0x30)
            digits += 1
        }
        return digits > 0 ? value : nil
    }

    /// Whether the frame is an `irn_subscription` request.
    static func isSubscription(_ text: String) -> Bool {
        text.utf8.count > 40 && text.contains(#""method":"irn_subscription""#)
    }

    /// The acknowledgement of delivery `id`.
    static func ack(_ id: Int64) -> String {
        #"{"id":\#(id),"jsonrpc":"2.0","result":true}"#
    }

    /// `irn_subscribe` of `topic` with request id `id`.
    static func subscribe(_ topic: String, id: Int64) -> String {
        #"{"id":\#(id),"jsonrpc":"2.0","method":"irn_subscribe","params":{"topic":"\#(topic)"}}"#
    }

    /// `irn_batchSubscribe` of `topics` with request id `id`.
    static func batchSubscribe(_ topics: [String], id: Int64) -> String {
        let list = topics.map { "\"\($0)\"" }.joined(separator: ",")
        return #"{"id":\#(id),"jsonrpc":"2.0","method":"irn_batchSubscribe","params":{"topics":[\#(list)]}}"#
    }

    /// `irn_publish` of `message` on `topic` with request id `id`.
    static func publish(_ topic: String, message: String, id: Int64, ttl: Int = 300) -> String {
        #"{"id":\#(id),"jsonrpc":"2.0","method":"irn_publish","params":{"topic":"\#(topic)","message":"\#(message)","ttl":\#(ttl),"tag":0}}"#
    }
}

/// A counter that a task can await reaching a value (Locked + continuations; no polling).
final class AwaitableCounter: Sendable {
    private struct State {
        var value = 0
        var waiters: [(Int, CheckedContinuation<Void, Never>)] = []
    }

    private let state = Locked(State())

    /// The current value.
    var value: Int { state.withLock { $0.value } }

    /// Adds one and wakes the waiters whose target is reached.
    func increment() {
        let ready: [CheckedContinuation<Void, Never>] = state.withLock { state in
            state.value += 1
            let value = state.value
            let (done, rest) = (state.waiters.filter { $0.0 <= value }, state.waiters.filter { $0.0 > value })
            state.waiters = rest
            return done.map(\.1)
        }
        for continuation in ready { continuation.resume() }
    }

    struct Timeout: Error, CustomStringConvertible {
        var description: String
    }

    /// Returns once the value is at least `target`; throws when `limit` passes first.
    func wait(for target: Int, within limit: Duration, _ what: String) async throws {
        let timer = Task {
            do {
                try await Task.sleep(for: limit)
            } catch {
                return  // cancelled: the wait ended in time
            }
            self.releaseAll()
        }
        await wait(for: target)
        timer.cancel()
        let reached = value
        if reached < target { throw Timeout(description: "\(what): \(reached) of \(target) within \(limit)") }
    }

    /// Wakes every waiter (they re-check the value).
    private func releaseAll() {
        let all = state.withLock { state in
            let waiters = state.waiters.map(\.1)
            state.waiters = []
            return waiters
        }
        for continuation in all { continuation.resume() }
    }

    /// Returns once the value is at least `target`.
    private func wait(for target: Int) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLock { state in
                if state.value >= target { return true }
                state.waiters.append((target, continuation))
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }
}
