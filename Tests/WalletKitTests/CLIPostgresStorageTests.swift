import Foundation
import PostgresTestSupport
import WalletConnectCore
import WalletKitPostgres
import Testing

/// `walletkit … --storage postgres://…`: a URL that cannot be used, a server that refuses the credentials, and the
/// password from `PGPASSWORD`. No message ever shows the password.
@Suite(
    "walletkit CLI: --storage postgres://", .serialized, .enabled(if: CLIBinary.isAvailable, CLIBinary.skipNote),
    .timeLimit(.minutes(2)))
struct CLIPostgresStorageTests {
    init() async {
        let note = await CLIBinary.rebuild.value
        if note != "rebuilt" && note != "up to date" { print("note: walletkit CLI tests: \(note)") }
    }

    @Test("a postgres:// URL that cannot be used exits 64 naming what is wrong, never the password")
    func unusableURL() async throws {
        let scenario = try CLIScenario()
        defer { scenario.stopAll() }
        let wallet = try scenario.launch(
            "wallet", ["wallet", "--relay-url", "ws://127.0.0.1:9", "--storage", "postgres://u:sekret-4471@h:5432"])
        #expect(try await wallet.exitStatus() == 64)
        #expect(wallet.stderr.contains("--storage: no database name (the path)"))
        #expect(!wallet.stderr.contains("sekret-4471") && !wallet.lines.joined().contains("sekret-4471"))
    }

    @Test("refused credentials end the run at start: exit 1, named, without the password",
        .enabled(if: TestPostgres.isAvailable, Comment(rawValue: TestPostgres.skipNote)))
    func refusedCredentials() async throws {
        let scenario = try CLIScenario()
        defer { scenario.stopAll() }
        var configuration = try TestPostgres.configuration(schema: "public")
        configuration.password = nil
        let url = "postgres://\(configuration.username):wrong-pw-5521@\(configuration.endpoint)/\(configuration.database)"
        let wallet = try scenario.launch("wallet", ["wallet", "--relay-url", "ws://127.0.0.1:9", "--storage", url])
        #expect(try await wallet.exitStatus() == 1)
        let last = try #require(wallet.objects.last)
        #expect(last["event"]?.stringValue == "error")
        #expect(last["message"]?.stringValue?.hasPrefix("storage server refused the credentials: ") == true)
        #expect(!wallet.stderr.contains("wrong-pw-5521") && !wallet.lines.joined().contains("wrong-pw-5521"))
    }

    @Test("without a password in the URL, PGPASSWORD is used: the storage opens, the run then stops at the relay",
        .enabled(if: TestPostgres.isAvailable, Comment(rawValue: TestPostgres.skipNote)))
    func passwordFromEnvironment() async throws {
        let scenario = try CLIScenario()
        defer { scenario.stopAll() }
        let schema = TestPostgres.uniqueSchema("cli")
        let configuration = try TestPostgres.configuration(schema: schema)
        let url = "postgres://\(configuration.username)@\(configuration.endpoint)/\(configuration.database)?schema=\(schema)"
        let wallet = try scenario.launch(
            "wallet", ["wallet", "--relay-url", "ws://127.0.0.1:9", "--storage", url],
            environment: ["PGPASSWORD": configuration.password ?? ""])
        #expect(try await wallet.exitStatus() == 1)
        #expect(wallet.objects.last?["message"]?.stringValue?.hasPrefix("cannot reach the relay") == true)
        // The wallet's identity was created in the schema.
        let storage = try TestPostgres.storage(schema: schema)
        #expect(try await storage.values(withPrefix: "wc@2:core:0.3//keychain/").count == 1)
        await TestPostgres.dropSchema(schema)
    }
}
