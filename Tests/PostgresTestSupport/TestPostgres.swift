import Foundation
import Logging
import PostgresNIO
import WalletConnectCore
import WalletConnectSign
import WalletKitPostgres

/// The PostgreSQL server of a test run, named by `WALLETKIT_TEST_POSTGRES_URL` (`.ci/postgres start` prints one;
/// `.ci/run` sets it). Without it the PostgreSQL cases are skipped with ``skipNote``; under CI (`CI=true`) its
/// absence fails the run (`PostgresAvailabilityTests`).
public enum TestPostgres {
    /// The environment variable holding the URL.
    public static let environmentVariable = "WALLETKIT_TEST_POSTGRES_URL"

    /// The note shown where PostgreSQL cases are skipped.
    public static let skipNote =
        "WALLETKIT_TEST_POSTGRES_URL is not set: the PostgreSQL cases are skipped (export WALLETKIT_TEST_POSTGRES_URL=$(.ci/postgres start))"

    /// The server's URL, when set.
    public static var url: String? {
        let value = ProcessInfo.processInfo.environment[environmentVariable]
        return value?.isEmpty == false ? value : nil
    }

    /// Whether a server was given.
    public static var isAvailable: Bool { url != nil }

    /// Whether this run is CI's (`CI=true`), where the server must be there.
    public static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    /// A schema name no other test uses: `t_<label>_<random>`.
    public static func uniqueSchema(_ label: String = "t") -> String {
        let clean = String(label.lowercased().filter { $0.isASCII && ($0.isLetter || $0.isNumber) }.prefix(20))
        return "t_\(clean)_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased())"
    }

    /// The server's configuration with the tables in `schema`.
    public static func configuration(schema: String) throws -> PostgresStorageConfiguration {
        guard let url else { throw StorageError.openFailed("\(environmentVariable) is not set") }
        var configuration = try PostgresStorageConfiguration(url: url)
        configuration.schema = schema
        return configuration
    }

    /// A storage on `schema` (created at its first call).
    public static func storage(schema: String, logger: Logger? = nil) throws -> PostgresStorage {
        if let logger { return try PostgresStorage(configuration: configuration(schema: schema), logger: logger) }
        return try PostgresStorage(configuration: configuration(schema: schema))
    }

    /// A connection of its own to the server (close it after use).
    public static func connect() async throws -> PostgresConnection {
        let configuration = try configuration(schema: "public")
        return try await PostgresConnection.connect(
            configuration: PostgresConnection.Configuration(
                host: configuration.host, port: configuration.port, username: configuration.username,
                password: configuration.password, database: configuration.database, tls: .disable),
            id: Int.random(in: 1_000_000...9_999_999), logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
    }

    /// Runs `sql` (no parameters) on a connection of its own.
    public static func execute(_ sql: String) async throws {
        let connection = try await connect()
        do {
            try await connection.query(PostgresQuery(unsafeSQL: sql), logger: quiet)
        } catch {
            try? await connection.close()
            throw error
        }
        try await connection.close()
    }

    /// Drops `schema` and everything in it (best effort: a test's clean-up must not fail the test).
    public static func dropSchema(_ schema: String) async {
        try? await execute("DROP SCHEMA IF EXISTS \"\(schema)\" CASCADE")
    }

    /// Runs `body` with a new schema name, dropping the schema afterwards (also when `body` throws).
    public static func withSchema<T>(_ label: String = "t", _ body: (String) async throws -> T) async throws -> T {
        let schema = uniqueSchema(label)
        do {
            let value = try await body(schema)
            await dropSchema(schema)
            return value
        } catch {
            await dropSchema(schema)
            throw error
        }
    }

    static let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
}

/// A storage backend the storage suites run against.
public enum StorageBackend: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// `SQLiteStorage` in a temporary folder.
    case sqlite
    /// `PostgresStorage` in a schema of its own on ``TestPostgres``'s server.
    case postgres

    /// The backends this run has: SQLite always, PostgreSQL when ``TestPostgres/url`` is set.
    public static var available: [StorageBackend] { TestPostgres.isAvailable ? [.sqlite, .postgres] : [.sqlite] }

    public var description: String { rawValue }
}

/// One place of a backend where data lives: every ``open()`` is a new storage instance on the same data (as a
/// restarted process would open it).
public final class StorageLocation: Sendable {
    /// The backend.
    public let backend: StorageBackend
    /// The SQLite folder (``StorageBackend/sqlite``).
    public let directory: URL
    /// The PostgreSQL schema (``StorageBackend/postgres``).
    public let schema: String

    init(backend: StorageBackend, label: String) throws {
        self.backend = backend
        self.directory = FileManager.default.temporaryDirectory.appendingPathComponent("wk-\(label)-\(UUID().uuidString)")
        self.schema = TestPostgres.uniqueSchema(label)
        if backend == .sqlite { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) }
    }

    /// The SQLite file of this location.
    public var sqlitePath: String { directory.appendingPathComponent("walletkit.sqlite").path }

    /// A new storage instance on this location's data.
    public func open() throws -> any KeyValueStorage {
        switch backend {
        case .sqlite: try SQLiteStorage(path: sqlitePath)
        case .postgres: try TestPostgres.storage(schema: schema)
        }
    }

    /// This location as a client's storage: the SQLite file (key chain file beside it) or the PostgreSQL schema
    /// (key chain in it), which the client opens and runs itself.
    public func signStorage() throws -> SignClientConfiguration.Storage {
        switch backend {
        case .sqlite: .sqlite(path: sqlitePath)
        case .postgres: .server(PostgresStorageProvider(configuration: try TestPostgres.configuration(schema: schema)))
        }
    }

    /// Removes the data.
    public func remove() async {
        switch backend {
        case .sqlite: try? FileManager.default.removeItem(at: directory)
        case .postgres: await TestPostgres.dropSchema(schema)
        }
    }
}

/// Runs `body` with a new location of `backend`, removed afterwards (also when `body` throws).
public func withStorageLocation<T>(
    _ backend: StorageBackend, label: String = "storage", _ body: (StorageLocation) async throws -> T
) async throws -> T {
    let location = try StorageLocation(backend: backend, label: label)
    do {
        let value = try await body(location)
        await location.remove()
        return value
    } catch {
        await location.remove()
        throw error
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Loopback ports for the error cases.
public enum PostgresTestPorts {
    /// A loopback port nothing listens on: bound without listening (a connection to it is refused), then released.
    public static func closed() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
