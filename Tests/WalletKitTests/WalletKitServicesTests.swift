import Foundation
import Testing
import WalletConnectCore
import WalletConnectRelayServer
import WalletConnectSign
import WalletKit
import WalletKitTesting

/// The HTTP services WalletKit wires in (Echo push, telemetry), against a loopback HTTP server, with the
/// AsyncHTTPClient that `run()` owns.
@Suite("WalletKit: Echo and telemetry wiring", .timeLimit(.minutes(1)))
struct WalletKitServicesTests {
    static let projectID = "walletkit-test-project"

    static func configuration(
        relayURL: String, httpURL: String, databasePath: String, telemetry: Bool
    ) -> WalletKitConfiguration {
        var sign = WKFixture.signConfiguration(
            metadata: WKFixture.walletMetadata, relayURL: relayURL, databasePath: databasePath)
        sign.projectID = projectID
        return WalletKitConfiguration(
            sign: sign, echo: .init(baseURL: httpURL), telemetry: .init(isEnabled: telemetry, pulseURL: httpURL))
    }

    @Test("registerDeviceToken posts this instance's client id to the Echo server; telemetry off sends nothing")
    func echoRegistrationAndTelemetryOff() async throws {
        try await withRelay { relay, directory in
            let relayURL = await relay.url
            let server = HTTPLoopbackServer()
            let requests = try await server.run(handler: { _ in .json(#"{"status":"OK"}"#) }) { httpURL in
                let configuration = Self.configuration(
                    relayURL: relayURL, httpURL: httpURL, databasePath: directory.path("wallet.sqlite"), telemetry: false)
                let clientID = try await WalletKit.withWalletKit(configuration) { kit in
                    try await kit.registerDeviceToken(token: "device-token", type: .fcm, enableEncrypted: true)
                    return try await kit.clientID()
                }
                return (server.requests, clientID)
            }
            // Only the Echo registration: no telemetry INIT or batch while telemetry is off.
            #expect(requests.0.count == 1)
            let request = try #require(requests.0.first)
            #expect(request.method == "POST")
            #expect(request.path == "/\(Self.projectID)/clients")
            let body = try #require(request.bodyJSON as? [String: Any])
            #expect(body["client_id"] as? String == requests.1)
            #expect(requests.1.hasPrefix("did:key:z6Mk"))
            #expect(body["token"] as? String == "device-token")
            #expect(body["type"] as? String == "fcm")
            #expect(body["always_raw"] as? Bool == true)
        }
    }

    @Test("telemetry on: the INIT event carries this instance's client id")
    func telemetryOn() async throws {
        try await withRelay { relay, directory in
            let relayURL = await relay.url
            let server = HTTPLoopbackServer()
            let (requests, clientID) = try await server.run(handler: { _ in .json("{}") }) { httpURL in
                let configuration = Self.configuration(
                    relayURL: relayURL, httpURL: httpURL, databasePath: directory.path("wallet.sqlite"), telemetry: true)
                let clientID = try await WalletKit.withWalletKit(configuration) { kit in
                    try await server.waitForRequests(1) { $0.path == "/batch" }
                    return try await kit.clientID()
                }
                return (server.requests, clientID)
            }
            let batch = try #require(requests.first { $0.path == "/batch" })
            #expect(batch.query?.contains("projectId=\(Self.projectID)") == true)
            let events = try #require(batch.bodyJSON as? [[String: Any]])
            let props = try #require(events.first?["props"] as? [String: Any])
            #expect(props["event"] as? String == "INIT")
            let properties = try #require(props["properties"] as? [String: Any])
            #expect(properties["client_id"] as? String == clientID)
        }
    }

    @Test("Verify is wired into the engine: a proposal and a request carry the context the Verify server attests")
    func verifyContextsComeFromTheVerifyServer() async throws {
        try await withRelay { relay, directory in
            let relayURL = await relay.url
            let server = HTTPLoopbackServer()
            try await server.run(handler: { request in
                request.path.hasPrefix("/attestation/")
                    ? .json(#"{"origin":"https://dapp.example","isScam":false}"#) : .notFound
            }) { httpURL in
                var sign = WKFixture.signConfiguration(
                    metadata: WKFixture.walletMetadata, relayURL: relayURL, databasePath: directory.path("wallet.sqlite"))
                sign.projectID = Self.projectID
                let configuration = WalletKitConfiguration(
                    sign: sign, verify: VerifyClient.Configuration(serverURL: httpURL, timeout: .seconds(10)))
                let dappConfiguration = WKFixture.signConfiguration(
                    metadata: WKFixture.dappMetadata, relayURL: relayURL, databasePath: directory.path("dapp.sqlite"))
                try await SignClient.withSignClient(dappConfiguration) { dapp in
                    try await WalletKit.withWalletKit(configuration) { kit in
                        #expect(kit.verifyClient != nil)
                        let proposals = kit.sessionProposals
                        let connection = try await dapp.connect(optionalNamespaces: WKFixture.optionalNamespaces)
                        try await kit.pair(uri: try #require(connection.uri))
                        let proposal = try await WKFixture.first(proposals)
                        let context = try #require(proposal.verifyContext)
                        #expect(context.verified.validation == .valid)
                        #expect(context.verified.origin == "https://dapp.example")
                        let namespaces = try WalletKit.buildApprovedNamespaces(
                            proposal: proposal.proposal, supportedNamespaces: WKFixture.supportedNamespaces)
                        let session = try await kit.approveSession(proposalID: proposal.id, namespaces: namespaces)
                        _ = try await BoundedWait.run { try await connection.approval() }

                        let requests = kit.sessionRequests
                        let call = Task {
                            try await dapp.request(topic: session.topic, chainID: "eip155:1", method: "personal_sign", params: ["0x1"])
                        }
                        let request = try await WKFixture.first(requests)
                        #expect(request.verifyContext?.verified.validation == .valid)
                        try await kit.respondSessionRequest(topic: session.topic, requestID: request.id, response: .result("0x2"))
                        _ = try await BoundedWait.run { try await call.boundedValue() }
                    }
                }
                #expect(server.requests.filter { $0.path.hasPrefix("/attestation/") }.count >= 2)
            }
        }
    }
}
