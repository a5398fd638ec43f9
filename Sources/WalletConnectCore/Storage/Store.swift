import Foundation

/// A persisted, write-through map of records: sessions, proposals, requests, pairings.
///
/// Each record is stored under `"<storage key>/<record key>"`, so a change rewrites one row, not the whole set.
/// Every mutation is persisted before it returns; when the write fails the in-memory state is left unchanged
/// and the error is thrown, so memory and disk never disagree.
///
/// Mutations run one at a time, in call order: each reads the state the previous one left (memory and disk
/// alike), so two concurrent ``update(_:_:)`` calls on one record compose instead of one losing the other's
/// change, and memory and disk change in the same order. Reads never wait; they see the last completed mutation.
package actor Store<Value: Codable & Sendable> {
    /// The versioned storage key of this store.
    package nonisolated let storageKey: StorageKey
    private let storage: any KeyValueStorage
    private var records: [String: Value] = [:]
    private var recentlyDeleted: [String] = []
    private var recentlyDeletedSet: Set<String> = []
    private var isLoaded = false
    /// Serialises the mutations (one key: the whole store).
    private var writeGate = AsyncSerialGate<Int>()

    /// Creates a store. Call ``load()`` before use.
    package init(storage: any KeyValueStorage, storageKey: StorageKey) {
        self.storage = storage
        self.storageKey = storageKey
    }

    private var rowPrefix: String { storageKey.rawValue + "/" }

    /// Runs `body` after every earlier mutation has finished, and before every later one starts.
    private func serialized<T>(_ body: () async throws -> T) async throws -> T {
        if !writeGate.tryEnter(0) { await withCheckedContinuation { writeGate.park(0, $0) } }
        defer { writeGate.leave(0)?.resume() }
        return try await body()
    }

    /// Loads every persisted record. Records that do not decode are skipped and returned by key.
    /// - Throws: The storage's read error.
    @discardableResult
    package func load() async throws -> [String] {
        try await serialized { try await loadRows() }
    }

    private func loadRows() async throws -> [String] {
        let rows = try await storage.decodedValues(withPrefix: rowPrefix, as: Value.self)
        var corrupt: [String] = []
        var loaded: [String: Value] = [:]
        loaded.reserveCapacity(rows.count)
        for row in rows {
            let key = String(row.key.dropFirst(rowPrefix.count))
            if let value = row.value {
                loaded[key] = value
            } else {
                corrupt.append(key)
            }
        }
        records = loaded
        isLoaded = true
        return corrupt
    }

    /// The record under `key`.
    /// - Throws: ``StoreError`` with the spec's messages when absent.
    package func get(_ key: String) throws -> Value {
        if let value = records[key] { return value }
        if recentlyDeletedSet.contains(key) { throw StoreError.recentlyDeleted(name: storageKey.name, key: key) }
        throw StoreError.noMatchingKey(name: storageKey.name, key: key)
    }

    /// The record under `key`, or `nil`.
    package func value(forKey key: String) -> Value? { records[key] }

    /// Whether a record exists under `key`.
    package func contains(_ key: String) -> Bool { records[key] != nil }

    /// Every record.
    package var values: [Value] { Array(records.values) }

    /// Every record keyed by record key; shares its storage with the store (no copy until one side changes).
    package var recordsByKey: [String: Value] { records }

    /// Every key.
    package var keys: [String] { Array(records.keys) }

    /// Number of records.
    package var count: Int { records.count }

    /// Inserts or replaces the record under `key`, persisting it first.
    /// - Throws: The storage's write error (the record is not changed), or the JSON encoding error.
    package func set(_ key: String, _ value: Value) async throws {
        try await serialized { try await write(key, value) }
    }

    private func write(_ key: String, _ value: Value) async throws {
        let data = try JSONEncoder().encode(value)
        try await storage.write([.set(key: rowPrefix + key, value: data)])
        records[key] = value
    }

    /// Moves every record whose key is not `key(record)` to that key, each move in one transaction (the new row
    /// written and the old one removed together). For a store whose keying changed; a no-op once moved.
    /// - Throws: The storage's write error (that record stays where it was), or the JSON encoding error.
    package func rekey(_ key: (Value) -> String) async throws {
        try await serialized {
            let encoder = JSONEncoder()
            for (old, value) in records {
                let new = key(value)
                guard new != old else { continue }
                try await storage.write([
                    .set(key: rowPrefix + new, value: try encoder.encode(value)), .remove(key: rowPrefix + old),
                ])
                records.removeValue(forKey: old)
                records[new] = value
            }
        }
    }

    /// Inserts many records in one transaction.
    /// - Throws: The storage's write error (no record is changed), or the JSON encoding error.
    package func set(_ items: [(key: String, value: Value)]) async throws {
        try await serialized {
            let encoder = JSONEncoder()
            let changes = try items.map { StorageChange.set(key: rowPrefix + $0.key, value: try encoder.encode($0.value)) }
            try await storage.write(changes)
            for item in items { records[item.key] = item.value }
        }
    }

    /// Applies `mutate` to the record under `key` and persists the result.
    /// - Throws: ``StoreError`` when absent; the storage error when the write fails (no change is kept).
    @discardableResult
    package func update(_ key: String, _ mutate: @Sendable (inout Value) throws -> Void) async throws -> Value {
        try await serialized {
            var value = try get(key)
            try mutate(&value)
            try await write(key, value)
            return value
        }
    }

    /// Deletes the record under `key` (no error when absent). Returns the deleted record.
    /// - Throws: The storage's write error (the record is kept).
    @discardableResult
    package func delete(_ key: String) async throws -> Value? {
        try await serialized {
            guard let existing = records[key] else { return nil }
            try await storage.write([.remove(key: rowPrefix + key)])
            records.removeValue(forKey: key)
            rememberDeleted(key)
            return existing
        }
    }

    /// Mutations waiting for an earlier one to finish (for tests of the ordering).
    var queuedMutations: Int { writeGate.waiterCount(0) }

    private func rememberDeleted(_ key: String) {
        guard recentlyDeletedSet.insert(key).inserted else { return }
        recentlyDeleted.append(key)
        if recentlyDeleted.count >= 200 {
            let dropped = recentlyDeleted.prefix(100)
            recentlyDeleted.removeFirst(100)
            for key in dropped { recentlyDeletedSet.remove(key) }
        }
    }
}

/// Lookup errors of `Store`, with the messages of the spec.
public enum StoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No record under `key` in the store `name`.
    case noMatchingKey(name: String, key: String)
    /// The record under `key` in the store `name` was deleted a short while ago.
    case recentlyDeleted(name: String, key: String)

    /// The spec's message for the error.
    public var description: String {
        switch self {
        case .noMatchingKey(let name, let key): return "No matching key. \(name): \(key)"
        case .recentlyDeleted(let name, let key):
            return "Missing or invalid. Record was recently deleted - \(name): \(key)"
        }
    }
}
