/// Errors of push registration with the Echo server. Descriptions never contain device tokens.
public struct EchoError: Error, Sendable, Hashable, CustomStringConvertible {
    enum Kind: Sendable, Hashable {
        case httpStatus(Int)
        case failed
        case invalidBaseURL
    }

    let kind: Kind
    /// Server-provided error texts of a `{"status":"FAILED"}` reply.
    public let serverErrors: [String]

    /// The server answered with a non-2xx status.
    public static func httpStatus(_ status: Int) -> EchoError { .init(kind: .httpStatus(status), serverErrors: []) }
    /// The server answered `{"status":"FAILED", errors, fields}`.
    public static func failed(_ errors: [String]) -> EchoError { .init(kind: .failed, serverErrors: errors) }
    /// The configured base URL is not an absolute http(s) URL.
    public static let invalidBaseURL = EchoError(kind: .invalidBaseURL, serverErrors: [])

    /// The HTTP status when the error is ``httpStatus(_:)``.
    public var status: Int? {
        if case .httpStatus(let status) = kind { return status }
        return nil
    }

    /// Whether the server replied `{"status":"FAILED"}`.
    public var isFailedStatus: Bool { kind == .failed }

    /// Describes the error.
    public var description: String {
        switch kind {
        case .httpStatus(let status): return "push server answered HTTP \(status)"
        case .failed:
            return serverErrors.isEmpty
                ? "push server answered FAILED" : "push server answered FAILED: \(serverErrors.joined(separator: "; "))"
        case .invalidBaseURL: return "invalid push server URL"
        }
    }
}
