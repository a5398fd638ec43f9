import Foundation

/// A compact JSON encoder that writes object members in the order `encode(to:)` encodes them.
///
/// Foundation's `JSONEncoder` on Linux does not keep key order, so byte-exact wire frames (the `"exact"`
/// relay vectors) need this encoder. Output: no whitespace, `/` not escaped, non-ASCII as UTF-8, control
/// characters escaped, integral doubles below 2⁵³ written as integers. Supports plain `Codable` types
/// (no date/data strategies); a key encoded twice keeps its first position and its last value.
package struct OrderedJSONEncoder: Sendable {
    /// Appends `text` as a JSON string literal, escaped as JavaScript's `JSON.stringify` does (the one quoting
    /// routine of the package: the relay encoder, the validation-message JSON and the auth JSON all use it).
    package static func appendQuoted(_ text: String, to out: inout String) {
        OrderedJSONSlot.writeString(text, to: &out)
    }

    /// Creates an encoder.
    package init() {}

    /// Encodes `value` as UTF-8 JSON.
    /// - Throws: `EncodingError.invalidValue` for non-finite numbers.
    package func encode<T: Encodable>(_ value: T) throws -> Data {
        Data(try string(value).utf8)
    }

    /// Encodes `value` as JSON text.
    /// - Throws: `EncodingError.invalidValue` for non-finite numbers.
    package func string<T: Encodable>(_ value: T) throws -> String {
        let root = OrderedJSONSlot()
        try OrderedJSONSlot.box(value, into: root, codingPath: [])
        var out = ""
        root.write(to: &out)
        return out
    }
}

final class OrderedJSONSlot {
    enum Value {
        case null
        case bool(Bool)
        case number(String)
        case string(String)
        case array(ArrayStorage)
        case object(ObjectStorage)
    }

    final class ArrayStorage {
        var items: [OrderedJSONSlot] = []
        func append() -> OrderedJSONSlot {
            let slot = OrderedJSONSlot()
            items.append(slot)
            return slot
        }
    }

    final class ObjectStorage {
        var keys: [String] = []
        var slots: [String: OrderedJSONSlot] = [:]
        func slot(for key: String) -> OrderedJSONSlot {
            if let existing = slots[key] {
                existing.value = nil
                return existing
            }
            let slot = OrderedJSONSlot()
            keys.append(key)
            slots[key] = slot
            return slot
        }
    }

    var value: Value?

    static func box<T: Encodable>(_ value: T, into slot: OrderedJSONSlot, codingPath: [any CodingKey]) throws {
        switch value {
        case let v as String: slot.value = .string(v)
        case let v as Bool: slot.value = .bool(v)
        case let v as Int: slot.value = .number(String(v))
        case let v as Int8: slot.value = .number(String(v))
        case let v as Int16: slot.value = .number(String(v))
        case let v as Int32: slot.value = .number(String(v))
        case let v as Int64: slot.value = .number(String(v))
        case let v as UInt: slot.value = .number(String(v))
        case let v as UInt8: slot.value = .number(String(v))
        case let v as UInt16: slot.value = .number(String(v))
        case let v as UInt32: slot.value = .number(String(v))
        case let v as UInt64: slot.value = .number(String(v))
        case let v as Double: slot.value = .number(try number(v, codingPath: codingPath))
        case let v as Float: slot.value = .number(try number(Double(v), codingPath: codingPath))
        default:
            let encoder = OrderedJSONEncoderImpl(slot: slot, codingPath: codingPath)
            try value.encode(to: encoder)
            if slot.value == nil { slot.value = .object(ObjectStorage()) }
        }
    }

    static func number(_ value: Double, codingPath: [any CodingKey]) throws -> String {
        guard value.isFinite else {
            throw EncodingError.invalidValue(
                value, .init(codingPath: codingPath, debugDescription: "JSON cannot encode a non-finite number"))
        }
        if value == value.rounded(), abs(value) < 9_007_199_254_740_992 { return String(Int64(value)) }
        return String(describing: value)
    }

    func write(to out: inout String) {
        switch value ?? .null {
        case .null: out += "null"
        case .bool(let flag): out += flag ? "true" : "false"
        case .number(let text): out += text
        case .string(let text): Self.writeString(text, to: &out)
        case .array(let storage):
            out += "["
            for (index, item) in storage.items.enumerated() {
                if index > 0 { out += "," }
                item.write(to: &out)
            }
            out += "]"
        case .object(let storage):
            out += "{"
            for (index, key) in storage.keys.enumerated() {
                if index > 0 { out += "," }
                Self.writeString(key, to: &out)
                out += ":"
                storage.slots[key]?.write(to: &out)
            }
            out += "}"
        }
    }

    static func writeString(_ text: String, to out: inout String) {
        out += "\""
        // Fast path: most strings (topics, base64 envelopes, ids) need no escaping; append them whole.
        let needsEscaping =
            text.utf8.withContiguousStorageIfAvailable { bytes in
                bytes.contains { $0 < 0x20 || $0 == 0x22 || $0 == 0x5c }
            } ?? true
        guard needsEscaping else {
            out += text
            out += "\""
            return
        }
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }
}

struct OrderedJSONIndexKey: CodingKey {
    var stringValue: String { String(index) }
    var intValue: Int? { index }
    let index: Int
    init(index: Int) { self.index = index }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.index = intValue }
}

final class OrderedJSONEncoderImpl: Encoder {
    let slot: OrderedJSONSlot
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(slot: OrderedJSONSlot, codingPath: [any CodingKey]) {
        self.slot = slot
        self.codingPath = codingPath
    }

    func objectStorage() -> OrderedJSONSlot.ObjectStorage {
        if case .object(let existing)? = slot.value { return existing }
        let storage = OrderedJSONSlot.ObjectStorage()
        slot.value = .object(storage)
        return storage
    }

    func arrayStorage() -> OrderedJSONSlot.ArrayStorage {
        if case .array(let existing)? = slot.value { return existing }
        let storage = OrderedJSONSlot.ArrayStorage()
        slot.value = .array(storage)
        return storage
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(OrderedJSONKeyedContainer<Key>(storage: objectStorage(), codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        OrderedJSONUnkeyedContainer(storage: arrayStorage(), codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        OrderedJSONSingleContainer(slot: slot, codingPath: codingPath)
    }
}
