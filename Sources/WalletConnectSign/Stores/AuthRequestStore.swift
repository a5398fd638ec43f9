import WalletConnectCore

/// The persisted pending `wc_sessionAuthenticate` requests of a wallet (`wc@2:auth:0.3//requests`), keyed by id.
package actor AuthRequestStore {
    private let store: Store<PendingAuthRequest>

    /// Creates an auth request store on `storage`; call ``load()`` before use.
    package init(storage: any KeyValueStorage, prefix: String = "") {
        self.store = Store(
            storage: storage, storageKey: StorageKey(context: "auth", version: "0.3", customPrefix: prefix, name: "requests"))
    }

    /// Loads every persisted request. Returns the keys of records that could not be decoded.
    /// - Throws: The storage error.
    @discardableResult
    package func load() async throws -> [String] { try await store.load() }

    /// The request with `id`, or `nil`.
    package func request(id: Int64) async -> PendingAuthRequest? { await store.value(forKey: String(id)) }

    /// Every stored request, oldest id first.
    package var all: [PendingAuthRequest] { get async { await store.values.sorted { $0.id < $1.id } } }

    /// Inserts or replaces a request.
    /// - Throws: The storage error (nothing is changed then).
    package func set(_ request: PendingAuthRequest) async throws { try await store.set(String(request.id), request) }

    /// Deletes the request `id`; returns it (or `nil` when absent).
    /// - Throws: The storage error.
    @discardableResult
    package func delete(id: Int64) async throws -> PendingAuthRequest? { try await store.delete(String(id)) }
}
