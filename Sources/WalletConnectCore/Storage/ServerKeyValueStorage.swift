import Logging

/// A ``KeyValueStorage`` on a database server, shared by every process that connects to it (`PostgresStorage` in
/// the `WalletKitPostgres` library).
///
/// Such a storage also holds the key chain (``KeyChain/init(storage:prefix:)``): every instance on the same
/// database and storage prefix has the same relay identity and keys.
///
/// It is usable at any time: while ``run()`` runs, calls share its connection pool; otherwise each call opens a
/// connection of its own (slower, but a stopped client can still be inspected or wiped).
public protocol ServerKeyValueStorage: KeyValueStorage {
    /// Runs the connection pool until the calling task is cancelled, then closes its connections. A client that
    /// opened the storage from ``ServerStorageProvider`` runs it in its own task group and cancels it last, after
    /// every part that writes has stopped.
    /// - Throws: A ``StorageError`` when the storage is already running.
    func run() async throws
    /// Connects once, then creates or migrates the schema if needed. Later calls return at once; every read and
    /// write prepares first, so calling this is only a way to see a bad URL, an unreachable server or refused
    /// credentials at start.
    /// - Throws: ``StorageError``: ``StorageError/Kind/unreachable``, ``StorageError/Kind/authenticationFailed``,
    ///   or ``StorageError/Kind/openFailed`` (e.g. no such database, a schema newer than this library).
    func prepare() async throws
}

/// Opens a ``ServerKeyValueStorage`` for one client, which runs it for its lifetime
/// (`SignClientConfiguration.Storage.server(_:)`; `WalletKitPostgres` makes one from a `postgres://` URL).
public protocol ServerStorageProvider: Sendable, CustomStringConvertible {
    /// A new storage, not running yet. Must not connect.
    /// - Parameter logger: The client's logger (silent unless the app gave one); never receives a password,
    ///   a key or a stored value.
    /// - Throws: A ``StorageError`` when the storage cannot be set up.
    func makeStorage(logger: Logger) throws -> any ServerKeyValueStorage
}
