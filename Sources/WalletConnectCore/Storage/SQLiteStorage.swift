import Foundation
import GRDB

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The default `KeyValueStorage`: one SQLite file in WAL mode, created with 0600 permissions.
///
/// Every ``write(_:)`` is one transaction, so a crash never leaves half a change behind.
public final class SQLiteStorage: KeyValueStorage {
    private let pool: DatabasePool
    /// The database file.
    public let path: String

    /// Opens (or creates) the database at `path`.
    /// - Throws: ``StorageError`` when the file cannot be created or opened.
    public init(path: String) throws {
        self.path = path
        try Self.createPrivateFile(at: path)
        var configuration = Configuration()
        configuration.journalMode = .wal
        configuration.busyMode = .timeout(5)
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            try pool.write { db in
                try db.execute(
                    sql: "CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY NOT NULL, value BLOB NOT NULL) WITHOUT ROWID")
            }
        } catch {
            throw StorageError.openFailed("\(path): \(error)")
        }
    }

    /// Creates the file with mode 0600 if it does not exist yet; tightens it to 0600 if it does.
    static func createPrivateFile(at path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        let fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        if fd < 0 {
            // A read-only file can still be opened for reading by SQLite; let it report the real error.
            if errno == EACCES || errno == EROFS { return }
            throw StorageError.openFailed("\(path): errno \(errno)")
        }
        _ = fchmod(fd, 0o600)
        close(fd)
    }

    public func value(forKey key: String) async throws -> Data? {
        do {
            return try await pool.read { db in
                try Data.fetchOne(db, sql: "SELECT value FROM kv WHERE key = ?", arguments: [key])
            }
        } catch {
            throw StorageError.readFailed("\(error)")
        }
    }

    public func values(withPrefix prefix: String) async throws -> [StorageItem] {
        do {
            return try await pool.read { db in
                let rows = try Row.fetchAll(
                    db, sql: "SELECT key, value FROM kv WHERE substr(key, 1, length(?1)) = ?1 ORDER BY key",
                    arguments: [prefix])
                return rows.map { StorageItem(key: $0["key"], value: $0["value"]) }
            }
        } catch {
            throw StorageError.readFailed("\(error)")
        }
    }

    public func write(_ changes: [StorageChange]) async throws {
        guard !changes.isEmpty else { return }
        do {
            try await pool.write { db in
                for change in changes {
                    switch change {
                    case .set(let key, let value):
                        try db.execute(
                            sql: "INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                            arguments: [key, value])
                    case .remove(let key):
                        try db.execute(sql: "DELETE FROM kv WHERE key = ?", arguments: [key])
                    }
                }
            }
        } catch {
            throw StorageError.writeFailed("\(error)")
        }
    }
}
