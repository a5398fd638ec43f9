/// Base64 text codecs used on the wire.
///
/// - Standard alphabet (`+` `/`) is emitted **with** `=` padding; decoding accepts padded or unpadded input.
/// - URL alphabet (`-` `_`) is emitted **without** padding; decoding accepts padded or unpadded input.
public enum Base64Codec {
    private static let standardAlphabet: [UInt8] =
        Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    private static let urlAlphabet: [UInt8] =
        Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// Encodes with the standard alphabet and `=` padding.
    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        encode(Array(bytes), alphabet: standardAlphabet, pad: true)
    }

    /// Decodes standard base64; padding is optional.
    /// - Throws: ``CryptoError/invalidBase64`` on a bad character or length.
    public static func decode(_ text: String) throws -> [UInt8] {
        try decode(text, url: false)
    }

    /// Encodes with the URL alphabet and no padding (base64url, RFC 4648 §5).
    public static func encodeURL(_ bytes: some Collection<UInt8>) -> String {
        encode(Array(bytes), alphabet: urlAlphabet, pad: false)
    }

    /// Decodes base64url; padding is optional.
    /// - Throws: ``CryptoError/invalidBase64`` on a bad character or length.
    public static func decodeURL(_ text: String) throws -> [UInt8] {
        try decode(text, url: true)
    }

    private static func encode(_ bytes: [UInt8], alphabet: [UInt8], pad: Bool) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index + 3 <= bytes.count {
            let chunk = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            out.append(alphabet[Int(chunk >> 18 & 0x3f)])
            out.append(alphabet[Int(chunk >> 12 & 0x3f)])
            out.append(alphabet[Int(chunk >> 6 & 0x3f)])
            out.append(alphabet[Int(chunk & 0x3f)])
            index += 3
        }
        let rest = bytes.count - index
        if rest == 1 {
            let chunk = UInt32(bytes[index]) << 16
            out.append(alphabet[Int(chunk >> 18 & 0x3f)])
            out.append(alphabet[Int(chunk >> 12 & 0x3f)])
            if pad { out.append(contentsOf: [0x3d, 0x3d]) }
        } else if rest == 2 {
            let chunk = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8
            out.append(alphabet[Int(chunk >> 18 & 0x3f)])
            out.append(alphabet[Int(chunk >> 12 & 0x3f)])
            out.append(alphabet[Int(chunk >> 6 & 0x3f)])
            if pad { out.append(0x3d) }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func decode(_ text: String, url: Bool) throws -> [UInt8] {
        var chars = Array(text.utf8)
        // Strip up to two trailing '=' (padding is optional).
        var padding = 0
        while chars.last == 0x3d, padding < 2 {
            chars.removeLast()
            padding += 1
        }
        if padding > 0, (chars.count + padding) % 4 != 0 { throw CryptoError.invalidBase64 }
        guard chars.count % 4 != 1 else { throw CryptoError.invalidBase64 }
        var out: [UInt8] = []
        out.reserveCapacity(chars.count * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        for char in chars {
            guard let value = sextet(char, url: url) else { throw CryptoError.invalidBase64 }
            accumulator = accumulator << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
                accumulator &= (1 << UInt32(bits)) - 1
            }
        }
        return out
    }

    private static func sextet(_ char: UInt8, url: Bool) -> UInt8? {
        switch char {
        case 0x41...0x5a: return char - 0x41
        case 0x61...0x7a: return char - 0x61 + 26
        case 0x30...0x39: return char - 0x30 + 52
        case 0x2b where !url: return 62  // +
        case 0x2f where !url: return 63  // /
        case 0x2d where url: return 62  // -
        case 0x5f where url: return 63  // _
        default: return nil
        }
    }
}
