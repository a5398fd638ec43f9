import Foundation
import Logging
import NIOCore
import NIOSSL
import PostgresNIO
import WalletConnectCore

/// A `KeyValueStorage` in a PostgreSQL database (postgres-nio): the same contract as `SQLiteStorage` — every
/// ``write(_:)`` is atomic, prefix reads are ordered by key (byte order) — for wallets whose instances share one
/// database.
///
/// * **Schema**: the library creates and migrates it (``prepare()``): a version table
///   `<schema>.walletkit_schema_migrations` and, from migration 1, `<schema>.walletkit_kv (key text COLLATE "C"
///   PRIMARY KEY, value bytea)`. Instances migrate under an advisory lock, so concurrent starts are safe; a
///   database migrated by a newer library is refused (`StorageError.Kind.openFailed`).
/// * **Connections**: while ``run()`` runs, calls share a connection pool (`PostgresClient`,
///   ``PostgresStorageConfiguration/maximumConnections``); otherwise each call opens a connection of its own.
///   A client built with `.postgres(url:)` runs the pool for its lifetime and closes it last.
/// * **Writes** are one SQL statement (one transaction): the changes collapse to the last one per key, applied in
///   key order. One aborted as a serialization failure or a deadlock is tried again, at most
///   ``PostgresStorageConfiguration/maximumWriteAttempts`` times in all.
/// * **A server that goes away** while the pool runs: a call waits for a connection while the pool retries, and
///   fails with `StorageError.Kind.unreachable` once connections have failed for a minute (postgres-nio's
///   circuit breaker); without a pool a call fails after ``PostgresStorageConfiguration/connectTimeout``.
/// * **Errors** are `StorageError`s: `StorageError.Kind.unreachable` (refused, timed out, TLS, server gone),
///   `StorageError.Kind.authenticationFailed` (user or password refused), `StorageError.Kind.openFailed` (no
///   such database, a newer schema), `StorageError.Kind.readOnly` (a read-only server or transaction),
///   otherwise `StorageError.Kind.readFailed` / `StorageError.Kind.writeFailed` with the SQLSTATE. No reason
///   ever contains the password, a key or a value.
///
/// The database holds the wallet's private keys (the key chain lives in it too): see Docs/Security.md.
public final class PostgresStorage: ServerKeyValueStorage {
    /// The latest schema version this library knows.
    public static let schemaVersion = 1

    /// Counters of what the storage did (for metrics and tests).
    public struct Statistics: Sendable, Hashable {
        /// Writes tried again after a serialization failure or deadlock.
        public var writeRetries = 0
        /// Connections opened for one call: no pool was running, or ``prepare()`` (which never uses the pool).
        public var directConnections = 0
        /// Schema migrations this instance applied.
        public var migrationsApplied = 0
    }

    private struct State: Sendable {
        var client: PostgresClient?
        var isPrepared = false
        var statistics = Statistics()
        var nextConnectionID = 0
    }

    /// Where the storage connects (the password is never shown).
    public let configuration: PostgresStorageConfiguration
    private let logger: Logger
    /// The logger given to postgres-nio: at most `.info`, whatever the app's level, because its trace and debug
    /// messages carry query parameters and rows (keys, payloads).
    private let driverLogger: Logger
    private let clock: any Clock<Duration>
    private let connectionConfiguration: PostgresConnection.Configuration
    private let clientConfiguration: PostgresClient.Configuration
    private let state = Locked(State())
    private let kvTable: String
    private let migrationsTable: String

    /// Opens a storage on `configuration`; nothing connects until the first call (or ``prepare()`` / ``run()``).
    /// - Parameters:
    ///   - configuration: Where to connect.
    ///   - clock: Paces the retries of an aborted write.
    ///   - logger: Debug logging (silent by default); never receives the password, a key or a value.
    /// - Throws: `StorageError.Kind.openFailed` when the configuration cannot be used (a bad schema name, a TLS
    ///   set-up that fails).
    public init(
        configuration: PostgresStorageConfiguration, clock: any Clock<Duration> = ContinuousClock(),
        logger: Logger = Logger(label: "walletkit", factory: { _ in SwiftLogNoOpLogHandler() })
    ) throws {
        guard PostgresStorageConfiguration.isValidIdentifier(configuration.schema) else {
            throw StorageError.openFailed("\(configuration): \(PostgresURLError.schema(configuration.schema))")
        }
        guard configuration.maximumConnections >= 1, configuration.maximumWriteAttempts >= 1 else {
            throw StorageError.openFailed("\(configuration): pool size and write attempts must be at least 1")
        }
        self.configuration = configuration
        self.logger = logger
        var driverLogger = logger
        if driverLogger.logLevel < .info { driverLogger.logLevel = .info }
        self.driverLogger = driverLogger
        self.clock = clock
        self.kvTable = "\"\(configuration.schema)\".walletkit_kv"
        self.migrationsTable = "\"\(configuration.schema)\".walletkit_schema_migrations"

        var tlsConfiguration = TLSConfiguration.makeClientConfiguration()
        if configuration.tls != .verifyFull { tlsConfiguration.certificateVerification = .none }
        let connectionTLS: PostgresConnection.Configuration.TLS
        let clientTLS: PostgresClient.Configuration.TLS
        do {
            switch configuration.tls {
            case .disable:
                connectionTLS = .disable
                clientTLS = .disable
            case .prefer:
                connectionTLS = .prefer(try NIOSSLContext(configuration: tlsConfiguration))
                clientTLS = .prefer(tlsConfiguration)
            case .require, .verifyFull:
                connectionTLS = .require(try NIOSSLContext(configuration: tlsConfiguration))
                clientTLS = .require(tlsConfiguration)
            }
        } catch {
            throw StorageError.openFailed("\(configuration): TLS could not be set up")
        }
        var connection = PostgresConnection.Configuration(
            host: configuration.host, port: configuration.port, username: configuration.username,
            password: configuration.password, database: configuration.database, tls: connectionTLS)
        connection.options.connectTimeout = .nanoseconds(Self.nanoseconds(configuration.connectTimeout))
        self.connectionConfiguration = connection
        var client = PostgresClient.Configuration(
            host: configuration.host, port: configuration.port, username: configuration.username,
            password: configuration.password, database: configuration.database, tls: clientTLS)
        client.options.maximumConnections = configuration.maximumConnections
        client.options.connectTimeout = configuration.connectTimeout
        self.clientConfiguration = client
    }

    /// Opens a storage on a `postgres://user:password@host:port/database` URL (see
    /// ``PostgresStorageConfiguration/init(url:)`` for its parameters).
    /// - Throws: ``PostgresURLError`` for a URL that cannot be used; what ``init(configuration:clock:logger:)`` throws.
    public convenience init(
        url: String, clock: any Clock<Duration> = ContinuousClock(),
        logger: Logger = Logger(label: "walletkit", factory: { _ in SwiftLogNoOpLogHandler() })
    ) throws {
        try self.init(configuration: PostgresStorageConfiguration(url: url), clock: clock, logger: logger)
    }

    private static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds.multipliedReportingOverflow(by: 1_000_000_000).partialValue + attoseconds / 1_000_000_000
    }

    /// What the storage did so far.
    public var statistics: Statistics { state.withLock { $0.statistics } }

    /// Whether ``run()`` is running the connection pool.
    public var isRunning: Bool { state.withLock { $0.client != nil } }

    // MARK: - Lifecycle

    /// Runs a connection pool until the calling task is cancelled, then closes its connections; calls made
    /// meanwhile use it. May be called again after it returned (a new pool), not while it runs.
    /// - Throws: `StorageError.Kind.openFailed` when a pool already runs.
    public func run() async throws {
        let client = PostgresClient(configuration: clientConfiguration, backgroundLogger: driverLogger)
        let installed = state.withLock { state -> Bool in
            guard state.client == nil else { return false }
            state.client = client
            return true
        }
        guard installed else { throw StorageError.openFailed("\(configuration): the storage is already running") }
        logger.debug("postgres storage pool running", metadata: ["wk.postgres": "\(configuration.endpoint)"])
        await client.run()
        state.withLock { $0.client = nil }
        logger.debug("postgres storage pool closed", metadata: ["wk.postgres": "\(configuration.endpoint)"])
    }

    /// Connects, then creates or migrates the schema when this instance has not done so yet.
    /// - Throws: `StorageError`: unreachable, authentication failed, or open failed (no such database, a schema
    ///   newer than ``schemaVersion``, no right to create it).
    public func prepare() async throws {
        if state.withLock({ $0.isPrepared }) { return }
        do {
            // A connection of its own, also while the pool runs: its failure is the precise one (refused, DNS,
            // TLS, credentials) within the connect timeout, where the pool would retry for a minute and then say
            // only that no connection could be opened.
            let applied = try await withConnection(pooled: false) { connection in try await self.migrate(connection) }
            state.withLock {
                $0.isPrepared = true
                $0.statistics.migrationsApplied += applied
            }
        } catch {
            throw storageError(error, operation: .open)
        }
    }

    /// Applies the migrations this database lacks, in one transaction under an advisory lock (instances that
    /// start together wait for each other). Returns how many it applied.
    private func migrate(_ connection: PostgresConnection) async throws -> Int {
        let lockKey = "walletkit-schema:\(configuration.schema)"
        let schema = configuration.schema
        let migrationsTable = migrationsTable, kvTable = kvTable, logger = driverLogger
        return try await connection.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(hashtext(\(lockKey)))", logger: logger)
            if schema != "public" {
                try await connection.query(
                    PostgresQuery(unsafeSQL: "CREATE SCHEMA IF NOT EXISTS \"\(schema)\""), logger: logger)
            }
            try await connection.query(
                PostgresQuery(unsafeSQL: """
                    CREATE TABLE IF NOT EXISTS \(migrationsTable) (
                        version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())
                    """), logger: logger)
            var current = 0
            for try await version in try await connection.query(
                PostgresQuery(unsafeSQL: "SELECT coalesce(max(version), 0) FROM \(migrationsTable)"), logger: logger
            ).decode(Int.self) {
                current = version
            }
            guard current <= Self.schemaVersion else {
                throw StorageError.openFailed(
                    "\(self.configuration): the database schema is at version \(current), newer than this library's "
                        + "\(Self.schemaVersion); upgrade the library")
            }
            var applied = 0
            for (version, statements) in Self.migrations(kvTable: kvTable) where version > current {
                for statement in statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query(
                    "INSERT INTO \(unescaped: migrationsTable) (version) VALUES (\(version))", logger: logger)
                applied += 1
            }
            return applied
        }
    }

    /// The migrations, by version: each a list of statements run in the migration's transaction.
    static func migrations(kvTable: String) -> [(version: Int, statements: [String])] {
        [
            (1, ["CREATE TABLE \(kvTable) (key text COLLATE \"C\" PRIMARY KEY, value bytea NOT NULL)"])
        ]
    }

    // MARK: - KeyValueStorage

    public func value(forKey key: String) async throws -> Data? {
        try await prepare()
        let sql = "SELECT value FROM \(kvTable) WHERE key = $1"
        do {
            return try await withConnection { connection in
                var binds = PostgresBindings()
                binds.append(key)
                var found: Data?
                for try await value in try await connection.query(
                    PostgresQuery(unsafeSQL: sql, binds: binds), logger: self.driverLogger
                ).decode(Data.self) {
                    found = value
                }
                return found
            }
        } catch {
            throw storageError(error, operation: .read)
        }
    }

    public func values(withPrefix prefix: String) async throws -> [StorageItem] {
        try await prepare()
        let query = prefixQuery(prefix)
        do {
            return try await withConnection { connection in
                var items: [StorageItem] = []
                for try await (key, value) in try await connection.query(query, logger: self.driverLogger)
                    .decode((String, Data).self)
                {
                    items.append(StorageItem(key: key, value: value))
                }
                return items
            }
        } catch {
            throw storageError(error, operation: .read)
        }
    }

    /// Decodes row by row as the rows arrive, so the raw rows are never all in memory.
    public func decodedValues<T: Decodable & Sendable>(
        withPrefix prefix: String, as type: T.Type
    ) async throws -> [(key: String, value: T?)] {
        try await prepare()
        let query = prefixQuery(prefix)
        do {
            return try await withConnection { connection in
                let decoder = JSONDecoder()
                var items: [(key: String, value: T?)] = []
                for try await (key, value) in try await connection.query(query, logger: self.driverLogger)
                    .decode((String, ByteBuffer).self)
                {
                    let decoded = value.withUnsafeReadableBytes { bytes in
                        try? decoder.decode(T.self, from: Data(bytes))
                    }
                    items.append((key, decoded))
                }
                return items
            }
        } catch {
            throw storageError(error, operation: .read)
        }
    }

    /// `key` starts with `prefix`: a key range when the prefix ends in an ASCII character (every prefix of this
    /// library ends in "/"), so the primary key's index is used; `left(key, n) = prefix` otherwise.
    func prefixQuery(_ prefix: String) -> PostgresQuery {
        var bytes = Array(prefix.utf8)
        var binds = PostgresBindings()
        binds.append(prefix)
        if let last = bytes.last, last < 0x7F {
            bytes[bytes.count - 1] = last + 1
            binds.append(String(decoding: bytes, as: UTF8.self))
            return PostgresQuery(
                unsafeSQL: "SELECT key, value FROM \(kvTable) WHERE key >= $1 AND key < $2 ORDER BY key", binds: binds)
        }
        return PostgresQuery(
            unsafeSQL: "SELECT key, value FROM \(kvTable) WHERE left(key, length($1)) = $1 ORDER BY key", binds: binds)
    }

    public func write(_ changes: [StorageChange]) async throws {
        guard !changes.isEmpty else { return }
        try await prepare()
        let query = writeQuery(changes)
        var attempt = 1
        while true {
            do {
                try await withConnection { connection in
                    _ = try await connection.query(query, logger: self.driverLogger)
                }
                return
            } catch {
                guard Self.isRetryable(error), attempt < configuration.maximumWriteAttempts else {
                    throw storageError(error, operation: .write)
                }
                state.withLock { $0.statistics.writeRetries += 1 }
                logger.debug("postgres write aborted (serialization failure or deadlock); trying again",
                    metadata: ["wk.attempt": "\(attempt)"])
                try await clock.sleep(for: .milliseconds(5 * attempt))
                attempt += 1
            }
        }
    }

    /// One statement: the removals and the upserts of the last change of each key, in key order (so concurrent
    /// writes lock rows in the same order).
    func writeQuery(_ changes: [StorageChange]) -> PostgresQuery {
        var last: [String: Data?] = [:]
        for change in changes {
            switch change {
            case .set(let key, let value): last[key] = .some(value)
            case .remove(let key): last[key] = .some(nil)
            }
        }
        var removed: [String] = []
        var setKeys: [String] = []
        var setValues: [ByteBuffer] = []
        for key in last.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            if let value = last[key] ?? nil {
                setKeys.append(key)
                setValues.append(ByteBuffer(bytes: value))
            } else {
                removed.append(key)
            }
        }
        var binds = PostgresBindings()
        binds.append(removed)
        binds.append(setKeys)
        binds.append(setValues)
        return PostgresQuery(
            unsafeSQL: """
                WITH removed AS (DELETE FROM \(kvTable) WHERE key = ANY($1::text[]))
                INSERT INTO \(kvTable) (key, value) SELECT k, v FROM unnest($2::text[], $3::bytea[]) AS t(k, v)
                ON CONFLICT (key) DO UPDATE SET value = excluded.value
                """, binds: binds)
    }

    // MARK: - Connections

    /// Runs `body` on a connection of the running pool (unless `pooled` is `false`), or on a connection opened
    /// (and closed) for it.
    private func withConnection<T: Sendable>(
        pooled: Bool = true, _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        let (client, id) = state.withLock { state -> (PostgresClient?, Int) in
            let client = pooled ? state.client : nil
            if client == nil {
                state.nextConnectionID += 1
                state.statistics.directConnections += 1
            }
            return (client, state.nextConnectionID)
        }
        if let client { return try await client.withConnection { try await body($0) } }
        let connection = try await PostgresConnection.connect(
            configuration: connectionConfiguration, id: id, logger: driverLogger)
        do {
            let result = try await body(connection)
            try? await connection.close()
            return result
        } catch {
            try? await connection.close()
            throw error
        }
    }
}

extension PostgresStorage: CustomStringConvertible, CustomReflectable {
    /// `PostgresStorage(postgres://user:***@host:port/database)`.
    public var description: String { "PostgresStorage(\(configuration))" }

    /// The configuration (password as `***`) and the statistics; not the driver's configuration, which holds the
    /// password.
    public var customMirror: Mirror {
        Mirror(self, children: ["configuration": configuration, "statistics": statistics, "isRunning": isRunning])
    }
}
