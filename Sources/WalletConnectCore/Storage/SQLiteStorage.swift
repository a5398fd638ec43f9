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
///
/// A database that refuses writes — its file, folder or file system is read-only, or it was opened with
/// `readOnly: true` — fails with ``StorageError/Kind/readOnly``: opening it for writing throws that at once, and a
/// write on a read-only storage throws it and keeps nothing.
public final class SQLiteStorage: KeyValueStorage {
    private let pool: DatabasePool
    /// The database file.
    public let path: String
    /// Whether this storage was opened read-only (every write throws ``StorageError/Kind/readOnly``).
    public let isReadOnly: Bool

    /// Opens (or creates) the database at `path`.
    /// - Parameters:
    ///   - path: The database file.
    ///   - readOnly: Open an existing database for reading only (e.g. to inspect a wallet's state without
    ///     changing it): nothing is created, reads see the committed state (also what a writer in another
    ///     process commits), and every ``write(_:)`` throws ``StorageError/Kind/readOnly``.
    /// - Throws: ``StorageError``: ``StorageError/Kind/readOnly`` when the database can only be read, or not be
    ///   opened because its folder may not be written (a read-only file, folder or file system) and `readOnly` is
    ///   `false`; ``StorageError/Kind/openFailed`` when it cannot
    ///   be created or opened (with `readOnly`, also when it does not exist).
    public init(path: String, readOnly: Bool = false) throws {
        self.path = path
        self.isReadOnly = readOnly
        var configuration = Configuration()
        configuration.journalMode = .wal
        configuration.busyMode = .timeout(5)
        configuration.readonly = readOnly
        if readOnly {
            guard FileManager.default.fileExists(atPath: path) else {
                throw StorageError.openFailed("\(path): no such database")
            }
            do {
                pool = try DatabasePool(path: path, configuration: configuration)
            } catch {
                throw StorageError.openFailed("\(path): \(error)")
            }
            return
        }
        try Self.createPrivateFile(at: path)
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            try pool.write { db in
                try db.execute(
                    sql: "CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY NOT NULL, value BLOB NOT NULL) WITHOUT ROWID")
                // A write that changes nothing: SQLite silently opens a file it may not write read-only, and when
                // the table exists (and a crash left a non-empty WAL) nothing above writes. This makes such a
                // database fail here with SQLITE_READONLY, not at the first real write.
                try db.execute(sql: "DELETE FROM kv WHERE 0")
            }
        } catch {
            if Self.isReadOnlyFailure(error) || Self.isUnwritableFolderFailure(error, path: path) {
                throw StorageError.readOnly("\(path): \(error)")
            }
            throw StorageError.openFailed("\(path): \(error)")
        }
    }

    /// Whether `error` is SQLite failing to open the database (`SQLITE_CANTOPEN`) because its folder may not be
    /// written: a WAL database needs to create its `-wal` and `-shm` files next to it.
    static func isUnwritableFolderFailure(_ error: any Error, path: String) -> Bool {
        guard let error = error as? DatabaseError, error.resultCode == .SQLITE_CANTOPEN else { return false }
        let directory = (path as NSString).deletingLastPathComponent
        return access(directory.isEmpty ? "." : directory, W_OK) != 0
    }

    /// Whether `error` is SQLite refusing a write because the database is read-only (`SQLITE_READONLY` and its
    /// extended codes).
    static func isReadOnlyFailure(_ error: any Error) -> Bool {
        guard let error = error as? DatabaseError else { return false }
        return error.resultCode == .SQLITE_READONLY
    }

    /// Runs SQLite's `PRAGMA integrity_check` over the whole file (e.g. after a crash).
    /// - Returns: The problems SQLite reports; empty when the database is intact.
    /// - Throws: ``StorageError/Kind/readFailed`` when the check cannot run.
    public func integrityProblems() async throws -> [String] {
        do {
            let lines = try await pool.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
            return lines == ["ok"] ? [] : lines
        } catch {
            throw StorageError.readFailed("\(error)")
        }
    }

    /// Why `open(2)` failed, in words (`errno 21` said nothing to a user who passed a folder as `--storage`).
    static func describeOpenFailure(errno code: Int32) -> String {
        switch code {
        case EACCES: "permission denied"
        case EPERM: "operation not permitted"
        case EISDIR: "is a directory"
        case ENAMETOOLONG: "file name too long"
        case ENOENT: "no such file or directory"
        case ENOTDIR: "a path component is not a directory"
        case EROFS: "read-only file system"
        case ENOSPC: "no space left on device"
        case EDQUOT: "disk quota exceeded"
        case ELOOP: "too many symbolic links"
        case EMFILE, ENFILE: "too many open files"
        default: "open failed (errno \(code))"
        }
    }

    /// Creates the file with mode 0600 if it does not exist yet; sets it, and its `-wal` and `-shm` files, to 0600
    /// if they exist.
    static func createPrivateFile(at path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        let fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        if fd < 0 {
            // A read-only file can still be opened for reading by SQLite; let it report the real error
            // (EPERM: an immutable file, which even root cannot write).
            if errno == EACCES || errno == EROFS || errno == EPERM { return }
            throw StorageError.openFailed("\(path): \(describeOpenFailure(errno: errno))")
        }
        _ = fchmod(fd, 0o600)
        close(fd)
        // SQLite creates the WAL and shared-memory files with the database file's mode at that moment: after the
        // file was read-only once (0400), they stay read-only and keep refusing writes once it is writable again.
        for suffix in ["-wal", "-shm"] where FileManager.default.fileExists(atPath: path + suffix) {
            _ = chmod(path + suffix, 0o600)
        }
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
        let query = Self.prefixQuery(prefix)
        do {
            return try await pool.read { db in
                var items: [StorageItem] = []
                let rows = try Row.fetchCursor(db, sql: "SELECT key, value FROM kv WHERE \(query.sql) ORDER BY key",
                    arguments: query.arguments)
                while let row = try rows.next() { items.append(StorageItem(key: row[0], value: row[1])) }
                return items
            }
        } catch {
            throw StorageError.readFailed("\(error)")
        }
    }

    /// Decodes row by row from a cursor, so only the decoded values (never every raw row) are held at once.
    public func decodedValues<T: Decodable & Sendable>(
        withPrefix prefix: String, as type: T.Type
    ) async throws -> [(key: String, value: T?)] {
        let query = Self.prefixQuery(prefix)
        do {
            return try await pool.read { db in
                let decoder = JSONDecoder()
                var items: [(key: String, value: T?)] = []
                let rows = try Row.fetchCursor(db, sql: "SELECT key, value FROM kv WHERE \(query.sql) ORDER BY key",
                    arguments: query.arguments)
                while let row = try rows.next() {
                    // The blob is read without a copy; it is only valid until the cursor moves on.
                    let value: T? = try row.withUnsafeData(atIndex: 1) { data in
                        data.flatMap { try? decoder.decode(T.self, from: $0) }
                    }
                    items.append((row[0], value))
                }
                return items
            }
        } catch {
            throw StorageError.readFailed("\(error)")
        }
    }

    /// `key` starts with `prefix`: a primary-key range when the prefix ends in an ASCII character (every prefix
    /// of this library ends in "/"), so SQLite seeks instead of scanning the table.
    static func prefixQuery(_ prefix: String) -> (sql: String, arguments: StatementArguments) {
        var bytes = Array(prefix.utf8)
        if let last = bytes.last, last < 0x7F {
            bytes[bytes.count - 1] = last + 1
            return ("key >= ?1 AND key < ?2", [prefix, String(decoding: bytes, as: UTF8.self)])
        }
        return ("substr(key, 1, length(?1)) = ?1", [prefix])
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
            if Self.isReadOnlyFailure(error) { throw StorageError.readOnly("\(path): \(error)") }
            throw StorageError.writeFailed("\(error)")
        }
    }
}
