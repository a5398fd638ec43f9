/// Lowercase hexadecimal text for raw bytes (keys, topics, hashes).
package enum Hex {
    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Encodes `bytes` as lowercase hex, two characters per byte.
    package static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes hex text (either case) into bytes.
    /// - Throws: ``CryptoError/invalidHex`` for an odd length or a non-hex character.
    package static func decode(_ hex: String) throws -> [UInt8] {
        let utf8 = Array(hex.utf8)
        guard utf8.count % 2 == 0 else { throw CryptoError.invalidHex }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let high = value(of: utf8[index]), let low = value(of: utf8[index + 1]) else {
                throw CryptoError.invalidHex
            }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    /// Decodes hex text that must describe exactly `count` bytes.
    /// - Throws: ``CryptoError/invalidHex`` or ``CryptoError/invalidKeyLength``.
    package static func decode(_ hex: String, count: Int) throws -> [UInt8] {
        let bytes = try decode(hex)
        guard bytes.count == count else { throw CryptoError.invalidKeyLength }
        return bytes
    }

    /// Whether `text` is exactly `byteCount * 2` lowercase hex characters.
    package static func isLowercaseHex(_ text: String, byteCount: Int) -> Bool {
        let utf8 = text.utf8
        guard utf8.count == byteCount * 2 else { return false }
        return utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    private static func value(of char: UInt8) -> UInt8? {
        switch char {
        case 0x30...0x39: return char - 0x30
        case 0x61...0x66: return char - 0x61 + 10
        case 0x41...0x46: return char - 0x41 + 10
        default: return nil
        }
    }
}
