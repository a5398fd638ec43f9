import Foundation
import Logging

/// Push registration with the Echo server (sign.md §12.1): `POST <base>/<projectId>/clients`.
public struct EchoClient: Sendable {
    /// The push provider of a device token (`type` in the request body).
    public enum PushType: String, Sendable, Hashable, CaseIterable, Codable {
        /// Firebase Cloud Messaging.
        case fcm
        /// Apple Push Notification service (production).
        case apns
        /// Apple Push Notification service (sandbox).
        case apnsSandbox = "apns-sandbox"
        /// No push delivery (testing).
        case noop
    }

    /// The default Echo server.
    public static let defaultBaseURL = "https://echo.walletconnect.com"

    /// The project id used in the path.
    public let projectID: String
    /// The Echo server (configurable for self-hosted push servers and tests).
    public let baseURL: String
    private let transport: any HTTPTransport
    private let timeout: Duration
    private let logger: Logger

    /// Creates an Echo client.
    /// - Parameters:
    ///   - projectID: The WalletConnect project id.
    ///   - transport: HTTP transport.
    ///   - baseURL: Echo server URL (default ``defaultBaseURL``).
    ///   - timeout: Deadline of each request.
    ///   - logger: Logger (no-op by default).
    public init(
        projectID: String, transport: any HTTPTransport, baseURL: String = EchoClient.defaultBaseURL,
        timeout: Duration = .seconds(10),
        logger: Logger = Logger(label: "walletkit.echo", factory: { _ in SwiftLogNoOpLogHandler() })
    ) {
        self.projectID = projectID
        self.transport = transport
        self.baseURL = baseURL
        self.timeout = timeout
        self.logger = logger
    }

    struct RegisterBody: Codable, Sendable, Hashable {
        var clientID: String
        var type: PushType
        var token: String
        var alwaysRaw: Bool

        enum CodingKeys: String, CodingKey {
            case clientID = "client_id"
            case type, token
            case alwaysRaw = "always_raw"
        }
    }

    struct StatusReply: Decodable {
        var status: String?
        var errors: [ErrorItem]?

        struct ErrorItem: Decodable {
            var name: String?
            var message: String?
        }
    }

    /// Registers a device token: body `{"client_id", "type", "token", "always_raw"}`.
    /// - Parameters:
    ///   - clientID: The client id the app registers (normally the relay identity `did:key:…`).
    ///   - token: The device token.
    ///   - type: The push provider.
    ///   - enableEncrypted: `always_raw`: pushes carry the encrypted envelope for the app to decrypt.
    /// - Throws: ``EchoError`` for a non-2xx status or a `FAILED` reply; the transport's error otherwise.
    public func registerDeviceToken(
        clientID: String, token: String, type: PushType, enableEncrypted: Bool = false
    ) async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        let body = try encoder.encode(RegisterBody(clientID: clientID, type: type, token: token, alwaysRaw: enableEncrypted))
        let url = try endpoint("/\(projectID)/clients")
        let response = try await transport.send(
            method: .post, url: url, headers: ["Content-Type": "application/json"], body: Array(body),
            timeout: timeout
        )
        try Self.check(response)
        logger.debug("push token registered", metadata: ["wk.push.type": "\(type.rawValue)"])
    }

    /// Removes this client's registration: `DELETE <base>/<projectId>/clients/<clientId>`.
    /// - Throws: ``EchoError`` for a non-2xx status or a `FAILED` reply; the transport's error otherwise.
    public func unregister(clientID: String) async throws {
        let encoded = clientID.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"]))
        let url = try endpoint("/\(projectID)/clients/\(encoded ?? clientID)")
        let response = try await transport.send(method: .delete, url: url, headers: [:], body: nil, timeout: timeout)
        try Self.check(response)
        logger.debug("push registration removed")
    }

    private func endpoint(_ path: String) throws -> String {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        guard base.hasPrefix("http://") || base.hasPrefix("https://") else { throw EchoError.invalidBaseURL }
        return base + path
    }

    static func check(_ response: HTTPTransportResponse) throws {
        guard response.isSuccess else { throw EchoError.httpStatus(response.status) }
        guard !response.body.isEmpty,
            let reply = try? JSONDecoder().decode(StatusReply.self, from: Data(response.body)),
            let status = reply.status
        else { return }
        if status.uppercased() == "FAILED" {
            throw EchoError.failed((reply.errors ?? []).map { $0.message ?? $0.name ?? "error" })
        }
    }
}
