import Logging
import WalletConnectCore
import WalletConnectSign

/// Opens a ``PostgresStorage`` for a client that runs it for its lifetime: what
/// `SignClientConfiguration.Storage.postgres(url:)` puts in a configuration.
public struct PostgresStorageProvider: ServerStorageProvider {
    /// Where the storage connects.
    public var configuration: PostgresStorageConfiguration
    /// Paces the retries of an aborted write.
    public var clock: any Clock<Duration>

    /// A provider for `configuration`.
    /// - Parameters:
    ///   - configuration: Where the storage connects.
    ///   - clock: Paces the retries of an aborted write.
    public init(configuration: PostgresStorageConfiguration, clock: any Clock<Duration> = ContinuousClock()) {
        self.configuration = configuration
        self.clock = clock
    }

    /// A provider for a `postgres://user:password@host:port/database` URL.
    /// - Throws: ``PostgresURLError`` naming what is wrong with the URL (never the password).
    public init(url: String) throws {
        self.init(configuration: try PostgresStorageConfiguration(url: url))
    }

    /// A new storage, not connected.
    /// - Throws: `StorageError.Kind.openFailed` when the configuration cannot be used.
    public func makeStorage(logger: Logger) throws -> any ServerKeyValueStorage {
        try PostgresStorage(configuration: configuration, clock: clock, logger: logger)
    }

    /// `PostgreSQL postgres://user:***@host:port/database`.
    public var description: String { "PostgreSQL \(configuration)" }
}

extension SignClientConfiguration.Storage {
    /// A PostgreSQL database, from a `postgres://user:password@host:port/database` URL (parameters:
    /// `sslmode`, `schema`, `pool_size`, `connect_timeout`; see ``PostgresStorageConfiguration/init(url:)``).
    ///
    /// The client opens a ``PostgresStorage`` on it, runs its connection pool for its lifetime, creates or
    /// migrates the schema at start, and keeps its key chain in the same database: every instance on the same
    /// database, schema and `customStoragePrefix` is the same wallet.
    /// - Throws: ``PostgresURLError`` naming what is wrong with the URL (never the password).
    public static func postgres(url: String) throws -> Self {
        .server(try PostgresStorageProvider(url: url))
    }
}
