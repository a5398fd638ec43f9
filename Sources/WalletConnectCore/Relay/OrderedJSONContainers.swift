import Foundation

/// Keyed container of ``OrderedJSONEncoder``: members keep their encoding order.
struct OrderedJSONKeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let storage: OrderedJSONSlot.ObjectStorage
    let codingPath: [any CodingKey]

    private func put<T: Encodable>(_ value: T, _ key: Key) throws {
        try OrderedJSONSlot.box(value, into: storage.slot(for: key.stringValue), codingPath: codingPath + [key])
    }

    mutating func encodeNil(forKey key: Key) throws { storage.slot(for: key.stringValue).value = .null }
    mutating func encode(_ value: Bool, forKey key: Key) throws { try put(value, key) }
    mutating func encode(_ value: String, forKey key: Key) throws { try put(value, key) }
    mutating func encode(_ value: Double, forKey key: Key) throws { try put(value, key) }
    mutating func encode(_ value: Float, forKey key: Key) throws { try put(value, key) }
    mutating func encode(_ value: Int, forKey key: Key) throws { try put(value, key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { try put(value, key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { try put(value, key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { try put(value, key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { try put(value, key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { try put(value, key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { try put(value, key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { try put(value, key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { try put(value, key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { try put(value, key) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { try put(value, key) }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        let encoder = OrderedJSONEncoderImpl(slot: storage.slot(for: key.stringValue), codingPath: codingPath + [key])
        return encoder.container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let encoder = OrderedJSONEncoderImpl(slot: storage.slot(for: key.stringValue), codingPath: codingPath + [key])
        return encoder.unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        let key = OrderedJSONSuperKey()
        return OrderedJSONEncoderImpl(slot: storage.slot(for: key.stringValue), codingPath: codingPath + [key])
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        OrderedJSONEncoderImpl(slot: storage.slot(for: key.stringValue), codingPath: codingPath + [key])
    }
}

struct OrderedJSONSuperKey: CodingKey {
    var stringValue: String { "super" }
    var intValue: Int? { nil }
    init() {}
    init?(stringValue: String) { nil }
    init?(intValue: Int) { nil }
}

/// Unkeyed container of ``OrderedJSONEncoder``.
struct OrderedJSONUnkeyedContainer: UnkeyedEncodingContainer {
    let storage: OrderedJSONSlot.ArrayStorage
    let codingPath: [any CodingKey]
    var count: Int { storage.items.count }

    private func append<T: Encodable>(_ value: T) throws {
        let key = OrderedJSONIndexKey(index: storage.items.count)
        try OrderedJSONSlot.box(value, into: storage.append(), codingPath: codingPath + [key])
    }

    mutating func encodeNil() throws { storage.append().value = .null }
    mutating func encode(_ value: Bool) throws { try append(value) }
    mutating func encode(_ value: String) throws { try append(value) }
    mutating func encode(_ value: Double) throws { try append(value) }
    mutating func encode(_ value: Float) throws { try append(value) }
    mutating func encode(_ value: Int) throws { try append(value) }
    mutating func encode(_ value: Int8) throws { try append(value) }
    mutating func encode(_ value: Int16) throws { try append(value) }
    mutating func encode(_ value: Int32) throws { try append(value) }
    mutating func encode(_ value: Int64) throws { try append(value) }
    mutating func encode(_ value: UInt) throws { try append(value) }
    mutating func encode(_ value: UInt8) throws { try append(value) }
    mutating func encode(_ value: UInt16) throws { try append(value) }
    mutating func encode(_ value: UInt32) throws { try append(value) }
    mutating func encode(_ value: UInt64) throws { try append(value) }
    mutating func encode<T: Encodable>(_ value: T) throws { try append(value) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type)
        -> KeyedEncodingContainer<NestedKey>
    {
        let key = OrderedJSONIndexKey(index: storage.items.count)
        return OrderedJSONEncoderImpl(slot: storage.append(), codingPath: codingPath + [key]).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let key = OrderedJSONIndexKey(index: storage.items.count)
        return OrderedJSONEncoderImpl(slot: storage.append(), codingPath: codingPath + [key]).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        let key = OrderedJSONIndexKey(index: storage.items.count)
        return OrderedJSONEncoderImpl(slot: storage.append(), codingPath: codingPath + [key])
    }
}

/// Single-value container of ``OrderedJSONEncoder``.
struct OrderedJSONSingleContainer: SingleValueEncodingContainer {
    let slot: OrderedJSONSlot
    let codingPath: [any CodingKey]

    private func set<T: Encodable>(_ value: T) throws {
        try OrderedJSONSlot.box(value, into: slot, codingPath: codingPath)
    }

    mutating func encodeNil() throws { slot.value = .null }
    mutating func encode(_ value: Bool) throws { try set(value) }
    mutating func encode(_ value: String) throws { try set(value) }
    mutating func encode(_ value: Double) throws { try set(value) }
    mutating func encode(_ value: Float) throws { try set(value) }
    mutating func encode(_ value: Int) throws { try set(value) }
    mutating func encode(_ value: Int8) throws { try set(value) }
    mutating func encode(_ value: Int16) throws { try set(value) }
    mutating func encode(_ value: Int32) throws { try set(value) }
    mutating func encode(_ value: Int64) throws { try set(value) }
    mutating func encode(_ value: UInt) throws { try set(value) }
    mutating func encode(_ value: UInt8) throws { try set(value) }
    mutating func encode(_ value: UInt16) throws { try set(value) }
    mutating func encode(_ value: UInt32) throws { try set(value) }
    mutating func encode(_ value: UInt64) throws { try set(value) }
    mutating func encode<T: Encodable>(_ value: T) throws { try set(value) }
}
