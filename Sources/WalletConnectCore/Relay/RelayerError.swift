/// Errors thrown by `Relayer`. A struct over a private kind, so new cases break no one.
///
/// Match with the `is…` properties or the pattern statics: `catch RelayerError.timeout { … }` matches any
/// timeout whatever its method; `catch let error as RelayerError where error.isFatal`.
public struct RelayerError: Error, Sendable, Hashable, CustomStringConvertible {
    enum Kind: Sendable, Hashable {
        case invalidURL
        case upgradeRefused
        case timeout
        case relay
        case fatal
        case shutdown
        case invalidResponse
    }

    let kind: Kind
    /// The relay method of the failed call, when the error belongs to one.
    public let method: String?
    /// The JSON-RPC error object the relay answered with (``isRelayError``).
    public let rpcError: JSONRPCError?
    /// The WebSocket close code (``isFatal``).
    public let closeCode: Int?
    /// The close reason text the relay sent (``isFatal``).
    public let reason: String?

    init(
        _ kind: Kind, method: String? = nil, rpcError: JSONRPCError? = nil, closeCode: Int? = nil,
        reason: String? = nil
    ) {
        self.kind = kind
        self.method = method
        self.rpcError = rpcError
        self.closeCode = closeCode
        self.reason = reason
    }

    /// The relay URL is not a `ws://` / `wss://` URL with a host.
    public static let invalidURL = RelayerError(.invalidURL)
    /// The server answered the WebSocket upgrade with something else than `101` (e.g. auth refused).
    public static let upgradeRefused = RelayerError(.upgradeRefused)
    /// Pattern for any timeout (see ``timeout(method:)``).
    public static let timeout = RelayerError(.timeout)
    /// The relayer was shut down; pending and later calls fail with this.
    public static let shutdown = RelayerError(.shutdown)

    /// A call got no answer before its deadline.
    public static func timeout(method: String) -> RelayerError { RelayerError(.timeout, method: method) }

    /// The relay answered a call with a JSON-RPC error.
    public static func relay(method: String, error: JSONRPCError) -> RelayerError {
        RelayerError(.relay, method: method, rpcError: error)
    }

    /// The relay closed the socket with a fatal code (3000): no reconnect follows.
    public static func fatal(code: Int, reason: String?) -> RelayerError {
        RelayerError(.fatal, closeCode: code, reason: reason)
    }

    /// The relay's answer did not have the expected shape.
    public static func invalidResponse(method: String) -> RelayerError {
        RelayerError(.invalidResponse, method: method)
    }

    /// Whether this is a fatal close (the relayer stopped for good).
    public var isFatal: Bool { kind == .fatal }
    /// Whether this is a timeout.
    public var isTimeout: Bool { kind == .timeout }
    /// Whether the relay answered with a JSON-RPC error (see ``rpcError``).
    public var isRelayError: Bool { kind == .relay }
    /// Whether the relayer was shut down.
    public var isShutdown: Bool { kind == .shutdown }

    /// Matches any error of the same kind as `pattern` (ignores method, codes and reason).
    public static func ~= (pattern: RelayerError, value: any Error) -> Bool {
        (value as? RelayerError)?.kind == pattern.kind
    }

    /// A short human-readable description (no secrets).
    public var description: String {
        switch kind {
        case .invalidURL: return "relay URL must be ws:// or wss:// with a host"
        case .upgradeRefused: return "relay refused the WebSocket upgrade"
        case .timeout: return "relay call timed out\(method.map { ": \($0)" } ?? "")"
        case .relay:
            return "relay error \(rpcError?.code ?? 0) for \(method ?? "call"): \(rpcError?.message ?? "")"
        case .fatal: return "relay closed the connection (\(closeCode ?? 0)): \(reason ?? "")"
        case .shutdown: return "relayer was shut down"
        case .invalidResponse: return "unexpected relay answer\(method.map { " to \($0)" } ?? "")"
        }
    }
}
