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

/// The persisted pending session requests (`wc@2:client:0.3//request`), keyed by topic and JSON-RPC id.
///
/// A request is stored before it is announced and deleted once the wallet has answered it (or it
/// expired), so a wallet restarted mid-request announces it again and answers it exactly once. Ids are unique
/// per sender only (two dapps can pick the same one in the same millisecond), so a request is known by its
/// session topic and id together.
public actor RequestStore {
    private let store: Store<StoredSessionRequest>

    /// Creates a request store on `storage`; call ``load()`` before use.
    public init(storage: any KeyValueStorage, prefix: String = "") {
        self.store = Store(storage: storage, storageKey: .client("request", prefix: prefix))
    }

    /// The row key of a request: `<topic>/<id>`.
    static func key(topic: String, id: Int64) -> String { topic + "/" + String(id) }

    /// Loads every persisted request. Returns the keys of records that could not be decoded.
    ///
    /// Rows written under the id alone (before requests were keyed by topic and id) are moved to their key.
    /// - Throws: The storage error.
    @discardableResult
    public func load() async throws -> [String] {
        let corrupt = try await store.load()
        try await store.rekey { Self.key(topic: $0.request.topic, id: $0.request.id) }
        return corrupt
    }

    /// The stored request `id` of session `topic`, or `nil`.
    public func record(topic: String, id: Int64) async -> StoredSessionRequest? {
        await store.value(forKey: Self.key(topic: topic, id: id))
    }

    /// The pending request `id` of session `topic`, or `nil`.
    public func request(topic: String, id: Int64) async -> PendingRequest? { await record(topic: topic, id: id)?.request }

    /// The pending requests with JSON-RPC id `id`, on any topic (usually one), in arrival order.
    public func requests(id: Int64) async -> [PendingRequest] {
        await allRecords.filter { $0.request.id == id }.map(\.request)
    }

    /// Every stored request in arrival order.
    public var allRecords: [StoredSessionRequest] {
        get async {
            await store.values.sorted {
                ($0.receivedAt, $0.request.id, $0.request.topic) < ($1.receivedAt, $1.request.id, $1.request.topic)
            }
        }
    }

    /// Every pending request in arrival order.
    public var all: [PendingRequest] { get async { await allRecords.map(\.request) } }

    /// The pending requests of one session, in arrival order.
    public func requests(topic: String) async -> [PendingRequest] {
        await allRecords.filter { $0.request.topic == topic }.map(\.request)
    }

    /// Inserts or replaces a request.
    /// - Throws: The storage error (nothing is changed then).
    public func set(_ record: StoredSessionRequest) async throws {
        try await store.set(Self.key(topic: record.request.topic, id: record.request.id), record)
    }

    /// Deletes the request `id` of session `topic`; returns it (or `nil` when absent).
    /// - Throws: The storage error.
    @discardableResult
    public func delete(topic: String, id: Int64) async throws -> StoredSessionRequest? {
        try await store.delete(Self.key(topic: topic, id: id))
    }

    /// Deletes every request of the session `topic`; returns the deleted ids.
    /// - Throws: The storage error.
    @discardableResult
    public func deleteAll(topic: String) async throws -> [Int64] {
        var removed: [Int64] = []
        for record in await allRecords where record.request.topic == topic {
            try await store.delete(Self.key(topic: topic, id: record.request.id))
            removed.append(record.request.id)
        }
        return removed
    }
}
