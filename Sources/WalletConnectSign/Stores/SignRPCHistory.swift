import WalletConnectCore

/// One JSON-RPC exchange remembered by the Sign engine (core §5.8).
package struct RPCHistoryRecord: Codable, Sendable, Hashable {
    /// Who sent the request.
    package enum Direction: String, Codable, Sendable, Hashable {
        /// This client sent the request (a response is expected from the peer).
        case outgoing
        /// The peer sent the request (this client answers it).
        case incoming
    }

    /// JSON-RPC id of the request.
    package var id: Int64
    /// Topic the request travelled on.
    package var topic: String
    /// Method of the request (chooses the tag of its response).
    package var method: String
    /// Chain of a `wc_sessionRequest`, if any.
    package var chainID: String?
    /// Who sent the request.
    package var direction: Direction
    /// Whether the request has been answered (a response was sent or received).
    package var isResolved: Bool
    /// Record expiry (Unix seconds): creation + 30 days.
    package var expiry: Int64

    /// Creates a record.
    package init(
        id: Int64, topic: String, method: String, chainID: String? = nil, direction: Direction,
        isResolved: Bool = false, expiry: Int64
    ) {
        self.id = id
        self.topic = topic
        self.method = method
        self.chainID = chainID
        self.direction = direction
        self.isResolved = isResolved
        self.expiry = expiry
    }

    enum CodingKeys: String, CodingKey {
        case id, topic, method
        case chainID = "chainId"
        case direction, isResolved, expiry
    }
}

/// The persisted JSON-RPC history (`wc@2:core:0.3//history`): maps response ids back to their requests.
///
/// Used to pick the tag of a response from the request's method, to drop responses to unknown ids and
/// duplicates of already answered ones, and to recognise redelivered requests.
///
/// JSON-RPC ids are unique per sender only. This client's own requests (``RPCHistoryRecord/Direction/outgoing``)
/// come from one generator and are known by id; a peer's requests are known by topic and id, so two dapps that
/// pick the same id in the same millisecond are two records, not a duplicate.
package actor SignRPCHistory {
    /// Lifetime of a record: 30 days.
    package static let recordLifetime: Int64 = 2_592_000

    private let store: Store<RPCHistoryRecord>
    private let wallClock: WallClock

    /// Creates a history on `storage`; call ``load()`` before use.
    package init(storage: any KeyValueStorage, prefix: String = "", wallClock: WallClock) {
        self.store = Store(storage: storage, storageKey: .history(prefix: prefix))
        self.wallClock = wallClock
    }

    /// The row key: `<id>` for this client's requests, `<topic>/<id>` for a peer's.
    static func key(id: Int64, topic: String, direction: RPCHistoryRecord.Direction) -> String {
        switch direction {
        case .outgoing: String(id)
        case .incoming: topic + "/" + String(id)
        }
    }

    private static func key(of record: RPCHistoryRecord) -> String {
        key(id: record.id, topic: record.topic, direction: record.direction)
    }

    /// Loads the persisted records and drops the expired ones. A peer's request stored under its id alone
    /// (before records were keyed by topic) is moved to its key.
    /// - Throws: The storage error.
    package func load() async throws {
        try await store.load()
        try await store.rekey(Self.key(of:))
        try await pruneExpired()
    }

    /// Deletes every expired record.
    /// - Throws: The storage error.
    package func pruneExpired() async throws {
        let now = wallClock.nowSeconds
        for record in await store.values where record.expiry <= now {
            try await store.delete(Self.key(of: record))
        }
    }

    /// The record of this client's request `id`, or `nil`.
    package func outgoing(id: Int64) async -> RPCHistoryRecord? {
        await store.value(forKey: Self.key(id: id, topic: "", direction: .outgoing))
    }

    /// The record of the request `id` a peer sent on `topic`, or `nil`.
    package func incoming(topic: String, id: Int64) async -> RPCHistoryRecord? {
        await store.value(forKey: Self.key(id: id, topic: topic, direction: .incoming))
    }

    /// Records a request; returns `false` (and changes nothing) when it is already known.
    /// - Throws: The storage error.
    @discardableResult
    package func set(
        id: Int64, topic: String, method: String, chainID: String? = nil, direction: RPCHistoryRecord.Direction
    ) async throws -> Bool {
        let key = Self.key(id: id, topic: topic, direction: direction)
        guard await store.value(forKey: key) == nil else { return false }
        let record = RPCHistoryRecord(
            id: id, topic: topic, method: method, chainID: chainID, direction: direction,
            expiry: wallClock.nowSeconds + Self.recordLifetime)
        try await store.set(key, record)
        return true
    }

    /// Marks this client's request `id` as answered; returns the record as it was before, or `nil` when unknown.
    /// - Throws: The storage error.
    @discardableResult
    package func resolveOutgoing(id: Int64) async throws -> RPCHistoryRecord? {
        try await resolve(key: Self.key(id: id, topic: "", direction: .outgoing))
    }

    /// Marks the request `id` a peer sent on `topic` as answered; returns the record as it was before, or `nil`
    /// when unknown.
    /// - Throws: The storage error.
    @discardableResult
    package func resolveIncoming(topic: String, id: Int64) async throws -> RPCHistoryRecord? {
        try await resolve(key: Self.key(id: id, topic: topic, direction: .incoming))
    }

    /// Methods whose records are deleted once answered: a ping changes nothing, so a redelivered one answered again
    /// costs nothing, while remembering every answered ping for 30 days let a ping flood grow storage without
    /// bound.
    package static let forgottenWhenAnswered: Set<String> = [
        SignMethod.sessionPing.rawValue, "wc_pairingPing",
    ]

    private func resolve(key: String) async throws -> RPCHistoryRecord? {
        guard let record = await store.value(forKey: key) else { return nil }
        if Self.forgottenWhenAnswered.contains(record.method) {
            _ = try await store.delete(key)
            return record
        }
        if !record.isResolved {
            var updated = record
            updated.isResolved = true
            try await store.set(key, updated)
        }
        return record
    }

    /// Deletes every record of `topic`.
    /// - Throws: The storage error.
    package func deleteAll(topic: String) async throws {
        for record in await store.values where record.topic == topic {
            try await store.delete(Self.key(of: record))
        }
    }

    /// Unanswered requests sent by this client.
    package var pendingOutgoing: [RPCHistoryRecord] {
        get async { await store.values.filter { $0.direction == .outgoing && !$0.isResolved } }
    }
}
