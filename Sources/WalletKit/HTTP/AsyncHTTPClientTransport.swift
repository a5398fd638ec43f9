import AsyncHTTPClient
import Logging
import NIOCore
import NIOHTTP1

/// ``HTTPTransport`` over swift-server's AsyncHTTPClient.
///
/// The `HTTPClient` is injected and owned by the caller, who shuts it down; or use
/// ``withTransport(maxResponseBytes:logger:_:)`` for a scoped client that is shut down on every path.
public struct AsyncHTTPClientTransport: HTTPTransport {
    private let client: HTTPClient
    private let maxResponseBytes: Int
    private let logger: Logger

    /// Creates a transport over `client`.
    /// - Parameters:
    ///   - client: The HTTP client (owned by the caller).
    ///   - maxResponseBytes: Largest accepted response body (default 1 MiB).
    ///   - logger: Request logger (no-op by default).
    public init(
        client: HTTPClient, maxResponseBytes: Int = 1 << 20,
        logger: Logger = Logger(label: "walletkit.http", factory: { _ in SwiftLogNoOpLogHandler() })
    ) {
        self.client = client
        self.maxResponseBytes = maxResponseBytes
        self.logger = logger
    }

    /// Runs `body` with a transport over a new `HTTPClient`, shutting the client down afterwards (also on error).
    /// - Throws: The error of `body`, or of the client's shutdown.
    public static func withTransport<T: Sendable>(
        maxResponseBytes: Int = 1 << 20,
        logger: Logger = Logger(label: "walletkit.http", factory: { _ in SwiftLogNoOpLogHandler() }),
        _ body: (AsyncHTTPClientTransport) async throws -> T
    ) async throws -> T {
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let transport = AsyncHTTPClientTransport(client: client, maxResponseBytes: maxResponseBytes, logger: logger)
        let result: T
        do {
            result = try await body(transport)
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
        return result
    }

    /// Sends one request; the deadline covers connecting, sending and reading the whole body.
    /// - Throws: ``HTTPTransportError`` (timeout, size) or AsyncHTTPClient's error.
    public func send(
        method: HTTPRequestMethod, url: String, headers: [String: String], body: [UInt8]?, timeout: Duration
    ) async throws -> HTTPTransportResponse {
        var request = HTTPClientRequest(url: url)
        request.method = HTTPMethod(rawValue: method.rawValue)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let nanoseconds = timeout.components.seconds * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000
        let deadline = NIODeadline.now() + .nanoseconds(max(0, nanoseconds))
        logger.trace("http request", metadata: ["wk.http.method": "\(method.rawValue)", "wk.http.url": "\(url)"])
        do {
            let response = try await client.execute(request, deadline: deadline, logger: logger)
            let buffer: ByteBuffer
            do {
                buffer = try await response.body.collect(upTo: maxResponseBytes)
            } catch is NIOTooManyBytesError {
                throw HTTPTransportError.responseTooLarge(limit: maxResponseBytes)
            }
            let status = Int(response.status.code)
            logger.trace("http response", metadata: ["wk.http.status": "\(status)"])
            return HTTPTransportResponse(status: status, body: Array(buffer.readableBytesView))
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
            throw HTTPTransportError.timedOut(timeout)
        }
    }
}
