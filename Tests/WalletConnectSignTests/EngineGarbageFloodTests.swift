import Foundation
import Testing
import WalletConnectCore
import WalletConnectRelayServer
import WalletConnectSign
import WalletKitTesting

/// Issue 16 item 5: garbage that fails to decrypt occupies no storage. A real wallet (SQLite file, real `Relayer`)
/// settled with a dapp through the loopback relay server receives a flood of distinct envelopes on its session
/// topic that do not decrypt; the rows of the wallet's database do not grow with it.
@Suite("Sign engine: a garbage flood leaves nothing in storage", .timeLimit(.minutes(1)))
struct EngineGarbageFloodTests {
    /// A type-0 envelope (base64) that does not decrypt under any key: random iv and sealed bytes.
    static func garbageEnvelope() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes: [UInt8] = [0] + (0..<60).map { _ in generator.next() as UInt8 }
        return Data(bytes).base64EncodedString()
    }

    @Test("200 distinct undecryptable envelopes on a session topic: no row of the wallet's SQLite file remembers them")
    func garbageLeavesNoRows() async throws {
        let directory = try TemporaryDirectory()
        let server = RelayServer(configuration: RelayServerConfiguration(host: "127.0.0.1", port: 0), state: RelayServerState())
        try await server.start()
        let url = await server.url
        let storage = try SQLiteStorage(path: directory.path("wallet.sqlite").path)
        let dapp = try await EngineLoopbackTests.client(name: "dapp", url: url)
        let wallet = try await EngineLoopbackTests.client(name: "wallet", url: url, storage: storage)
        let publisher = Relayer(
            configuration: RelayerConfiguration(
                relayURL: url, projectID: "00000000000000000000000000000000", requestTimeout: .seconds(30)),
            identity: Crypto(keyChain: KeyChain.inMemory()), storage: InMemoryStorage())
        do {
            let (session, _) = try await EngineFixture.settle(dapp: dapp, wallet: wallet)
            // A ping first, so the rows of one exchange are there before counting.
            try await BoundedWait.run { try await dapp.engine.ping(topic: session.topic) }
            let before = try await storage.values(withPrefix: "").count

            let garbage = (0..<200).map { _ in Self.garbageEnvelope() }
            try await publisher.withRunning {
                for envelope in garbage {
                    try await publisher.publish(topic: session.topic, message: envelope, options: PublishOptions(ttl: 300))
                }
            }
            // The wallet handles a topic's messages in order: once this ping is answered every envelope before it
            // was read and dropped.
            try await BoundedWait.run { try await dapp.engine.ping(topic: session.topic) }

            let rows = try await storage.values(withPrefix: "")
            let hashes = Set(garbage.map(CryptoHash.hashMessage))
            let remembering = rows.filter { row in hashes.contains { row.key.hasSuffix($0) } }
            #expect(remembering.isEmpty, "\(remembering.count) rows remember garbage")
            // The second ping adds a few rows of its own (its hashes and history), never one per envelope.
            #expect(rows.count <= before + 10, "\(before) rows before, \(rows.count) after")
            #expect(await wallet.engine.activeSessions()[session.topic] != nil)
        } catch {
            await dapp.stop()
            await wallet.stop()
            await server.stop()
            throw error
        }
        await dapp.stop()
        await wallet.stop()
        await server.stop()
    }

    @Test("answered pings leave no JSON-RPC history rows on either side (a ping flood does not grow storage for 30 days)")
    func answeredPingsAreForgotten() async throws {
        let directory = try TemporaryDirectory()
        let server = RelayServer(configuration: RelayServerConfiguration(host: "127.0.0.1", port: 0), state: RelayServerState())
        try await server.start()
        let url = await server.url
        let walletStorage = try SQLiteStorage(path: directory.path("wallet.sqlite").path)
        let dappStorage = try SQLiteStorage(path: directory.path("dapp.sqlite").path)
        let dapp = try await EngineLoopbackTests.client(name: "dapp", url: url, storage: dappStorage)
        let wallet = try await EngineLoopbackTests.client(name: "wallet", url: url, storage: walletStorage)
        func historyRows(_ storage: SQLiteStorage) async throws -> Int {
            try await storage.values(withPrefix: "").filter { $0.key.contains("//history/") }.count
        }
        do {
            let (session, _) = try await EngineFixture.settle(dapp: dapp, wallet: wallet)
            let walletBefore = try await historyRows(walletStorage)
            let dappBefore = try await historyRows(dappStorage)
            for _ in 0..<30 {
                try await BoundedWait.run { try await dapp.engine.ping(topic: session.topic) }
            }
            #expect(try await historyRows(walletStorage) == walletBefore)
            #expect(try await historyRows(dappStorage) == dappBefore)
        } catch {
            await dapp.stop()
            await wallet.stop()
            await server.stop()
            throw error
        }
        await dapp.stop()
        await wallet.stop()
        await server.stop()
    }
}
