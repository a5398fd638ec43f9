import WalletConnectCore

/// One persisted pending request: the request plus the absolute expiry the wallet computed on receipt.
package struct StoredSessionRequest: Codable, Sendable, Hashable {
    /// The request as announced to the app.
    package var request: PendingRequest
    /// Absolute expiry (Unix seconds): the wire `expiryTimestamp`, else receipt time + 900.
    package var expiryTimestamp: Int64
    /// Receipt time (Unix milliseconds); orders requests after a restart.
    package var receivedAt: Int64

    /// Creates a stored request.
    package init(request: PendingRequest, expiryTimestamp: Int64, receivedAt: Int64) {
        self.request = request
        self.expiryTimestamp = expiryTimestamp
        self.receivedAt = receivedAt
    }

    /// Whether the request has expired at `nowMilliseconds` (`now_ms >= expiry * 1000`).
    package func isExpired(nowMilliseconds: Int64) -> Bool { nowMilliseconds >= Expiry.milliseconds(fromSeconds: expiryTimestamp) }
}

/// The persisted pending session requests (`wc@2:client:0.3//request`), keyed by topic and JSON-RPC id.
///
/// A request is stored before it is announced and deleted once the wallet has answered it (or it
/// expired), so a wallet restarted mid-request announces it again and answers it exactly once. Ids are unique
/// per sender only (two dapps can pick the same one in the same millisecond), so a request is known by its
/// session topic and id together.
package actor RequestStore {
    private let store: Store<StoredSessionRequest>

    /// Creates a request store on `storage`; call ``load()`` before use.
    package init(storage: any KeyValueStorage, prefix: String = "") {
        self.store = Store(storage: storage, storageKey: .client("request", prefix: prefix))
    }

    /// The row key of a request: `<topic>/<id>`.
    static func key(topic: String, id: Int64) -> String { topic + "/" + String(id) }

    /// Loads every persisted request. Returns the keys of records that could not be decoded.
    ///
    /// Rows written under the id alone (before requests were keyed by topic and id) are moved to their key.
    /// - Throws: The storage error.
    @discardableResult
    package func load() async throws -> [String] {
        let corrupt = try await store.load()
        try await store.rekey { Self.key(topic: $0.request.topic, id: $0.request.id) }
        return corrupt
    }

    /// The stored request `id` of session `topic`, or `nil`.
    package func record(topic: String, id: Int64) async -> StoredSessionRequest? {
        await store.value(forKey: Self.key(topic: topic, id: id))
    }

    /// The pending request `id` of session `topic`, or `nil`.
    package func request(topic: String, id: Int64) async -> PendingRequest? { await record(topic: topic, id: id)?.request }

    /// The pending requests with JSON-RPC id `id`, on any topic (usually one), in arrival order.
    package func requests(id: Int64) async -> [PendingRequest] {
        await allRecords.filter { $0.request.id == id }.map(\.request)
    }

    /// Every stored request in arrival order.
    package var allRecords: [StoredSessionRequest] {
        get async {
            await store.values.sorted {
                ($0.receivedAt, $0.request.id, $0.request.topic) < ($1.receivedAt, $1.request.id, $1.request.topic)
            }
        }
    }

    /// Every pending request in arrival order.
    package var all: [PendingRequest] { get async { await allRecords.map(\.request) } }

    /// The pending requests of one session, in arrival order.
    package func requests(topic: String) async -> [PendingRequest] {
        await allRecords.filter { $0.request.topic == topic }.map(\.request)
    }

    /// Inserts or replaces a request.
    /// - Throws: The storage error (nothing is changed then).
    package func set(_ record: StoredSessionRequest) async throws {
        try await store.set(Self.key(topic: record.request.topic, id: record.request.id), record)
    }

    /// Deletes the request `id` of session `topic`; returns it (or `nil` when absent).
    /// - Throws: The storage error.
    @discardableResult
    package func delete(topic: String, id: Int64) async throws -> StoredSessionRequest? {
        try await store.delete(Self.key(topic: topic, id: id))
    }

    /// Deletes every request of the session `topic`; returns the deleted ids.
    /// - Throws: The storage error.
    @discardableResult
    package func deleteAll(topic: String) async throws -> [Int64] {
        var removed: [Int64] = []
        for record in await allRecords where record.request.topic == topic {
            try await store.delete(Self.key(topic: topic, id: record.request.id))
            removed.append(record.request.id)
        }
        return removed
    }
}
