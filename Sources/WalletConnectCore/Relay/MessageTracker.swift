import Foundation

/// The relayer's memory of messages (spec §5.4): every message hash seen per topic (inbound and outbound, for
/// dedupe and echo suppression), and the inbound messages not yet handled by the upper layer.
///
/// A pure value: mutations return the ``StorageChange``s that persist them, one row per message
/// (`<messages key>/<topic>/<sha256>` and `<messages_withoutClientAck key>/<topic>/<sha256>`).
struct MessageTracker: Sendable {
    private(set) var seen: [String: Set<String>] = [:]
    private(set) var unhandled: [String: [String: RelayMessage]] = [:]
    let seenPrefix: String
    let unhandledPrefix: String

    init(storagePrefix: String) {
        self.seenPrefix = StorageKey.messages(prefix: storagePrefix).rawValue + "/"
        self.unhandledPrefix = StorageKey.messagesWithoutClientAck(prefix: storagePrefix).rawValue + "/"
    }

    /// The dedupe key of a message text: lowercase hex sha256.
    static func hash(_ message: String) -> String { CryptoHash.hashMessage(message) }

    /// Whether `(topic, hash)` was seen before.
    func hasSeen(topic: String, hash: String) -> Bool {
        seen[topic]?.contains(hash) ?? false
    }

    /// Records an outgoing message so its echo is dropped.
    mutating func recordOutbound(topic: String, message: String) -> [StorageChange] {
        let hash = Self.hash(message)
        guard seen[topic, default: []].insert(hash).inserted else { return [] }
        return [.set(key: seenPrefix + topic + "/" + hash, value: Data())]
    }

    /// Records an inbound message as seen and unhandled. Returns `nil` for a duplicate.
    mutating func recordInbound(_ message: RelayMessage) throws -> [StorageChange]? {
        let hash = Self.hash(message.message)
        guard seen[message.topic, default: []].insert(hash).inserted else { return nil }
        unhandled[message.topic, default: [:]][hash] = message
        return [
            .set(key: seenPrefix + message.topic + "/" + hash, value: Data()),
            .set(key: unhandledPrefix + message.topic + "/" + hash, value: try WireJSON.encode(message)),
        ]
    }

    /// Undoes ``recordInbound(_:)`` in memory when its storage changes could not be written, so the relay's next
    /// delivery of the same message is taken instead of dropped as a duplicate.
    mutating func forgetInbound(_ message: RelayMessage) {
        let hash = Self.hash(message.message)
        seen[message.topic]?.remove(hash)
        if seen[message.topic]?.isEmpty == true { seen[message.topic] = nil }
        unhandled[message.topic]?.removeValue(forKey: hash)
        if unhandled[message.topic]?.isEmpty == true { unhandled[message.topic] = nil }
    }

    /// Marks a message handled (never replayed again).
    mutating func markHandled(_ message: RelayMessage) -> [StorageChange] {
        let hash = Self.hash(message.message)
        guard unhandled[message.topic]?.removeValue(forKey: hash) != nil else { return [] }
        if unhandled[message.topic]?.isEmpty == true { unhandled[message.topic] = nil }
        return [.remove(key: unhandledPrefix + message.topic + "/" + hash)]
    }

    /// Forgets everything about `topic` (unsubscribe).
    mutating func remove(topic: String) -> [StorageChange] {
        var changes: [StorageChange] = []
        for hash in seen.removeValue(forKey: topic) ?? [] {
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

    /// Restores the sets from storage rows.
    mutating func load(from storage: any KeyValueStorage) async throws {
        for item in try await storage.values(withPrefix: seenPrefix) {
            guard let (topic, hash) = Self.split(item.key.dropFirst(seenPrefix.count)) else { continue }
            seen[topic, default: []].insert(hash)
        }
        for item in try await storage.values(withPrefix: unhandledPrefix) {
            guard let (topic, hash) = Self.split(item.key.dropFirst(unhandledPrefix.count)),
                let message = try? JSONDecoder().decode(RelayMessage.self, from: item.value)
            else { continue }
            seen[topic, default: []].insert(hash)
            unhandled[topic, default: [:]][hash] = message
        }
    }

    private static func split(_ rest: Substring) -> (String, String)? {
        guard let slash = rest.lastIndex(of: "/") else { return nil }
        return (String(rest[..<slash]), String(rest[rest.index(after: slash)...]))
    }
}
