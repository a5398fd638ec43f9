/// The HTTP verbs the WalletKit services use.
public enum HTTPRequestMethod: String, Sendable, Hashable {
    /// `GET`
    case get = "GET"
    /// `POST`
    case post = "POST"
    /// `DELETE`
    case delete = "DELETE"
}

/// A received HTTP response: status code and the full body.
public struct HTTPTransportResponse: Sendable, Hashable {
    /// The HTTP status code, e.g. 200.
    public var status: Int
    /// The response body bytes.
    public var body: [UInt8]

    /// Creates a response.
    public init(status: Int, body: [UInt8]) {
        self.status = status
        self.body = body
    }

    /// Whether the status is 2xx.
    public var isSuccess: Bool { (200..<300).contains(status) }
}

/// The small HTTP client the Verify, Echo and telemetry services talk through.
///
/// ``AsyncHTTPClientTransport`` is the production implementation; tests may inject their own.
/// Implementations must honour `timeout` (the whole exchange, including reading the body) and task cancellation.
public protocol HTTPTransport: Sendable {
    /// Sends one request and returns the status and the complete body.
    /// - Parameters:
    ///   - method: The HTTP verb.
    ///   - url: The absolute URL.
    ///   - headers: Request headers.
    ///   - body: The request body, if any.
    ///   - timeout: Deadline for the whole exchange.
    /// - Throws: ``HTTPTransportError`` or the underlying client's error, `CancellationError` when cancelled.
    func send(
        method: HTTPRequestMethod, url: String, headers: [String: String], body: [UInt8]?, timeout: Duration
    ) async throws -> HTTPTransportResponse
}

/// Errors raised by ``HTTPTransport`` implementations of this package.
public struct HTTPTransportError: Error, Sendable, Hashable, CustomStringConvertible {
    enum Kind: Sendable, Hashable {
        case invalidURL
        case responseTooLarge
        case timedOut
    }

    let kind: Kind
    /// What went wrong (never contains request bodies).
    public let reason: String

    /// The URL could not be parsed.
    public static func invalidURL(_ url: String) -> HTTPTransportError { .init(kind: .invalidURL, reason: url) }
    /// The body exceeded the configured limit.
    public static func responseTooLarge(limit: Int) -> HTTPTransportError {
        .init(kind: .responseTooLarge, reason: "limit \(limit) bytes")
    }
    /// The exchange did not finish before its deadline.
    public static func timedOut(_ timeout: Duration) -> HTTPTransportError {
        .init(kind: .timedOut, reason: "\(timeout)")
    }

    /// Whether this is a timeout.
    public var isTimeout: Bool { kind == .timedOut }

    /// Describes the error.
    public var description: String {
        switch kind {
        case .invalidURL: return "invalid URL: \(reason)"
        case .responseTooLarge: return "HTTP response too large (\(reason))"
        case .timedOut: return "HTTP request timed out after \(reason)"
        }
    }
}
