import Foundation
import Testing
import WalletConnectCore
import WalletConnectRelayServer
import WalletConnectSign
import WalletKit
import WalletKitTesting

/// A wallet (``WalletKit``) and a dapp (``SignClient``) through the project's relay on 127.0.0.1, with SQLite
/// storage in a temporary folder: every wallet call goes through the WalletKit API and its event streams.
@Suite("WalletKit: wallet ↔ dapp through the loopback relay", .timeLimit(.minutes(1)))
struct WalletKitFlowTests {
    @Test("approve, request → result and error, event, update, disconnect")
    func fullSessionLifecycle() async throws {
        try await withRelay { relay, directory in
            let url = await relay.url
            let dappConfiguration = WKFixture.signConfiguration(
                metadata: WKFixture.dappMetadata, relayURL: url, databasePath: directory.path("dapp.sqlite"))
            let walletConfiguration = WKFixture.walletConfiguration(
                relayURL: url, databasePath: directory.path("wallet.sqlite"))
            try await SignClient.withSignClient(dappConfiguration) { dapp in
                try await WalletKit.withWalletKit(walletConfiguration) { kit in
                    // Approve: buildApprovedNamespaces narrows to what was asked; approve waits for the settle ack.
                    let (session, dappSession) = try await WKFixture.settle(dapp: dapp, kit: kit)
                    #expect(session.acknowledged)
                    #expect(session.topic == dappSession.topic)
                    #expect(Namespaces.chains(of: session.namespaces) == ["eip155:1", "eip155:10"])
                    #expect(session.namespaces["eip155"]?.methods == WKFixture.methods)
                    #expect(session.peer.metadata == WKFixture.dappMetadata)
                    #expect(dappSession.peer.metadata == WKFixture.walletMetadata)
                    #expect(await kit.activeSessions.keys.sorted() == [session.topic])
                    #expect(await kit.pendingSessionProposals.isEmpty)
                    let topic = session.topic

                    // Request → result.
                    let requests = kit.sessionRequests
                    let signing = Task {
                        try await dapp.request(
                            topic: topic, chainID: "eip155:1", method: "personal_sign",
                            params: ["0xdeadbeef", .string(WKFixture.account)])
                    }
                    let request = try await WKFixture.first(requests)
                    #expect(request.topic == topic)
                    #expect(request.params.chainID == "eip155:1")
                    #expect(request.params.request.method == "personal_sign")
                    #expect(request.params.request.params == ["0xdeadbeef", .string(WKFixture.account)])
                    #expect(await kit.pendingSessionRequests.map(\.id) == [request.id])
                    try await kit.respondSessionRequest(topic: topic, requestID: request.id, response: .result("0x5167"))
                    #expect(try await BoundedWait.run { try await signing.boundedValue() } == "0x5167")
                    #expect(await kit.pendingSessionRequests.isEmpty)

                    // Request → error: the dapp receives the code.
                    let sending = Task {
                        try await dapp.request(
                            topic: topic, chainID: "eip155:10", method: "eth_sendTransaction", params: [["to": "0x00"]])
                    }
                    let second = try await WKFixture.first(requests)
                    #expect(second.params.request.method == "eth_sendTransaction")
                    try await kit.respondSessionRequest(
                        topic: topic, requestID: second.id, response: .sdkError(.sdk(.userRejected)))
                    let failure = await BoundedWait.outcome { try await sending.boundedValue() }
                    let sdkError = try #require(failure as? SDKError)
                    #expect(sdkError.code == .userRejected)

                    // Event.
                    let dappEvents = dapp.events()
                    try await kit.emitSessionEvent(
                        topic: topic, event: .init(name: "accountsChanged", data: [.string(WKFixture.account)]),
                        chainID: "eip155:1")
                    let emitted = try await WKFixture.first(dappEvents) {
                        if case .sessionEvent = $0 { return true } else { return false }
                    }
                    guard case .sessionEvent(_, let eventTopic, let event, let chain, _) = emitted else {
                        Issue.record("not a session event")
                        return
                    }
                    #expect(eventTopic == topic && event.name == "accountsChanged" && chain == "eip155:1")

                    // Update: the dapp acknowledges and stores the new namespaces.
                    var reduced = session.namespaces
                    reduced["eip155"]?.methods = ["personal_sign"]
                    let acknowledgement = try await kit.updateSession(topic: topic, namespaces: reduced)
                    try await BoundedWait.run { try await acknowledgement.acknowledged() }
                    #expect(await dapp.activeSessions()[topic]?.namespaces == reduced)
                    #expect(await kit.activeSessions[topic]?.namespaces == reduced)

                    // Disconnect: the dapp is told; the wallet forgets the session.
                    let dappDeletes = dapp.events()
                    try await kit.disconnectSession(topic: topic)
                    _ = try await WKFixture.first(dappDeletes) {
                        if case .sessionDelete(_, let deleted) = $0 { return deleted == topic } else { return false }
                    }
                    #expect(await kit.activeSessions.isEmpty)
                    #expect(await dapp.activeSessions().isEmpty)
                }
            }
        }
    }

    @Test("reject reaches the dapp with 5000; a dapp disconnect arrives on sessionDeletes")
    func rejectAndPeerDelete() async throws {
        try await withRelay { relay, directory in
            let url = await relay.url
            let dappConfiguration = WKFixture.signConfiguration(
                metadata: WKFixture.dappMetadata, relayURL: url, databasePath: directory.path("dapp.sqlite"))
            let walletConfiguration = WKFixture.walletConfiguration(
                relayURL: url, databasePath: directory.path("wallet.sqlite"))
            try await SignClient.withSignClient(dappConfiguration) { dapp in
                try await WalletKit.withWalletKit(walletConfiguration) { kit in
                    let proposals = kit.sessionProposals
                    let connection = try await dapp.connect(optionalNamespaces: WKFixture.optionalNamespaces)
                    try await kit.pair(uri: try #require(connection.uri))
                    let proposal = try await WKFixture.first(proposals)
                    #expect(await kit.pendingSessionProposals.map(\.id) == [proposal.id])
                    try await kit.rejectSession(proposalID: proposal.id, reason: .sdk(.userRejected))
                    let rejection = await BoundedWait.outcome { try await connection.approval() }
                    #expect((rejection as? SDKError)?.code == .userRejected)
                    #expect(await kit.pendingSessionProposals.isEmpty)

                    let (session, _) = try await WKFixture.settle(dapp: dapp, kit: kit)
                    let deletes = kit.sessionDeletes
                    try await dapp.disconnect(topic: session.topic)
                    let deleted = try await WKFixture.first(deletes)
                    #expect(deleted.topic == session.topic)
                    #expect(deleted.id != 0)
                    #expect(await kit.activeSessions.isEmpty)
                }
            }
        }
    }

    @Test("errors are typed: SDKError with its code, WalletKitError for a missing push setting")
    func typedErrors() async throws {
        try await withRelay { relay, directory in
            let configuration = WKFixture.walletConfiguration(
                relayURL: await relay.url, databasePath: directory.path("wallet.sqlite"))
            try await WalletKit.withWalletKit(configuration) { kit in
                let unknownTopic = String(repeating: "ab", count: 32)
                let respond = await BoundedWait.outcome {
                    try await kit.respondSessionRequest(topic: unknownTopic, requestID: 1, response: .result(true))
                }
                #expect((respond as? SDKError)?.code == .noMatchingKey)
                let disconnect = await BoundedWait.outcome { try await kit.disconnectSession(topic: unknownTopic) }
                #expect((disconnect as? SDKError)?.code == .noMatchingKey)
                let reject = await BoundedWait.outcome { try await kit.rejectSession(proposalID: 42) }
                #expect(reject is SDKError)
                let badURI = await BoundedWait.outcome { try await kit.pair(uri: "wc:not-a-uri") }
                #expect(badURI != nil)
                let auth = await BoundedWait.outcome { _ = try await kit.approveSessionAuthenticate(requestID: 1, auths: []) }
                #expect(auth is SDKError)
                let push = await BoundedWait.outcome { try await kit.registerDeviceToken(token: "t", type: .noop) }
                #expect((push as? WalletKitError)?.isNotConfigured == true)
            }
        }
    }
}

extension BoundedWait {
    /// The error `operation` throws within `limit` (`nil` when it succeeds); a timeout is returned as the error.
    static func outcome(
        within limit: Duration = .seconds(20), _ operation: @escaping @Sendable () async throws -> some Sendable
    ) async -> (any Error)? {
        do {
            _ = try await run(within: limit, operation)
            return nil
        } catch {
            return error
        }
    }
}
