import Synchronization
@testable import WalletConnectCore

/// A scriptable in-memory ``RelayTransport``: each connection attempt yields a ``FakeConnection`` the test
/// drives as the relay (read what the client sent, push frames, drop or close the socket).
final class FakeTransport: RelayTransport {
    let connections: AsyncStream<FakeConnection>
    private let continuation: AsyncStream<FakeConnection>.Continuation

    init() {
        (connections, continuation) = AsyncStream.makeStream()
    }

    func run(
        url: String,
        headers: [(name: String, value: String)],
        onText: @escaping @Sendable (String, any RelayConnection) async -> Void,
        session: @escaping @Sendable (any RelayConnection) async throws -> Void
    ) async throws -> RelayCloseInfo {
        let connection = FakeConnection(url: url, onText: onText)
        continuation.yield(connection)
        return try await withThrowingTaskGroup(of: RelayCloseInfo?.self) { group in
            group.addTask {
                try await session(connection)
                return nil
            }
            group.addTask { await connection.waitUntilClosed() }
            defer { group.cancelAll() }
            let first = try await group.next() ?? nil
            return first ?? RelayCloseInfo(code: 1000, reason: nil)
        }
    }
}

/// One fake socket. Thread-safe; the relayer and the test both use it.
final class FakeConnection: RelayConnection {
    struct State {
        var sent: [String] = []
        var pings = 0
        var traffic: UInt64 = 0
        var closed: RelayCloseInfo?
        var aborted = false
        /// `close()` writes nothing and waits until the socket goes away (a peer that stopped reading).
        var closeHangs = false
    }

    let url: String
    let onText: @Sendable (String, any RelayConnection) async -> Void
    let state = Locked(State())
    let sentFrames: AsyncStream<String>
    private let sentContinuation: AsyncStream<String>.Continuation
    private let closedStream: AsyncStream<RelayCloseInfo>
    private let closedContinuation: AsyncStream<RelayCloseInfo>.Continuation
    /// Finished when the connection ends: releases a hanging ``close()``.
    private let ended = AsyncStream<Void>.makeStream()

    init(url: String, onText: @escaping @Sendable (String, any RelayConnection) async -> Void) {
        self.url = url
        self.onText = onText
        (sentFrames, sentContinuation) = AsyncStream.makeStream()
        (closedStream, closedContinuation) = AsyncStream.makeStream()
    }

    func send(_ text: String) async throws {
        let isClosed = state.withLock { state in
            if state.closed == nil { state.sent.append(text) }
            return state.closed != nil
        }
        if isClosed { throw CancellationError() }
        sentContinuation.yield(text)
    }

    func ping() async throws { state.withLock { $0.pings += 1 } }

    func close() async throws {
        if state.withLock({ $0.closeHangs }) {
            for await _ in ended.stream {}
            throw CancellationError()
        }
        drop(code: 1000, reason: nil)
    }

    /// Makes ``close()`` hang until the socket is dropped or aborted.
    func hangOnClose() { state.withLock { $0.closeHangs = true } }

    func abort() {
        state.withLock { $0.aborted = true }
        drop(code: nil, reason: nil)
    }

    var trafficCount: UInt64 { state.withLock { $0.traffic } }

    // MARK: Relay side

    /// Pushes a frame to the client as the relay would (counts as traffic).
    func deliver(_ text: String) async {
        state.withLock { $0.traffic += 1 }
        await onText(text, self)
    }

    /// Ends the connection with a close code (nil: the socket dropped).
    func drop(code: Int?, reason: String?) {
        let info = RelayCloseInfo(code: code, reason: reason)
        let first = state.withLock { state in
            guard state.closed == nil else { return false }
            state.closed = info
            return true
        }
        guard first else { return }
        closedContinuation.yield(info)
        closedContinuation.finish()
        sentContinuation.finish()
        ended.continuation.finish()
    }

    func waitUntilClosed() async -> RelayCloseInfo? {
        for await info in closedStream { return info }
        return nil
    }

    var pings: Int { state.withLock { $0.pings } }
    var isAborted: Bool { state.withLock { $0.aborted } }
}
