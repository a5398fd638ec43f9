import Foundation
import Testing
import WalletKit
import WalletKitTesting

@Suite("EchoClient over loopback HTTP", .timeLimit(.minutes(1)))
struct EchoClientTests {
    static let projectID = "a1b2c3project"
    static let clientID = "did:key:z6MkodHZwneVRShtaLf8JKYkxpDGp1vGZnpGmdBpX8M2exxH"

    static func withEcho<T: Sendable>(
        reply: LoopbackReply = .json(#"{"status":"OK"}"#),
        _ body: @Sendable (EchoClient, HTTPLoopbackServer) async throws -> T
    ) async throws -> T {
        let server = HTTPLoopbackServer()
        return try await AsyncHTTPClientTransport.withTransport { transport in
            try await server.run(handler: { _ in reply }) { url in
                try await body(EchoClient(projectID: projectID, transport: transport, baseURL: url), server)
            }
        }
    }

    @Test("registerDeviceToken posts the exact body to /<projectId>/clients", arguments: [
        (EchoClient.PushType.fcm, false), (.apns, false), (.apnsSandbox, true), (.noop, true),
    ])
    func register(type: EchoClient.PushType, encrypted: Bool) async throws {
        let requests = try await Self.withEcho { echo, server in
            try await echo.registerDeviceToken(
                clientID: Self.clientID, token: "device-token-\"quoted\"", type: type, enableEncrypted: encrypted
            )
            return server.requests
        }
        let request = try #require(requests.first)
        #expect(requests.count == 1)
        #expect(request.method == "POST")
        #expect(request.path == "/\(Self.projectID)/clients")
        #expect(request.query == nil)
        #expect(request.headers["content-type"] == "application/json")
        let body = try #require(request.bodyJSON as? [String: Any])
        #expect(Set(body.keys) == ["client_id", "type", "token", "always_raw"])
        #expect(body["client_id"] as? String == Self.clientID)
        #expect(body["type"] as? String == type.rawValue)
        #expect(body["token"] as? String == "device-token-\"quoted\"")
        #expect(body["always_raw"] as? Bool == encrypted)
    }

    @Test("the push types have the wire names of the spec")
    func pushTypeNames() {
        #expect(EchoClient.PushType.allCases.map(\.rawValue) == ["fcm", "apns", "apns-sandbox", "noop"])
        #expect(EchoClient.defaultBaseURL == "https://echo.walletconnect.com")
    }

    @Test("an empty 2xx reply is success")
    func emptyReplyIsSuccess() async throws {
        try await Self.withEcho(reply: .json("", status: 204)) { echo, _ in
            try await echo.registerDeviceToken(clientID: Self.clientID, token: "t", type: .fcm)
        }
    }

    @Test("a non-2xx status throws EchoError.httpStatus", arguments: [400, 401, 500])
    func httpFailure(status: Int) async throws {
        let error = try await Self.withEcho(reply: .json(#"{"status":"OK"}"#, status: status)) { echo, _ in
            await #expect(throws: EchoError.self) {
                try await echo.registerDeviceToken(clientID: Self.clientID, token: "t", type: .apns)
            }
        }
        #expect(error?.status == status)
        #expect(error?.description.contains("t\"") == false)
    }

    @Test("a {\"status\":\"FAILED\"} reply throws with the server's errors")
    func failedStatus() async throws {
        let reply = #"{"status":"FAILED","errors":[{"name":"token","message":"invalid device token"}],"fields":[]}"#
        let error = try await Self.withEcho(reply: .json(reply)) { echo, _ in
            await #expect(throws: EchoError.self) {
                try await echo.registerDeviceToken(clientID: Self.clientID, token: "secret-token", type: .fcm)
            }
        }
        #expect(error?.isFailedStatus == true)
        #expect(error?.serverErrors == ["invalid device token"])
        #expect(error?.description.contains("secret-token") == false)
    }

    @Test("unregister sends DELETE /<projectId>/clients/<clientId>")
    func unregister() async throws {
        let requests = try await Self.withEcho { echo, server in
            try await echo.unregister(clientID: Self.clientID)
            return server.requests
        }
        #expect(requests.count == 1)
        #expect(requests.first?.method == "DELETE")
        #expect(requests.first?.path == "/\(Self.projectID)/clients/\(Self.clientID)")
        #expect(requests.first?.body.isEmpty == true)
    }

    @Test("an unreachable push server throws (no hang)")
    func unreachable() async throws {
        let url = try await HTTPLoopbackServer.closedPortURL()
        try await AsyncHTTPClientTransport.withTransport { transport in
            let echo = EchoClient(projectID: Self.projectID, transport: transport, baseURL: url, timeout: .seconds(1))
            await #expect(throws: (any Error).self) {
                try await echo.registerDeviceToken(clientID: Self.clientID, token: "t", type: .fcm)
            }
        }
    }

    @Test("a base URL that is not http(s) is rejected before sending")
    func invalidBaseURL() async throws {
        try await AsyncHTTPClientTransport.withTransport { transport in
            let echo = EchoClient(projectID: Self.projectID, transport: transport, baseURL: "ftp://example")
            await #expect(throws: EchoError.invalidBaseURL) {
                try await echo.registerDeviceToken(clientID: Self.clientID, token: "t", type: .fcm)
            }
        }
    }
}
