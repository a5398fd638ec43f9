import Foundation

/// One change in an atomic storage write.
public enum StorageChange: Sendable, Hashable {
    /// Stores `value` under `key`, replacing any previous value.
    case set(key: String, value: Data)
    /// Removes `key`; removing a missing key is not an error.
    case remove(key: String)
}

/// The async key-value store every persisted controller sits on.
///
/// Implementations must be safe to call from many tasks. ``write(_:)`` applies all its changes
/// atomically: after a crash either all of them are visible or none.
public protocol KeyValueStorage: Sendable {
    /// The value stored under `key`, or `nil`.
    /// - Throws: The implementation's read error (``StorageError`` for ``SQLiteStorage``).
    func value(forKey key: String) async throws -> Data?
    /// Every key/value pair whose key starts with `prefix`, ordered by key.
    /// - Throws: The implementation's read error (``StorageError`` for ``SQLiteStorage``).
    func values(withPrefix prefix: String) async throws -> [StorageItem]
    /// Applies every change in one transaction.
    /// - Throws: The implementation's write error (``StorageError`` for ``SQLiteStorage``); nothing was changed.
    func write(_ changes: [StorageChange]) async throws
    /// Every value whose key starts with `prefix`, ordered by key, decoded from JSON as `type` (`nil` for a value
    /// that does not decode). Implementations may decode row by row so that the raw rows are never all in memory.
    /// - Throws: The implementation's read error (``StorageError`` for ``SQLiteStorage``).
    func decodedValues<T: Decodable & Sendable>(
        withPrefix prefix: String, as type: T.Type
    ) async throws -> [(key: String, value: T?)]
}

/// A key and its stored bytes.
public struct StorageItem: Sendable, Hashable {
    /// The full key.
    public var key: String
    /// The stored bytes.
    public var value: Data
    /// Creates an item.
    /// - Parameters:
    ///   - key: The full key.
    ///   - value: The stored bytes.
    public init(key: String, value: Data) {
        self.key = key
        self.value = value
    }
}

extension KeyValueStorage {
    /// Reads ``values(withPrefix:)`` and decodes each value with `JSONDecoder`.
    /// - Throws: What ``values(withPrefix:)`` throws.
    public func decodedValues<T: Decodable & Sendable>(
        withPrefix prefix: String, as type: T.Type
    ) async throws -> [(key: String, value: T?)] {
        let decoder = JSONDecoder()
        return try await values(withPrefix: prefix).map { ($0.key, try? decoder.decode(T.self, from: $0.value)) }
    }

    /// Stores `value` under `key`.
    /// - Throws: What ``write(_:)`` throws.
    public func setValue(_ value: Data, forKey key: String) async throws {
        try await write([.set(key: key, value: value)])
    }

    /// Removes the value under `key` (no error if absent).
    /// - Throws: What ``write(_:)`` throws.
    public func removeValue(forKey key: String) async throws {
        try await write([.remove(key: key)])
    }
}

/// Errors raised by the storage layer.
///
/// Switch on ``kind`` to tell the failures apart, e.g. a read-only database (``Kind/readOnly``: make the file,
/// its folder or its file system writable again, then retry) from a failed write (``Kind/writeFailed``: a full
/// disk, an I/O error), or a database server that cannot be reached (``Kind/unreachable``) from one that refused
/// the credentials (``Kind/authenticationFailed``). Whatever the kind, a failed ``KeyValueStorage/write(_:)``
/// changed nothing.
public struct StorageError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What failed.
    public enum Kind: Sendable, Hashable {
        /// The database could not be opened or created.
        case openFailed
        /// A write failed (e.g. a full disk or an I/O error); nothing of it was kept.
        case writeFailed
        /// A read failed.
        case readFailed
        /// A stored record could not be decoded.
        case corruptRecord
        /// The database refuses writes: its file, folder or file system is read-only (SQLite `SQLITE_READONLY`),
        /// or it was opened read-only. Thrown by the write (nothing of it was kept), or by opening a database
        /// for writing when it can only be read.
        case readOnly
        /// A database server (``ServerKeyValueStorage``) cannot be reached: the connection was refused or timed
        /// out, the host name did not resolve, the TLS handshake failed, or the server went away. Nothing of a
        /// failed write was kept; retry once the server is back.
        case unreachable
        /// A database server refused the credentials: a wrong user name or password, or no right to the database.
        /// The reason names the server and the user, never the password.
        case authenticationFailed
    }

    /// What failed.
    public let kind: Kind
    /// A human-readable reason (never contains stored values).
    public let reason: String

    /// The database could not be opened or created.
    public static func openFailed(_ reason: String) -> StorageError { .init(kind: .openFailed, reason: reason) }
    /// A write failed; nothing of it was kept.
    public static func writeFailed(_ reason: String) -> StorageError { .init(kind: .writeFailed, reason: reason) }
    /// A read failed.
    public static func readFailed(_ reason: String) -> StorageError { .init(kind: .readFailed, reason: reason) }
    /// A stored record could not be decoded.
    public static func corruptRecord(_ reason: String) -> StorageError { .init(kind: .corruptRecord, reason: reason) }
    /// The database refuses writes (read-only file, folder or file system, or opened read-only).
    public static func readOnly(_ reason: String) -> StorageError { .init(kind: .readOnly, reason: reason) }
    /// The database server cannot be reached.
    public static func unreachable(_ reason: String) -> StorageError { .init(kind: .unreachable, reason: reason) }
    /// The database server refused the credentials.
    public static func authenticationFailed(_ reason: String) -> StorageError {
        .init(kind: .authenticationFailed, reason: reason)
    }

    /// Whether a write was refused or failed (``Kind/writeFailed`` or ``Kind/readOnly``).
    public var isWriteFailure: Bool { kind == .writeFailed || kind == .readOnly }

    /// Describes the failure (never contains stored values).
    public var description: String {
        switch kind {
        case .openFailed: return "storage could not be opened: \(reason)"
        case .writeFailed: return "storage write failed: \(reason)"
        case .readFailed: return "storage read failed: \(reason)"
        case .corruptRecord: return "stored record could not be decoded: \(reason)"
        case .readOnly: return "storage is read-only: \(reason)"
        case .unreachable: return "storage server unreachable: \(reason)"
        case .authenticationFailed: return "storage server refused the credentials: \(reason)"
        }
    }
}
