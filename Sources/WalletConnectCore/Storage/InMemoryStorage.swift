import Foundation
import Synchronization

/// A `KeyValueStorage` held in memory. Nothing survives the process; use it for tests and ephemeral clients.
public final class InMemoryStorage: KeyValueStorage {
    private let items = Locked<[String: Data]>([:])

    /// Creates an empty storage.
    public init() {}

    public func value(forKey key: String) async throws -> Data? {
        items.withLock { $0[key] }
    }

    public func values(withPrefix prefix: String) async throws -> [StorageItem] {
        items.withLock { items in
            items.filter { $0.key.hasPrefix(prefix) }
                .map { StorageItem(key: $0.key, value: $0.value) }
                .sorted { $0.key < $1.key }
        }
    }

    public func write(_ changes: [StorageChange]) async throws {
        items.withLock { items in
            for change in changes {
                switch change {
                case .set(let key, let value): items[key] = value
                case .remove(let key): items.removeValue(forKey: key)
                }
            }
        }
    }
}
