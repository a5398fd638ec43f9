import Foundation
import Testing
import WalletConnectCore
import WalletConnectRelayServer
import WalletConnectSign
import WalletKit
import WalletKitTesting

/// Several WalletKit instances in one process on one relay: each has its own identity, socket, storage namespace
/// and sessions, and nothing crosses between them.
@Suite("WalletKit: many instances in one process", .timeLimit(.minutes(1)))
struct WalletKitInstancesTests {
    @Test("two wallets (one SQLite file, two prefixes) and a third in its own folder: no cross-talk")
    func instancesDoNotCollide() async throws {
        try await withRelay { relay, directory in
            let url = await relay.url
            let shared = directory.path("shared/wallets.sqlite")
            let first = WKFixture.walletConfiguration(relayURL: url, databasePath: shared, prefix: "alice")
            let second = WKFixture.walletConfiguration(relayURL: url, databasePath: shared, prefix: "bob")
            let third = WKFixture.walletConfiguration(relayURL: url, databasePath: directory.path("carol/wallet.sqlite"))
            let dappConfiguration = WKFixture.signConfiguration(
                metadata: WKFixture.dappMetadata, relayURL: url, databasePath: directory.path("dapp.sqlite"))

            try await SignClient.withSignClient(dappConfiguration) { dapp in
                try await WalletKit.withWalletKit(first) { alice in
                    try await WalletKit.withWalletKit(second) { bob in
                        try await WalletKit.withWalletKit(third) { carol in
                            // A second instance on a namespace in use is refused.
                            #expect(throws: SignClientError.self) { _ = try WalletKit(configuration: first) }

                            let ids = [try await alice.clientID(), try await bob.clientID(), try await carol.clientID()]
                            #expect(Set(ids).count == 3)

                            let kits = [alice, bob, carol]
                            var sessions: [Session] = []
                            for kit in kits {
                                sessions.append(try await WKFixture.settle(dapp: dapp, kit: kit).wallet)
                            }
                            #expect(Set(sessions.map(\.topic)).count == 3)
                            for (kit, session) in zip(kits, sessions) {
                                #expect(await kit.activeSessions.keys.sorted() == [session.topic])
                            }
                            #expect(await dapp.activeSessions().count == 3)

                            // A request to bob's session reaches bob only; then one to alice reaches alice first.
                            let bobRequests = bob.sessionRequests
                            let aliceRequests = alice.sessionRequests
                            let carolRequests = carol.sessionRequests
                            try await Self.roundTrip(dapp: dapp, kit: bob, stream: bobRequests, topic: sessions[1].topic, value: "bob")
                            #expect(await alice.pendingSessionRequests.isEmpty)
                            #expect(await carol.pendingSessionRequests.isEmpty)
                            try await Self.roundTrip(dapp: dapp, kit: alice, stream: aliceRequests, topic: sessions[0].topic, value: "alice")
                            try await Self.roundTrip(dapp: dapp, kit: carol, stream: carolRequests, topic: sessions[2].topic, value: "carol")

                            // Disconnecting alice's session leaves bob's and carol's.
                            try await alice.disconnectSession(topic: sessions[0].topic)
                            #expect(await alice.activeSessions.isEmpty)
                            #expect(await bob.activeSessions.keys.sorted() == [sessions[1].topic])
                            #expect(await carol.activeSessions.keys.sorted() == [sessions[2].topic])
                        }
                    }
                }
            }

            // Both prefixes wrote their own records into the one SQLite file.
            let storage = try SQLiteStorage(path: shared)
            #expect(try await !storage.values(withPrefix: "wc@2:core:0.3:alice//pairing/").isEmpty)
            #expect(try await !storage.values(withPrefix: "wc@2:core:0.3:bob//pairing/").isEmpty)
            #expect(try await storage.values(withPrefix: "wc@2:client:0.3:alice//session/").isEmpty)
            #expect(try await storage.values(withPrefix: "wc@2:client:0.3:bob//session/").count == 1)
            #expect(try await storage.values(withPrefix: "wc@2:core:0.3//").isEmpty)
            #expect(FileManager.default.fileExists(atPath: SignClientConfiguration.keyChainPath(databasePath: shared, prefix: "alice")))
            #expect(FileManager.default.fileExists(atPath: SignClientConfiguration.keyChainPath(databasePath: shared, prefix: "bob")))
        }
    }

    /// The dapp sends a request on `topic`; it must be the next request `kit` announces; the answer comes back.
    static func roundTrip(
        dapp: SignClient, kit: WalletKit, stream: WalletKitEventStream<PendingRequest>, topic: String, value: String
    ) async throws {
        let call = Task {
            try await dapp.request(topic: topic, chainID: "eip155:1", method: "personal_sign", params: [.string(value)])
        }
        let request = try await WKFixture.first(stream)
        #expect(request.topic == topic)
        #expect(request.params.request.params == [.string(value)])
        try await kit.respondSessionRequest(topic: topic, requestID: request.id, response: .result(.string("signed-" + value)))
        #expect(try await BoundedWait.run { try await call.boundedValue() } == .string("signed-" + value))
    }

    @Test("key chain paths: one per prefix, escaped, beside the database")
    func keyChainPaths() throws {
        #expect(SignClientConfiguration.keyChainPath(databasePath: "/d/w.sqlite", prefix: "") == "/d/w.sqlite.keychain.json")
        #expect(SignClientConfiguration.keyChainPath(databasePath: "/d/w.sqlite", prefix: "a-1.b") == "/d/w.sqlite.keychain.a-1.b.json")
        let slash = SignClientConfiguration.keyChainPath(databasePath: "/d/w.sqlite", prefix: "a/b")
        let underscore = SignClientConfiguration.keyChainPath(databasePath: "/d/w.sqlite", prefix: "a_b")
        #expect(slash == "/d/w.sqlite.keychain.a_2fb.json")
        #expect(underscore == "/d/w.sqlite.keychain.a_5fb.json")
        let custom = SignClientConfiguration(
            metadata: WKFixture.walletMetadata, storage: .custom(InMemoryStorage()))
        #expect(throws: SignClientError.keyChainLocationRequired) { _ = try custom.resolvedKeyChainPath() }
        var memory = custom
        memory.keyChain = .inMemory
        #expect(try memory.resolvedKeyChainPath() == nil)
    }
}
