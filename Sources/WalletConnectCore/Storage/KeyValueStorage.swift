import Foundation

/// One change in an atomic storage write.
public enum StorageChange: Sendable, Hashable {
    case set(key: String, value: Data)
    case remove(key: String)
}

/// The async key-value store every persisted controller sits on.
///
/// Implementations must be safe to call from many tasks. ``write(_:)`` applies all its changes
/// atomically: after a crash either all of them are visible or none.
public protocol KeyValueStorage: Sendable {
    /// The value stored under `key`, or `nil`.
    func value(forKey key: String) async throws -> Data?
    /// Every key/value pair whose key starts with `prefix`, ordered by key.
    func values(withPrefix prefix: String) async throws -> [StorageItem]
    /// Applies every change in one transaction.
    func write(_ changes: [StorageChange]) async throws
}

/// A key and its stored bytes.
public struct StorageItem: Sendable, Hashable {
    public var key: String
    public var value: Data
    public init(key: String, value: Data) {
        self.key = key
        self.value = value
    }
}

extension KeyValueStorage {
    /// Stores `value` under `key`.
    public func setValue(_ value: Data, forKey key: String) async throws {
        try await write([.set(key: key, value: value)])
    }

    /// Removes the value under `key` (no error if absent).
    public func removeValue(forKey key: String) async throws {
        try await write([.remove(key: key)])
    }
}

/// Errors raised by the storage layer.
public struct StorageError: Error, Sendable, Hashable, CustomStringConvertible {
    enum Kind: Sendable, Hashable {
        case openFailed
        case writeFailed
        case readFailed
        case corruptRecord
    }

    let kind: Kind
    /// A human-readable reason (never contains stored values).
    public let reason: String

    public static func openFailed(_ reason: String) -> StorageError { .init(kind: .openFailed, reason: reason) }
    public static func writeFailed(_ reason: String) -> StorageError { .init(kind: .writeFailed, reason: reason) }
    public static func readFailed(_ reason: String) -> StorageError { .init(kind: .readFailed, reason: reason) }
    public static func corruptRecord(_ reason: String) -> StorageError { .init(kind: .corruptRecord, reason: reason) }

    public var isWriteFailure: Bool { kind == .writeFailed }

    public var description: String {
        switch kind {
        case .openFailed: return "storage could not be opened: \(reason)"
        case .writeFailed: return "storage write failed: \(reason)"
        case .readFailed: return "storage read failed: \(reason)"
        case .corruptRecord: return "stored record could not be decoded: \(reason)"
        }
    }
}
