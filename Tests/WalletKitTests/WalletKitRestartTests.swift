import Foundation
import PostgresTestSupport
import Testing
import WalletConnectCore
import WalletConnectRelayServer
import WalletConnectSign
import WalletKit
import WalletKitTesting

/// A wallet shut down with a session request in flight loses nothing: the request is either answered before
/// the wallet exits, or still pending after a restart on the same storage (SQLite, and PostgreSQL when the run has
/// a server) and answered then — once.
@Suite("WalletKit: shutdown and restart on the same storage", .timeLimit(.minutes(1)))
struct WalletKitRestartTests {
    /// Starts `configuration`, subscribed to session requests before `run()` (restored requests are announced
    /// while the engine starts), and hands both to `body`; shuts down afterwards.
    static func withRestarted(
        _ configuration: WalletKitConfiguration,
        _ body: (WalletKit, WalletKitEventStream<PendingRequest>) async throws -> Void
    ) async throws {
        let kit = try WalletKit(configuration: configuration)
        let requests = kit.sessionRequests
        let running = Task { try await kit.run() }
        do {
            try await kit.untilRunning()
            try await body(kit, requests)
        } catch {
            await kit.shutdown()
            _ = await running.result
            throw error
        }
        await kit.shutdown()
        try await running.boundedValue()
    }

    @Test("announced but unanswered at shutdown: re-announced after restart, answered once, gone after",
        arguments: StorageBackend.available)
    func unansweredRequestSurvivesRestart(_ backend: StorageBackend) async throws {
        try await withStorageLocation(backend, label: "restart") { location in
            try await Self.unansweredRequestSurvivesRestart(walletStorage: try location.signStorage())
        }
    }

    static func unansweredRequestSurvivesRestart(walletStorage: SignClientConfiguration.Storage) async throws {
        try await withRelay { relay, directory in
            let url = await relay.url
            let walletConfiguration = WKFixture.walletConfiguration(relayURL: url, storage: walletStorage)
            let dappConfiguration = WKFixture.signConfiguration(
                metadata: WKFixture.dappMetadata, relayURL: url, databasePath: directory.path("dapp.sqlite"))
            try await SignClient.withSignClient(dappConfiguration) { dapp in
                let call = WKBox<Task<JSONValue, any Error>>()
                let first = WKBox<PendingRequest>()
                let identity = WKBox<String>()
                let topic = try await WalletKit.withWalletKit(walletConfiguration) { kit in
                    identity.set(try await kit.clientID())
                    let (session, _) = try await WKFixture.settle(dapp: dapp, kit: kit)
                    let requests = kit.sessionRequests
                    call.set(Task {
                        try await dapp.request(
                            topic: session.topic, chainID: "eip155:1", method: "personal_sign", params: ["0x01"])
                    })
                    first.set(try await WKFixture.first(requests))
                    return session.topic
                }
                let request = try #require(first.value)
                let pending = try #require(call.value)

                try await Self.withRestarted(walletConfiguration) { kit, requests in
                    // The same wallet: the identity (and every key) came back from the storage.
                    #expect(try await kit.clientID() == identity.value)
                    let again = try await WKFixture.first(requests)
                    #expect(again.id == request.id)
                    #expect(again.params == request.params)
                    #expect(await kit.pendingSessionRequests.map(\.id) == [request.id])
                    #expect(await kit.activeSessions.keys.sorted() == [topic])
                    try await kit.respondSessionRequest(topic: topic, requestID: request.id, response: .result("0xabc"))
                    #expect(try await BoundedWait.run { try await pending.boundedValue() } == "0xabc")
                    #expect(await kit.pendingSessionRequests.isEmpty)
                }

                try await Self.withRestarted(walletConfiguration) { kit, _ in
                    #expect(await kit.pendingSessionRequests.isEmpty)
                    #expect(await kit.activeSessions.keys.sorted() == [topic])
                    // The session still works after two restarts.
                    let requests = kit.sessionRequests
                    let later = Task {
                        try await dapp.request(topic: topic, chainID: "eip155:1", method: "personal_sign", params: ["0x02"])
                    }
                    let next = try await WKFixture.first(requests)
                    #expect(next.id != request.id)
                    try await kit.respondSessionRequest(topic: topic, requestID: next.id, response: .result("0xdef"))
                    #expect(try await BoundedWait.run { try await later.boundedValue() } == "0xdef")
                }
            }
        }
    }

    @Test("a response racing shutdown is either delivered before exit or answered once after restart")
    func respondRacingShutdown() async throws {
        try await withRelay { relay, directory in
            let url = await relay.url
            let walletConfiguration = WKFixture.walletConfiguration(relayURL: url, databasePath: directory.path("wallet.sqlite"))
            let dappConfiguration = WKFixture.signConfiguration(
                metadata: WKFixture.dappMetadata, relayURL: url, databasePath: directory.path("dapp.sqlite"))
            try await SignClient.withSignClient(dappConfiguration) { dapp in
                let call = WKBox<Task<JSONValue, any Error>>()
                let first = WKBox<PendingRequest>()
                let respondError = WKBox<String>()
                let topic = try await WalletKit.withWalletKit(walletConfiguration) { kit in
                    let (session, _) = try await WKFixture.settle(dapp: dapp, kit: kit)
                    let requests = kit.sessionRequests
                    call.set(Task {
                        try await dapp.request(
                            topic: session.topic, chainID: "eip155:1", method: "personal_sign", params: ["0x01"])
                    })
                    let request = try await WKFixture.first(requests)
                    first.set(request)
                    let responding = Task {
                        try await kit.respondSessionRequest(
                            topic: session.topic, requestID: request.id, response: .result("0xfirst"))
                    }
                    await kit.shutdown()
                    if case .failure(let error) = await responding.result {
                        // Refused because the instance had already stopped: nothing was sent.
                        #expect(error as? WalletKitError == .stopped)
                        respondError.set("\(error)")
                    }
                    return session.topic
                }
                let request = try #require(first.value)
                let pending = try #require(call.value)
                let answeredBeforeExit = respondError.value == nil

                try await Self.withRestarted(walletConfiguration) { kit, _ in
                    if answeredBeforeExit {
                        #expect(await kit.pendingSessionRequests.isEmpty)
                        #expect(try await BoundedWait.run { try await pending.boundedValue() } == "0xfirst")
                    } else {
                        #expect(await kit.pendingSessionRequests.map(\.id) == [request.id])
                        try await kit.respondSessionRequest(topic: topic, requestID: request.id, response: .result("0xsecond"))
                        #expect(try await BoundedWait.run { try await pending.boundedValue() } == "0xsecond")
                        #expect(await kit.pendingSessionRequests.isEmpty)
                    }
                }
                try await Self.withRestarted(walletConfiguration) { kit, _ in
                    #expect(await kit.pendingSessionRequests.isEmpty)
                }
            }
        }
    }
}
