import Foundation

/// A JSON value that round-trips any JSON text without loss.
///
/// Integers are kept as `Int64`/`UInt64` and never pass through `Double`, so 19-digit relay ids and
/// 16-digit payload ids survive decoding and re-encoding unchanged.
public enum JSONValue: Sendable, Hashable {
    /// JSON `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// An integer that fits in `Int64`.
    case int(Int64)
    /// A non-negative integer above `Int64.max`.
    case uint(UInt64)
    /// Any other number: one that decodes as neither `Int64` nor `UInt64`.
    case double(Double)
    /// A string.
    case string(String)
    /// An array.
    case array([JSONValue])
    /// An object (member order is not kept).
    case object([String: JSONValue])
}

extension JSONValue: Codable {
    public init(from decoder: any Decoder) throws {
        // Each failed attempt costs a thrown DecodingError, so the common kinds go first: strings, integers,
        // objects. The kinds are exclusive (no JSON value decodes as two of them), except the numeric ones,
        // which keep their order: Int64, then UInt64, then Double.
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .int(value)
        } else if let value = try? container.decode([String: JSONValue].self) {
            self = .object(value)
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else if let value = try? container.decode(UInt64.self) {
            self = .uint(value)
        } else if let value = try? container.decode(Double.self) {
            self = .double(value)
        } else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "Unsupported JSON value")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .uint(let value): try container.encode(value)
        case .double(let value): try Self.encode(value, into: &container)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}

extension JSONValue {
    /// Writes a double as JavaScript writes it where Foundation's encoder would differ: an integral value below
    /// 10²¹ is written out in full (`10000000000000000000`, where Foundation writes `1e+19`).
    private static func encode(_ value: Double, into container: inout any SingleValueEncodingContainer) throws {
        let text = JSNumberText.format(value)
        if let integer = Int64(text) {
            try container.encode(integer)
        } else if let integer = UInt64(text) {
            try container.encode(integer)
        } else if text.dropFirst(text.hasPrefix("-") ? 1 : 0).allSatisfy(\.isASCIIDigitCharacter),
            let decimal = Decimal(string: text)
        {
            try container.encode(decimal)
        } else {
            try container.encode(value)
        }
    }
}

extension Character {
    fileprivate var isASCIIDigitCharacter: Bool { ("0"..."9").contains(self) }
}

extension JSONValue {
    /// The string payload, if this is a string.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The value as a 64-bit integer: a JSON integer, or a decimal string.
    public var int64Value: Int64? {
        switch self {
        case .int(let value): return value
        case .uint(let value): return Int64(exactly: value)
        case .string(let value): return Int64(value)
        default: return nil
        }
    }

    /// The Boolean payload, if this is a Boolean.
    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The members, if this is an object.
    public var objectValue: [String: JSONValue]? {
        if case .object(let value) = self { return value }
        return nil
    }

    /// The elements, if this is an array.
    public var arrayValue: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    /// Member lookup on an object; `nil` for other values or missing keys.
    public subscript(key: String) -> JSONValue? {
        objectValue?[key]
    }

    /// Re-encodes this value and decodes it as `T`.
    /// - Throws: `DecodingError` when the value does not decode as `T`.
    public func decode<T: Decodable>(as type: T.Type = T.self) throws -> T {
        let data = try JSONEncoder().encode(self)
        return try JSONDecoder().decode(T.self, from: data)
    }

    /// Encodes any `Encodable` value into a `JSONValue`.
    /// - Throws: `EncodingError` when `value` cannot be encoded (e.g. a non-finite number).
    public init<T: Encodable>(encoding value: T) throws {
        let data = try JSONEncoder().encode(value)
        self = try JSONDecoder().decode(JSONValue.self, from: data)
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
    public init(nilLiteral: ()) { self = .null }
}
