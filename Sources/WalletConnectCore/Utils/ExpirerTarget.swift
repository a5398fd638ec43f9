/// An expirer target (spec §5.7): `topic:<topic>` for string keys, `id:<decimal>` for JSON-RPC ids.
package enum ExpirerTarget: Hashable, Sendable, CustomStringConvertible {
    /// A topic (pairing or session).
    case topic(String)
    /// A JSON-RPC id (a proposal, an authentication request).
    case id(Int64)
    /// One peer's JSON-RPC request: ids are unique per sender only, so a session request is known by its
    /// topic and id together (stored as `request:<topic>:<id>`; not a JS form).
    case request(topic: String, id: Int64)

    /// Parses `topic:<string>`, `id:<integer>` or `request:<topic>:<integer>` (split at the first `:`).
    /// - Throws: ``ExpirerTargetError`` (`Invalid target, expected id:number or topic:string, got <t>`).
    package init(parsing text: String) throws {
        guard let colon = text.firstIndex(of: ":") else { throw ExpirerTargetError(target: text) }
        let kind = text[..<colon]
        let value = String(text[text.index(after: colon)...])
        switch kind {
        case "topic":
            self = .topic(value)
        case "id":
            guard let id = Int64(value) else { throw ExpirerTargetError(target: text) }
            self = .id(id)
        case "request":
            guard let colon = value.lastIndex(of: ":"), let id = Int64(value[value.index(after: colon)...]) else {
                throw ExpirerTargetError(target: text)
            }
            self = .request(topic: String(value[..<colon]), id: id)
        default:
            throw ExpirerTargetError(target: text)
        }
    }

    /// The stored form: `topic:<topic>`, `id:<decimal>` or `request:<topic>:<decimal>`.
    package var rawValue: String {
        switch self {
        case .topic(let topic): return "topic:" + topic
        case .id(let id): return "id:" + String(id)
        case .request(let topic, let id): return "request:" + topic + ":" + String(id)
        }
    }

    /// Same as ``rawValue``.
    package var description: String { rawValue }

    /// The target text for a string key: kept as is when it already starts with `topic:`, else `topic:<key>`.
    package static func format(key: String) -> String {
        key.hasPrefix("topic:") ? key : "topic:" + key
    }

    /// The target text for a numeric key: `id:<decimal>`.
    package static func format(key: Int64) -> String {
        "id:" + String(key)
    }
}

/// An expirer target that is neither `topic:<string>` nor `id:<integer>`.
package struct ExpirerTargetError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The rejected target text.
    package let target: String

    /// The JS message: `Invalid target, expected id:number or topic:string, got <t>`.
    package var description: String { "Invalid target, expected id:number or topic:string, got \(target)" }
}
