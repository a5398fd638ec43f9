/// Base64 text codecs used on the wire.
///
/// - Standard alphabet (`+` `/`) is emitted **with** `=` padding; decoding accepts padded or unpadded input.
/// - URL alphabet (`-` `_`) is emitted **without** padding; decoding accepts padded or unpadded input.
///
/// The codec is table driven and works on raw buffers: encoding writes straight into the `String`'s storage
/// (two characters per 12-bit table entry, six input bytes per step), decoding ORs four pre-shifted
/// 256-entry tables per quartet and checks all characters at once at the end.
package enum Base64Codec {
    static let standard = Base64Tables(
        alphabet: Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8))
    static let url = Base64Tables(
        alphabet: Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8))

    /// Encodes with the standard alphabet and `=` padding.
    package static func encode(_ bytes: some Collection<UInt8>) -> String {
        encode(bytes, tables: standard, pad: true)
    }

    /// Decodes standard base64; padding is optional.
    /// - Throws: ``CryptoError/invalidBase64`` on a bad character or length.
    package static func decode(_ text: String) throws -> [UInt8] {
        try decode(text, tables: standard)
    }

    /// Encodes with the URL alphabet and no padding (base64url, RFC 4648 §5).
    package static func encodeURL(_ bytes: some Collection<UInt8>) -> String {
        encode(bytes, tables: url, pad: false)
    }

    /// Decodes base64url; padding is optional.
    /// - Throws: ``CryptoError/invalidBase64`` on a bad character or length.
    package static func decodeURL(_ text: String) throws -> [UInt8] {
        try decode(text, tables: url)
    }

    // MARK: buffer level (used by the envelope code)

    /// The text length of `count` bytes.
    static func encodedLength(_ count: Int, pad: Bool) -> Int {
        pad ? (count + 2) / 3 * 4 : (count * 4 + 2) / 3
    }

    /// Bytes a decode of `textCount` characters may touch (the result plus write slack).
    static func decodeCapacity(textCount: Int) -> Int {
        textCount / 4 * 3 + 6
    }

    /// Encodes `bytes` into a new string.
    static func encode(_ bytes: UnsafeRawBufferPointer, tables: Base64Tables, pad: Bool) -> String {
        let length = encodedLength(bytes.count, pad: pad)
        guard length > 0 else { return "" }
        return tables.pairs.withUnsafeBufferPointer { pairs in
            // Four bytes of slack: the tail writes a whole quartet.
            String(unsafeUninitializedCapacity: length + 4) { output in
                guard let source = bytes.baseAddress, let target = output.baseAddress else { return 0 }
                encode(source, count: bytes.count, into: UnsafeMutableRawPointer(target), pairs: pairs, pad: pad)
                return length
            }
        }
    }

    /// Decodes UTF-8 text into `target`, which must hold ``decodeCapacity(textCount:)`` bytes; returns the
    /// decoded length.
    /// - Throws: ``CryptoError/invalidBase64`` on a bad character or length.
    static func decode(
        _ text: UnsafeBufferPointer<UInt8>, tables: Base64Tables, into target: UnsafeMutableRawPointer
    ) throws(CryptoError) -> Int {
        var count = text.count
        var padding = 0
        while count > 0, text[count - 1] == 0x3d, padding < 2 {
            count -= 1
            padding += 1
        }
        if padding > 0, (count + padding) % 4 != 0 { throw CryptoError.invalidBase64 }
        guard count % 4 != 1 else { throw CryptoError.invalidBase64 }
        guard count > 0, let source = text.baseAddress else { return 0 }
        let valid = tables.decode.withUnsafeBufferPointer { table in
            decode(source, count: count, into: target, table: table.baseAddress!)
        }
        guard valid else { throw CryptoError.invalidBase64 }
        return count * 3 / 4
    }

    // MARK: internals

    private static func encode(_ bytes: some Collection<UInt8>, tables: Base64Tables, pad: Bool) -> String {
        if let text = bytes.withContiguousStorageIfAvailable({
            encode(UnsafeRawBufferPointer($0), tables: tables, pad: pad)
        }) {
            return text
        }
        return Array(bytes).withUnsafeBytes { encode($0, tables: tables, pad: pad) }
    }

    private static func decode(_ text: String, tables: Base64Tables) throws -> [UInt8] {
        if let bytes = try text.utf8.withContiguousStorageIfAvailable({ try decode($0, tables: tables) }) {
            return bytes
        }
        return try Array(text.utf8).withUnsafeBufferPointer { try decode($0, tables: tables) }
    }

    private static func decode(_ text: UnsafeBufferPointer<UInt8>, tables: Base64Tables) throws -> [UInt8] {
        try [UInt8](unsafeUninitializedCapacity: decodeCapacity(textCount: text.count)) { buffer, count in
            count = 0
            count = try decode(text, tables: tables, into: UnsafeMutableRawPointer(buffer.baseAddress!))
        }
    }

    /// Writes `encodedLength(count)` characters plus up to 4 bytes of slack.
    private static func encode(
        _ source: UnsafeRawPointer, count: Int, into target: UnsafeMutableRawPointer,
        pairs: UnsafeBufferPointer<UInt16>, pad: Bool
    ) {
        let table = pairs.baseAddress!
        var input = 0
        var output = 0
        // Six bytes per step through one big-endian 8-byte load (needs two readable bytes beyond).
        while input + 8 <= count {
            let word = UInt64(bigEndian: source.loadUnaligned(fromByteOffset: input, as: UInt64.self))
            let chars =
                UInt64(table[Int(truncatingIfNeeded: word >> 52)])
                | UInt64(table[Int(truncatingIfNeeded: word >> 40 & 0xfff)]) << 16
                | UInt64(table[Int(truncatingIfNeeded: word >> 28 & 0xfff)]) << 32
                | UInt64(table[Int(truncatingIfNeeded: word >> 16 & 0xfff)]) << 48
            target.storeBytes(of: chars.littleEndian, toByteOffset: output, as: UInt64.self)
            input += 6
            output += 8
        }
        let bytes = source.assumingMemoryBound(to: UInt8.self)
        while input + 3 <= count {
            let group = Int(bytes[input]) << 16 | Int(bytes[input + 1]) << 8 | Int(bytes[input + 2])
            let chars = UInt32(table[group >> 12]) | UInt32(table[group & 0xfff]) << 16
            target.storeBytes(of: chars.littleEndian, toByteOffset: output, as: UInt32.self)
            input += 3
            output += 4
        }
        let rest = count - input
        guard rest > 0 else { return }
        let group = Int(bytes[input]) << 16 | (rest == 2 ? Int(bytes[input + 1]) << 8 : 0)
        let chars = UInt32(table[group >> 12]) | UInt32(table[group & 0xfff]) << 16
        target.storeBytes(of: chars.littleEndian, toByteOffset: output, as: UInt32.self)
        if pad {
            if rest == 1 { target.storeBytes(of: 0x3d, toByteOffset: output + 2, as: UInt8.self) }
            target.storeBytes(of: 0x3d, toByteOffset: output + 3, as: UInt8.self)
        }
    }

    /// Decodes `count` (unpadded, `count % 4 != 1`) characters; returns whether every character was valid.
    private static func decode(
        _ source: UnsafePointer<UInt8>, count: Int, into target: UnsafeMutableRawPointer,
        table: UnsafePointer<UInt32>
    ) -> Bool {
        var invalid: UInt32 = 0
        var input = 0
        var output = 0
        while input + 4 <= count {
            let word =
                table[Int(source[input])] | table[256 + Int(source[input + 1])]
                | table[512 + Int(source[input + 2])] | table[768 + Int(source[input + 3])]
            invalid |= word
            target.storeBytes(of: word.littleEndian, toByteOffset: output, as: UInt32.self)
            input += 4
            output += 3
        }
        let rest = count - input
        if rest >= 2 {
            var word = table[Int(source[input])] | table[256 + Int(source[input + 1])]
            if rest == 3 { word |= table[512 + Int(source[input + 2])] }
            invalid |= word
            target.storeBytes(of: word.littleEndian, toByteOffset: output, as: UInt32.self)
        }
        return invalid & Base64Tables.invalidMark == 0
    }
}

/// Lookup tables of one base64 alphabet.
struct Base64Tables: Sendable {
    /// Set in a decode entry for a character outside the alphabet.
    static let invalidMark: UInt32 = 0xff00_0000

    /// 4096 entries: the two characters of a 12-bit group, first character in the low byte.
    let pairs: [UInt16]
    /// 4 × 256 entries: the decoded bits of a character at quartet position 0...3, already placed in
    /// output byte order (byte 0 in the low byte); ``invalidMark`` for characters outside the alphabet.
    let decode: [UInt32]

    init(alphabet: [UInt8]) {
        precondition(alphabet.count == 64)
        var pairs = [UInt16](repeating: 0, count: 4096)
        for index in 0..<4096 {
            pairs[index] = UInt16(alphabet[index >> 6]) | UInt16(alphabet[index & 0x3f]) << 8
        }
        var decode = [UInt32](repeating: Self.invalidMark, count: 1024)
        for (value, char) in alphabet.enumerated() {
            let sextet = UInt32(value)
            for position in 0..<4 {
                let bits = sextet << UInt32(18 - 6 * position)  // 24-bit group, first byte highest
                let placed = (bits >> 16 & 0xff) | (bits >> 8 & 0xff) << 8 | (bits & 0xff) << 16
                decode[position * 256 + Int(char)] = placed
            }
        }
        self.pairs = pairs
        self.decode = decode
    }
}
