import Foundation

/// The relayer's memory of messages (spec §5.4): every message hash seen per topic (inbound and outbound, for
/// dedupe and echo suppression), and the inbound messages not yet handled by the upper layer.
///
/// A pure value: mutations return the ``StorageChange``s that persist them, one row per message
/// (`<messages key>/<topic>/<sha256>` and `<messages_withoutClientAck key>/<topic>/<sha256>`).
///
/// The dedupe memory is bounded (issue 16): each hash is remembered until its expiry (the message's
/// `publishedAt`, or now for an outbound one, plus ``Limits/lifetime``; the relay does not deliver a message again
/// after its ttl), and never more than ``Limits/maxEntries`` hashes (the ones that expire first are forgotten
/// first). A hash whose message is still unhandled is never forgotten. The expiry is the value of the hash's row
/// (decimal Unix seconds), so the persisted copy expires with it; a row without one (written before the bound)
/// gets now + lifetime when it is loaded.
struct MessageTracker: Sendable {
    /// Bounds of the dedupe memory.
    struct Limits: Sendable, Hashable {
        /// How long a hash is remembered after its message was published, in seconds.
        var lifetime: Int64
        /// The most hashes remembered at once (every topic together).
        var maxEntries: Int
    }

    /// topic → hash → expiry (Unix seconds).
    private(set) var seen: [String: [String: Int64]] = [:]
    private(set) var unhandled: [String: [String: RelayMessage]] = [:]
    /// Number of hashes in ``seen``.
    private(set) var seenCount = 0
    /// The earliest expiry in ``seen`` (an upper bound once entries went): nothing to prune before it.
    private var earliestExpiry: Int64 = .max
    let seenPrefix: String
    let unhandledPrefix: String
    let limits: Limits

    init(storagePrefix: String, limits: Limits = Limits(lifetime: 86_400, maxEntries: 10_000)) {
        self.seenPrefix = StorageKey.messages(prefix: storagePrefix).rawValue + "/"
        self.unhandledPrefix = StorageKey.messagesWithoutClientAck(prefix: storagePrefix).rawValue + "/"
        self.limits = Limits(lifetime: max(0, limits.lifetime), maxEntries: max(1, limits.maxEntries))
    }

    /// The dedupe key of a message text: lowercase hex sha256.
    static func hash(_ message: String) -> String { CryptoHash.hashMessage(message) }

    /// Whether `(topic, hash)` was seen before.
    func hasSeen(topic: String, hash: String) -> Bool {
        seen[topic]?[hash] != nil
    }

    /// The expiry of a hash remembered now for a message published at `publishedAt` (ms; `nil`: now). A time
    /// in the future counts as now, so a relay's clock cannot make the memory last longer.
    func expiry(publishedAt: Int64?, now: Int64) -> Int64 {
        let published = min(publishedAt.map { $0 / 1000 } ?? now, now)
        return Expiry.saturatingSum(published, limits.lifetime)
    }

    private mutating func remember(topic: String, hash: String, expiry: Int64) -> Bool {
        guard seen[topic]?[hash] == nil else { return false }
        seen[topic, default: [:]][hash] = expiry
        seenCount += 1
        earliestExpiry = min(earliestExpiry, expiry)
        return true
    }

    private func seenRow(topic: String, hash: String, expiry: Int64) -> StorageChange {
        .set(key: seenPrefix + topic + "/" + hash, value: Data(String(expiry).utf8))
    }

    /// Records an outgoing message so its echo is dropped.
    mutating func recordOutbound(topic: String, message: String, now: Int64) -> [StorageChange] {
        let hash = Self.hash(message)
        let expiry = expiry(publishedAt: nil, now: now)
        guard remember(topic: topic, hash: hash, expiry: expiry) else { return [] }
        return [seenRow(topic: topic, hash: hash, expiry: expiry)] + prune(now: now)
    }

    /// Records an inbound message as seen and unhandled. Returns `nil` for a duplicate.
    mutating func recordInbound(_ message: RelayMessage, now: Int64) throws -> [StorageChange]? {
        let hash = Self.hash(message.message)
        let expiry = expiry(publishedAt: message.publishedAt, now: now)
        guard seen[message.topic]?[hash] == nil else { return nil }
        let record = try WireJSON.encode(message)
        _ = remember(topic: message.topic, hash: hash, expiry: expiry)
        unhandled[message.topic, default: [:]][hash] = message
        return [
            seenRow(topic: message.topic, hash: hash, expiry: expiry),
            .set(key: unhandledPrefix + message.topic + "/" + hash, value: record),
        ] + prune(now: now)
    }

    /// Undoes ``recordInbound(_:now:)`` in memory when its storage changes could not be written, so the relay's
    /// next delivery of the same message is taken instead of dropped as a duplicate.
    mutating func forgetInbound(_ message: RelayMessage) {
        let hash = Self.hash(message.message)
        forget(topic: message.topic, hash: hash)
        unhandled[message.topic]?.removeValue(forKey: hash)
        if unhandled[message.topic]?.isEmpty == true { unhandled[message.topic] = nil }
    }

    private mutating func forget(topic: String, hash: String) {
        guard seen[topic]?.removeValue(forKey: hash) != nil else { return }
        seenCount -= 1
        if seen[topic]?.isEmpty == true { seen[topic] = nil }
    }

    /// Marks a message handled (never replayed again).
    mutating func markHandled(_ message: RelayMessage) -> [StorageChange] {
        let hash = Self.hash(message.message)
        guard unhandled[message.topic]?.removeValue(forKey: hash) != nil else { return [] }
        if unhandled[message.topic]?.isEmpty == true { unhandled[message.topic] = nil }
        // Its hash may now expire (a hash of an unhandled message is never pruned).
        if let expiry = seen[message.topic]?[hash] { earliestExpiry = min(earliestExpiry, expiry) }
        return [.remove(key: unhandledPrefix + message.topic + "/" + hash)]
    }

    /// Forgets a message entirely, in memory and on disk: the upper layer could not read it (it does not decrypt
    /// or decode), so nothing of it is kept. A redelivery is read (and discarded) again.
    mutating func discard(_ message: RelayMessage) -> [StorageChange] {
        let hash = Self.hash(message.message)
        guard seen[message.topic]?[hash] != nil || unhandled[message.topic]?[hash] != nil else { return [] }
        forgetInbound(message)
        return [
            .remove(key: seenPrefix + message.topic + "/" + hash),
            .remove(key: unhandledPrefix + message.topic + "/" + hash),
        ]
    }

    /// Forgets the hashes that expired by `now`, then, while more than ``Limits/maxEntries`` are remembered, the
    /// ones that expire first. Hashes of unhandled messages stay. Cheap when nothing is due: the full pass runs
    /// only when the earliest expiry has passed or the bound is exceeded, and then goes below the bound by a tenth,
    /// so its cost is spread over many records.
    mutating func prune(now: Int64) -> [StorageChange] {
        guard now >= earliestExpiry || seenCount > limits.maxEntries else { return [] }
        var changes: [StorageChange] = []
        var kept: [(topic: String, hash: String, expiry: Int64)] = []
        var earliest = Int64.max
        for (topic, hashes) in seen {
            for (hash, expiry) in hashes where unhandled[topic]?[hash] == nil {
                if expiry <= now {
                    forget(topic: topic, hash: hash)
                    changes.append(.remove(key: seenPrefix + topic + "/" + hash))
                } else {
                    kept.append((topic, hash, expiry))
                }
            }
        }
        if seenCount > limits.maxEntries {
            let target = limits.maxEntries - limits.maxEntries / 10
            kept.sort { ($0.expiry, $0.topic, $0.hash) < ($1.expiry, $1.topic, $1.hash) }
            var index = 0
            while seenCount > target, index < kept.count {
                let entry = kept[index]
                forget(topic: entry.topic, hash: entry.hash)
                changes.append(.remove(key: seenPrefix + entry.topic + "/" + entry.hash))
                index += 1
            }
            kept.removeFirst(index)
        }
        for entry in kept { earliest = min(earliest, entry.expiry) }
        earliestExpiry = earliest
        return changes
    }

    /// Forgets everything about `topic` (unsubscribe).
    mutating func remove(topic: String) -> [StorageChange] {
        var changes: [StorageChange] = []
        for hash in (seen[topic] ?? [:]).keys {
            forget(topic: topic, hash: hash)
            changes.append(.remove(key: seenPrefix + topic + "/" + hash))
        }
        for hash in (unhandled.removeValue(forKey: topic) ?? [:]).keys {
            changes.append(.remove(key: unhandledPrefix + topic + "/" + hash))
        }
        return changes
    }

    /// Unhandled messages of every topic, oldest first.
    var unhandledMessages: [RelayMessage] {
        unhandled.values.flatMap(\.values).sorted {
            ($0.publishedAt, $0.topic, $0.message) < ($1.publishedAt, $1.topic, $1.message)
        }
    }

    /// Number of unhandled messages.
    var unhandledCount: Int { unhandled.values.reduce(0) { $0 + $1.count } }

    /// Restores the memory from storage rows; returns the changes that prune what expired meanwhile.
    mutating func load(from storage: any KeyValueStorage, now: Int64) async throws -> [StorageChange] {
        let fallback = expiry(publishedAt: nil, now: now)
        for item in try await storage.values(withPrefix: seenPrefix) {
            guard let (topic, hash) = Self.split(item.key.dropFirst(seenPrefix.count)) else { continue }
            let expiry = String(data: item.value, encoding: .utf8).flatMap { Int64($0) } ?? fallback
            _ = remember(topic: topic, hash: hash, expiry: expiry)
        }
        for item in try await storage.values(withPrefix: unhandledPrefix) {
            guard let (topic, hash) = Self.split(item.key.dropFirst(unhandledPrefix.count)),
                let message = try? JSONDecoder().decode(RelayMessage.self, from: item.value)
            else { continue }
            _ = remember(topic: topic, hash: hash, expiry: expiry(publishedAt: message.publishedAt, now: now))
            unhandled[topic, default: [:]][hash] = message
        }
        return prune(now: now)
    }

    private static func split(_ rest: Substring) -> (String, String)? {
        guard let slash = rest.lastIndex(of: "/") else { return nil }
        return (String(rest[..<slash]), String(rest[rest.index(after: slash)...]))
    }
}
