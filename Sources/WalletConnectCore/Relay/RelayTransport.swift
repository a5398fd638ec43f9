/// How a relay connection ended, as far as the transport could tell.
package struct RelayCloseInfo: Sendable, Hashable, CustomStringConvertible {
    /// The WebSocket close code the relay sent, or `nil` when the socket dropped without a close frame.
    package var code: Int?
    /// The close reason text the relay sent, if any.
    package var reason: String?

    /// Creates close information.
    package init(code: Int?, reason: String?) {
        self.code = code
        self.reason = reason
    }

    /// The relay reported a fatal error (close code 3000): do not reconnect.
    package var isFatal: Bool { code == 3000 }

    /// The relay asked the client to move to another node (close code 4010): reconnect at once.
    package var isLoadBalancing: Bool { code == 4010 }

    /// A short human-readable description (no secrets).
    package var description: String {
        "close(\(code.map(String.init) ?? "none")\(reason.map { ", \($0)" } ?? ""))"
    }
}

/// An open connection to the relay, valid while the transport runs the relayer's session closure.
protocol RelayConnection: Sendable {
    /// Sends one text frame (a JSON-RPC message).
    func send(_ text: String) async throws
    /// Sends a WebSocket ping (liveness probe).
    func ping() async throws
    /// Starts a normal close handshake.
    func close() async throws
    /// Drops the connection at once, without a close handshake (dead socket).
    func abort()
    /// A counter that grows on every inbound read (data, pings, pongs); the watchdog compares readings.
    var trafficCount: UInt64 { get }
}

/// The WebSocket layer under ``Relayer``: the production one is ``WebSocketRelayTransport``; tests can
/// supply an in-memory one to drive the relayer's state machine.
protocol RelayTransport: Sendable {
    /// Connects to `url` and runs until the connection ends.
    ///
    /// Once the WebSocket is open, `session` runs concurrently with reading; every inbound text message is
    /// handed to `onText` with the connection it came on, in order (awaited, so a slow consumer slows reads).
    /// The connection ends when the peer
    /// closes it, a read fails, or `session` returns or throws (then the transport closes it).
    /// - Returns: the close code and reason the peer sent.
    /// - Throws: when the connection could not be opened (DNS, TCP, TLS, HTTP upgrade).
    func run(
        url: String,
        headers: [(name: String, value: String)],
        onText: @escaping @Sendable (String, any RelayConnection) async -> Void,
        session: @escaping @Sendable (any RelayConnection) async throws -> Void
    ) async throws -> RelayCloseInfo
}
