import WalletConnectCore

/// One persisted pending request: the request plus the absolute expiry the wallet computed on receipt.
public struct StoredSessionRequest: Codable, Sendable, Hashable {
    /// The request as announced to the app.
    public var request: PendingRequest
    /// Absolute expiry (Unix seconds): the wire `expiryTimestamp`, else receipt time + 900.
    public var expiryTimestamp: Int64
    /// Receipt time (Unix milliseconds); orders requests after a restart.
    public var receivedAt: Int64

    /// Creates a stored request.
    public init(request: PendingRequest, expiryTimestamp: Int64, receivedAt: Int64) {
        self.request = request
        self.expiryTimestamp = expiryTimestamp
        self.receivedAt = receivedAt
    }

    /// Whether the request has expired at `nowMilliseconds` (`now_ms >= expiry * 1000`).
    public func isExpired(nowMilliseconds: Int64) -> Bool { nowMilliseconds >= Expiry.milliseconds(fromSeconds: expiryTimestamp) }
}

/// The persisted pending session requests (`wc@2:client:0.3//request`), keyed by JSON-RPC id.
///
/// A request is stored before it is announced and deleted once the wallet has answered it (or it
/// expired), so a wallet restarted mid-request announces it again and answers it exactly once.
public actor RequestStore {
    private let store: Store<StoredSessionRequest>

    /// Creates a request store on `storage`; call ``load()`` before use.
    public init(storage: any KeyValueStorage, prefix: String = "") {
        self.store = Store(storage: storage, storageKey: .client("request", prefix: prefix))
    }

    /// Loads every persisted request. Returns the keys of records that could not be decoded.
    /// - Throws: The storage error.
    @discardableResult
    public func load() async throws -> [String] { try await store.load() }

    /// The stored request with `id`, or `nil`.
    public func record(id: Int64) async -> StoredSessionRequest? { await store.value(forKey: String(id)) }

    /// The pending request with `id`, or `nil`.
    public func request(id: Int64) async -> PendingRequest? { await record(id: id)?.request }

    /// Every stored request in arrival order.
    public var allRecords: [StoredSessionRequest] {
        get async { await store.values.sorted { ($0.receivedAt, $0.request.id) < ($1.receivedAt, $1.request.id) } }
    }

    /// Every pending request in arrival order.
    public var all: [PendingRequest] { get async { await allRecords.map(\.request) } }

    /// The pending requests of one session, in arrival order.
    public func requests(topic: String) async -> [PendingRequest] {
        await allRecords.filter { $0.request.topic == topic }.map(\.request)
    }

    /// Inserts or replaces a request.
    /// - Throws: The storage error (nothing is changed then).
    public func set(_ record: StoredSessionRequest) async throws { try await store.set(String(record.request.id), record) }

    /// Deletes the request `id`; returns it (or `nil` when absent).
    /// - Throws: The storage error.
    @discardableResult
    public func delete(id: Int64) async throws -> StoredSessionRequest? { try await store.delete(String(id)) }

    /// Deletes every request of the session `topic`; returns the deleted ids.
    /// - Throws: The storage error.
    @discardableResult
    public func deleteAll(topic: String) async throws -> [Int64] {
        var removed: [Int64] = []
        for record in await allRecords where record.request.topic == topic {
            try await store.delete(String(record.request.id))
            removed.append(record.request.id)
        }
        return removed
    }
}
