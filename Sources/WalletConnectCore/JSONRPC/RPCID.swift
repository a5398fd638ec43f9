import Foundation

/// A JSON-RPC id: a 64-bit integer that never passes through `Double`.
///
/// Decodes from a JSON number or a decimal string (the JS SDK sends relay ids as strings);
/// always encodes as a JSON number.
public struct RPCID: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The integer value.
    public var rawValue: Int64

    /// Creates an id from its integer value.
    public init(_ rawValue: Int64) { self.rawValue = rawValue }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Int64.self) {
            rawValue = value
        } else if let text = try? container.decode(String.self), let value = Int64(text) {
            rawValue = value
        } else if let value = try? container.decode(UInt64.self), let exact = Int64(exactly: value) {
            rawValue = exact
        } else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "JSON-RPC id must be a 64-bit integer or a decimal string")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { String(rawValue) }
    public static func < (lhs: RPCID, rhs: RPCID) -> Bool { lhs.rawValue < rhs.rawValue }
}
