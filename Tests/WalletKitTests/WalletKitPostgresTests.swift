import Foundation
import PostgresTestSupport
import Testing
import WalletConnectCore
import WalletConnectRelayServer
import WalletConnectSign
import WalletKit
import WalletKitPostgres
import WalletKitTesting

/// WalletKit on PostgreSQL (`.postgres(url:)`) through the project's relay on 127.0.0.1: the client runs the pool,
/// keeps its key chain in the database, and shares the wallet with every instance on the same schema and prefix.
@Suite("WalletKit: PostgreSQL storage", .enabled(if: TestPostgres.isAvailable, Comment(rawValue: TestPostgres.skipNote)),
    .timeLimit(.minutes(1)))
struct WalletKitPostgresTests {
    @Test("a session over the relay with .postgres(url:); the key chain and the session are rows of the schema")
    func sessionOverRelay() async throws {
        try await TestPostgres.withSchema("kit") { schema in
            try await withRelay { relay, directory in
                let url = await relay.url
                let postgresURL = try #require(TestPostgres.url) + "?schema=\(schema)"
                let wallet = WKFixture.walletConfiguration(relayURL: url, storage: try .postgres(url: postgresURL))
                let dappConfiguration = WKFixture.signConfiguration(
                    metadata: WKFixture.dappMetadata, relayURL: url, databasePath: directory.path("dapp.sqlite"))
                let identity = try await SignClient.withSignClient(dappConfiguration) { dapp in
                    try await WalletKit.withWalletKit(wallet) { kit in
                        let (session, _) = try await WKFixture.settle(dapp: dapp, kit: kit)
                        let requests = kit.sessionRequests
                        let call = Task {
                            try await dapp.request(
                                topic: session.topic, chainID: "eip155:1", method: "personal_sign", params: ["0x01"])
                        }
                        let request = try await WKFixture.first(requests)
                        try await kit.respondSessionRequest(
                            topic: session.topic, requestID: request.id, response: .result("0xabc"))
                        #expect(try await call.boundedValue() == "0xabc")
                        return try await kit.clientID()
                    }
                }
                // Read back through a storage of its own: the wallet's rows are in the schema, key chain included.
                let storage = try TestPostgres.storage(schema: schema)
                let keyChainRows = try await storage.values(withPrefix: StorageKey.keychain().rawValue + "/")
                #expect(keyChainRows.contains { $0.key.hasSuffix("/\(Crypto.clientSeedTag)") })
                #expect(try await storage.values(withPrefix: StorageKey.client("session").rawValue + "/").count == 1)
                // A second instance on the same schema is the same wallet.
                let again = try WalletKit(configuration: wallet)
                #expect(try await again.clientID() == identity)
            }
        }
    }

    @Test("instances with different prefixes on one schema are different wallets; cleanup() wipes only its own")
    func prefixesAreSeparateWallets() async throws {
        try await TestPostgres.withSchema("prefix") { schema in
            let postgresURL = try #require(TestPostgres.url) + "?schema=\(schema)"
            func kit(_ prefix: String) throws -> WalletKit {
                try WalletKit(configuration: WKFixture.walletConfiguration(
                    relayURL: "ws://127.0.0.1:9", storage: try .postgres(url: postgresURL), prefix: prefix))
            }
            let one = try await kit("one").clientID()
            let two = try await kit("two").clientID()
            #expect(one != two)
            #expect(try await kit("one").clientID() == one)
            try await kit("one").cleanup()
            #expect(try await kit("two").clientID() == two)
            #expect(try await kit("one").clientID() != one)
        }
    }

    @Test("a server that cannot be reached stops the start at once with unreachable (the pool is running by then)")
    func startFailsOnUnreachableServer() async throws {
        var configuration = try TestPostgres.configuration(schema: "public")
        configuration.host = "127.0.0.1"
        configuration.port = PostgresTestPorts.closed()
        let kit = try WalletKit(configuration: WKFixture.walletConfiguration(
            relayURL: "ws://127.0.0.1:9", storage: .server(PostgresStorageProvider(configuration: configuration))))
        let started = ContinuousClock.now
        let error = await #expect(throws: StorageError.self) {
            try await BoundedWait.run(within: .seconds(20)) { try await kit.run() }
        }
        #expect(error?.kind == .unreachable)
        #expect(error?.reason.contains("connection refused") == true)
        #expect(ContinuousClock.now - started < .seconds(10))
    }

    @Test("a server that refuses the password stops the start with authenticationFailed, no password shown")
    func startFailsOnRefusedCredentials() async throws {
        var configuration = try TestPostgres.configuration(schema: "public")
        configuration.password = "wrong-password-91bc"
        let kit = try WalletKit(configuration: WKFixture.walletConfiguration(
            relayURL: "ws://127.0.0.1:9", storage: .server(PostgresStorageProvider(configuration: configuration))))
        let error = await #expect(throws: StorageError.self) {
            try await BoundedWait.run(within: .seconds(20)) { try await kit.run() }
        }
        #expect(error?.kind == .authenticationFailed)
        #expect(error.map { "\($0)" }?.contains("wrong-password-91bc") == false)
        #expect(kit.state == .stopped)
    }
}
