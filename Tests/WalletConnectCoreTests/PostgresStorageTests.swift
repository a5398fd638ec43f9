import Foundation
import Logging
import PostgresNIO
import PostgresTestSupport
import Testing
import WalletConnectCore
import WalletConnectSign
import WalletKitPostgres
import WalletKitTesting

/// Whether this run has its PostgreSQL server: a visible skip note without one, a failure under CI.
@Suite("PostgreSQL: test server")
struct PostgresAvailabilityTests {
    @Test("the PostgreSQL cases run (WALLETKIT_TEST_POSTGRES_URL is set)",
        .enabled(if: TestPostgres.isAvailable || TestPostgres.isCI, Comment(rawValue: TestPostgres.skipNote)))
    func serverIsGiven() {
        // Under CI the server must be there: .ci/run starts one and sets the variable.
        #expect(TestPostgres.isAvailable, "CI=true but \(TestPostgres.environmentVariable) is not set")
    }
}

/// URL parsing: every refusal names what is wrong and never shows the password. No server needed.
@Suite("PostgreSQL: storage URL")
struct PostgresURLTests {
    @Test func parsesAFullURL() throws {
        let configuration = try PostgresStorageConfiguration(
            url: "postgresql://wallet%40ops:s3cr%2Ft@db.example:6543/walletkit?sslmode=verify-full&schema=w1&pool_size=4&connect_timeout=3")
        #expect(configuration.username == "wallet@ops")
        #expect(configuration.password == "s3cr/t")
        #expect(configuration.host == "db.example")
        #expect(configuration.port == 6543)
        #expect(configuration.database == "walletkit")
        #expect(configuration.tls == .verifyFull)
        #expect(configuration.schema == "w1")
        #expect(configuration.maximumConnections == 4)
        #expect(configuration.connectTimeout == .seconds(3))
        #expect(configuration.description == "postgres://wallet@ops:***@db.example:6543/walletkit?sslmode=verify-full&schema=w1")
        #expect(!"\(try PostgresStorage(configuration: configuration))".contains("s3cr"))
        var dumped = ""
        dump(try PostgresStorage(configuration: configuration), to: &dumped)
        dump(try SignClientConfiguration.Storage.postgres(url: "postgres://u:s3cr%2Ft@h/db"), to: &dumped)
        #expect(dumped.contains("***") && !dumped.contains("s3cr"))
    }

    @Test func defaults() throws {
        let configuration = try PostgresStorageConfiguration(url: "postgres://me@localhost/db")
        #expect(configuration.port == 5432)
        #expect(configuration.password == nil)
        #expect(configuration.tls == .prefer)
        #expect(configuration.schema == "public")
        #expect(configuration.maximumConnections == 10)
        #expect(configuration.maximumWriteAttempts == 5)
        #expect(configuration.description == "postgres://me@localhost:5432/db")
    }

    @Test("refusals", arguments: [
        ("mysql://u:topsecret@h/db", PostgresURLError.scheme("mysql")),
        ("postgres://u:topsecret@/db", .missingHost),
        ("postgres://h:5432/db", .missingUser),
        ("postgres://u:topsecret@h:0/db", .port),
        ("postgres://u:topsecret@h:99999999999999999999/db", .port),
        ("postgres://u:topsecret@h:54x/db", .port),
        ("postgres://u:topsecret@h:5432", .missingDatabase),
        ("postgres://u:topsecret@h:5432/", .missingDatabase),
        ("postgres://u:topsecret@h/db?sslmode=always", .sslMode("always")),
        ("postgres://u:topsecret@h/db?schema=a-b", .schema("a-b")),
        ("postgres://u:topsecret@h/db?pool_size=0", .poolSize("0")),
        ("postgres://u:topsecret@h/db?connect_timeout=x", .connectTimeout("x")),
        ("postgres://u:topsecret@h/db?password=x", .unknownParameter("password")),
        ("postgres://u:topsecret@[::1/db", .malformed),
    ])
    func refusals(url: String, expected: PostgresURLError) {
        #expect(throws: expected) { try PostgresStorageConfiguration(url: url) }
        #expect(!expected.description.contains("topsecret"))
    }

    @Test func storageURLCaseNamesTheServer() throws {
        guard case .server(let provider) = try SignClientConfiguration.Storage.postgres(url: "postgres://u:pw123@h/db") else {
            Issue.record("not a server storage")
            return
        }
        #expect("\(provider)" == "PostgreSQL postgres://u:***@h:5432/db")
    }
}

/// `PostgresStorage` against the run's server: schema and migrations, the pool, typed errors, retries.
@Suite("PostgreSQL: storage", .enabled(if: TestPostgres.isAvailable, Comment(rawValue: TestPostgres.skipNote)),
    .timeLimit(.minutes(1)))
struct PostgresStorageTests {
    @Test("a new schema is created at version 1 once, also by instances starting together")
    func schemaIsCreatedOnce() async throws {
        try await TestPostgres.withSchema("migrate") { schema in
            let storages = try (0..<4).map { _ in try TestPostgres.storage(schema: schema) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for storage in storages { group.addTask { try await storage.prepare() } }
                try await group.waitForAll()
            }
            #expect(storages.map(\.statistics.migrationsApplied).reduce(0, +) == 1)
            let later = try TestPostgres.storage(schema: schema)
            try await later.setValue(Data("v".utf8), forKey: "k")
            #expect(later.statistics.migrationsApplied == 0)
            #expect(try await Self.versions(schema) == [1])
        }
    }

    @Test("a database migrated by a newer library is refused, named")
    func newerSchemaIsRefused() async throws {
        try await TestPostgres.withSchema("newer") { schema in
            try await TestPostgres.storage(schema: schema).prepare()
            try await TestPostgres.execute("INSERT INTO \"\(schema)\".walletkit_schema_migrations (version) VALUES (99)")
            let error = await #expect(throws: StorageError.self) { try await TestPostgres.storage(schema: schema).prepare() }
            #expect(error?.kind == .openFailed)
            #expect(error?.reason.contains("version 99, newer than this library's 1") == true)
        }
    }

    @Test("a wrong password: authenticationFailed, naming the user, never the password")
    func wrongPassword() async throws {
        var configuration = try TestPostgres.configuration(schema: "public")
        configuration.password = "not-the-password-7f3a"
        let error = await #expect(throws: StorageError.self) {
            try await PostgresStorage(configuration: configuration).prepare()
        }
        #expect(error?.kind == .authenticationFailed)
        #expect(error?.reason.contains("\"\(configuration.username)\"") == true)
        #expect(error.map { "\($0)" }?.contains("not-the-password-7f3a") == false)
        // The same through a client: the start fails with it (SignClient prepares the storage first).
        let storage = try PostgresStorage(configuration: configuration)
        await #expect(throws: StorageError.self) { try await storage.value(forKey: "k") }
        await #expect(throws: StorageError.self) { try await storage.write([.set(key: "k", value: Data())]) }
    }

    @Test("no such database: openFailed, named")
    func missingDatabase() async throws {
        var configuration = try TestPostgres.configuration(schema: "public")
        configuration.database = "walletkit_no_such_db"
        let error = await #expect(throws: StorageError.self) { try await PostgresStorage(configuration: configuration).prepare() }
        #expect(error?.kind == .openFailed)
        #expect(error?.reason.contains("database \"walletkit_no_such_db\" does not exist") == true)
    }

    @Test("nothing listens on the port: unreachable, connection refused, at once")
    func unreachableServer() async throws {
        var configuration = try TestPostgres.configuration(schema: "public")
        configuration.host = "127.0.0.1"
        configuration.port = PostgresTestPorts.closed()
        let storage = try PostgresStorage(configuration: configuration)
        let error = await #expect(throws: StorageError.self) {
            try await BoundedWait.run(within: .seconds(20)) { try await storage.prepare() }
        }
        #expect(error?.kind == .unreachable)
        #expect(error?.reason.contains("127.0.0.1:\(configuration.port): connection refused") == true)
        #expect(error.map { "\($0)" }?.contains(configuration.password ?? "?") == false)
    }

    @Test("run(): calls share the pool while it runs, open their own connection otherwise; it runs again after")
    func poolLifecycle() async throws {
        try await TestPostgres.withSchema("pool") { schema in
            let storage = try TestPostgres.storage(schema: schema)
            try await storage.setValue(Data("before".utf8), forKey: "k")
            let direct = storage.statistics.directConnections
            #expect(direct >= 1)
            for round in 0..<2 {
                let running = Task { try await storage.run() }
                try await BoundedWait.until { storage.isRunning }
                await #expect(throws: StorageError.self) { try await storage.run() }
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for index in 0..<30 {
                        group.addTask { try await storage.setValue(Data("\(index)".utf8), forKey: "p/\(round)/\(index)") }
                    }
                    try await group.waitForAll()
                }
                #expect(try await storage.values(withPrefix: "p/\(round)/").count == 30)
                #expect(storage.statistics.directConnections == direct)
                running.cancel()
                try await running.boundedValue()
                #expect(!storage.isRunning)
            }
            #expect(try await storage.value(forKey: "k") == Data("before".utf8))
            #expect(storage.statistics.directConnections == direct + 1)
        }
    }

    @Test("a write is one transaction: when one change fails, none is kept")
    func failedWriteKeepsNothing() async throws {
        try await TestPostgres.withSchema("atomic") { schema in
            let storage = try TestPostgres.storage(schema: schema)
            try await storage.setValue(Data("old".utf8), forKey: "a")
            // PostgreSQL text cannot hold NUL: the whole statement fails.
            let error = await #expect(throws: StorageError.self) {
                try await storage.write([
                    .set(key: "a", value: Data("new".utf8)), .set(key: "b", value: Data()), .set(key: "bad\u{0}", value: Data()),
                ])
            }
            #expect(error?.kind == .writeFailed)
            #expect(try await storage.value(forKey: "a") == Data("old".utf8))
            #expect(try await storage.value(forKey: "b") == nil)
            #expect(storage.statistics.writeRetries == 0)
        }
    }

    @Test("a write aborted by a deadlock is tried again and lands")
    func deadlockIsRetried() async throws {
        try await TestPostgres.withSchema("deadlock") { schema in
            let storage = try TestPostgres.storage(schema: schema)
            try await storage.write([.set(key: "a", value: Data("0".utf8)), .set(key: "b", value: Data("0".utf8))])
            let table = "\"\(schema)\".walletkit_kv"
            let blocker = try await TestPostgres.connect(), monitor = try await TestPostgres.connect()
            let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
            var lastRound = 0
            do {
                // The blocker holds b; the storage's write locks a, then waits for b; the blocker then asks for a: a
                // deadlock. Each waiting session checks for one once, a second (deadlock_timeout) after it began to
                // wait: the storage's check, first, aborts its own transaction (40P01), which is tried again once
                // the blocker is gone — if the blocker asked for a within that second. On a loaded machine it may
                // ask later; then the blocker's own check aborts the blocker instead, and the round is played again.
                for round in 1...5 where storage.statistics.writeRetries == 0 {
                    lastRound = round
                    try await blocker.query("BEGIN", logger: quiet)
                    try await blocker.query(
                        PostgresQuery(unsafeSQL: "UPDATE \(table) SET value = 'x' WHERE key = 'b'"), logger: quiet)
                    let value = Data("\(round)".utf8)
                    let write = Task { try await storage.write([.set(key: "a", value: value), .set(key: "b", value: value)]) }
                    try await BoundedWait.until(within: .seconds(20)) {
                        ((try? await Self.waitingForLocks(schema, on: monitor)) ?? 0) >= 1
                    }
                    let blocked = Task {
                        try await blocker.query(
                            PostgresQuery(unsafeSQL: "UPDATE \(table) SET value = 'y' WHERE key = 'a'"), logger: quiet)
                    }
                    // The storage aborted (the UPDATE goes through) or the blocker did (the UPDATE throws 40P01).
                    _ = try await BoundedWait.run(within: .seconds(20)) { await blocked.result }
                    try await blocker.query("ROLLBACK", logger: quiet)
                    try await write.boundedValue()
                }
            } catch {
                try? await blocker.close()
                try? await monitor.close()
                throw error
            }
            try await blocker.close()
            try await monitor.close()
            #expect(storage.statistics.writeRetries >= 1)
            #expect(try await storage.value(forKey: "a") == Data("\(lastRound)".utf8))
            #expect(try await storage.value(forKey: "b") == Data("\(lastRound)".utf8))
        }
    }

    /// The schema versions recorded in `schema`.
    static func versions(_ schema: String) async throws -> [Int] {
        let connection = try await TestPostgres.connect()
        var versions: [Int] = []
        do {
            let rows = try await connection.query(
                PostgresQuery(unsafeSQL: "SELECT version FROM \"\(schema)\".walletkit_schema_migrations ORDER BY version"),
                logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
            for try await version in rows.decode(Int.self) { versions.append(version) }
        } catch {
            try? await connection.close()
            throw error
        }
        try await connection.close()
        return versions
    }

    /// Sessions of the server waiting for a lock in a statement on `schema`, asked on `connection`.
    static func waitingForLocks(_ schema: String, on connection: PostgresConnection) async throws -> Int {
        var count = 0
        let pattern = "%\(schema)%"
        let rows = try await connection.query(
            "SELECT count(*)::int FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE \(pattern) AND pid <> pg_backend_pid()",
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        for try await value in rows.decode(Int.self) { count = value }
        return count
    }
}
