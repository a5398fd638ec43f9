/// One expirer entry: a target (`topic:<topic>` or `id:<n>`) and its expiry in Unix seconds.
package struct ExpirerEntry: Sendable, Hashable, Codable {
    /// The target text, e.g. `topic:<64 hex>` or `id:1712345678901007`.
    package var target: String
    /// Expiry, Unix seconds.
    package var expiry: Int64

    /// Creates an entry.
    package init(target: String, expiry: Int64) {
        self.target = target
        self.expiry = expiry
    }

    /// Whether the entry has expired at `nowMilliseconds` (`now_ms >= expiry × 1000`, saturating).
    package func isExpired(nowMilliseconds: Int64) -> Bool {
        Expiry.isExpired(expirySeconds: expiry, nowMilliseconds: nowMilliseconds)
    }
}

/// What happened to an expirer entry.
package enum ExpirerEvent: Sendable, Hashable {
    /// An entry was added or replaced.
    case created(ExpirerEntry)
    /// An entry was removed by ``Expirer/delete(_:)``.
    case deleted(ExpirerEntry)
    /// An entry reached its expiry and was removed.
    case expired(ExpirerEntry)

    /// The entry this event is about.
    package var entry: ExpirerEntry {
        switch self {
        case .created(let entry), .deleted(let entry), .expired(let entry): return entry
        }
    }
}
