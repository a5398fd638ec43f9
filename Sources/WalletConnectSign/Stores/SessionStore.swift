import WalletConnectCore

/// The persisted sessions of a Sign client (`wc@2:client:0.3//session`), keyed by session topic.
///
/// A thin actor over the core `Store`: every mutation is written through before it returns, so the
/// sessions survive a restart.
package actor SessionStore {
    private let store: Store<Session>

    /// Creates a session store on `storage`; call ``load()`` before use.
    /// - Parameters:
    ///   - storage: The key-value backend (SQLite file by default in the client).
    ///   - prefix: Custom storage prefix (goes before `//` in the key).
    package init(storage: any KeyValueStorage, prefix: String = "") {
        self.store = Store(storage: storage, storageKey: .client("session", prefix: prefix))
    }

    /// Loads every persisted session. Returns the keys of records that could not be decoded.
    /// - Throws: The storage error.
    @discardableResult
    package func load() async throws -> [String] { try await store.load() }

    /// The session under `topic`, or `nil`.
    package func session(topic: String) async -> Session? { await store.value(forKey: topic) }

    /// Whether `topic` was deleted recently (the spec's "recently deleted" set).
    package func wasRecentlyDeleted(topic: String) async -> Bool {
        do {
            _ = try await store.get(topic)
            return false
        } catch StoreError.recentlyDeleted {
            return true
        } catch {
            return false
        }
    }

    /// Every stored session.
    package var all: [Session] { get async { await store.values } }

    /// Every stored session keyed by topic.
    package var byTopic: [String: Session] {
        // Sessions are stored under their topic, so the store's own map is the answer (shared, not copied).
        get async { await store.recordsByKey }
    }

    /// Inserts or replaces a session.
    /// - Throws: The storage error (nothing is changed then).
    package func set(_ session: Session) async throws { try await store.set(session.topic, session) }

    /// Applies `mutate` to the session under `topic` and persists it.
    /// - Throws: `StoreError` when absent; the storage error when the write fails.
    @discardableResult
    package func update(topic: String, _ mutate: @Sendable (inout Session) throws -> Void) async throws -> Session {
        try await store.update(topic, mutate)
    }

    /// Deletes the session under `topic`; returns it (or `nil` when absent).
    /// - Throws: The storage error.
    @discardableResult
    package func delete(topic: String) async throws -> Session? { try await store.delete(topic) }
}
