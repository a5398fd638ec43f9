/// Percent-encoding helpers for URI query strings.
enum FormEncoding {
    private static let hexDigits: [UInt8] = Array("0123456789ABCDEF".utf8)

    /// `application/x-www-form-urlencoded` serialization as `URLSearchParams` does it: ASCII alphanumerics and
    /// `*-._` stay, space becomes `+`, every other UTF-8 byte becomes `%XX`.
    static func encode(_ text: String) -> String {
        encode(text, keeping: { isAlphanumeric($0) || $0 == 0x2a || $0 == 0x2d || $0 == 0x2e || $0 == 0x5f },
            spaceAsPlus: true)
    }

    /// Strict component encoding (RFC 3986 unreserved kept: ASCII alphanumerics and `-._~`), as the JS
    /// `query-string` package does for the relay URL.
    static func encodeComponent(_ text: String) -> String {
        encode(text, keeping: { isAlphanumeric($0) || $0 == 0x2d || $0 == 0x2e || $0 == 0x5f || $0 == 0x7e },
            spaceAsPlus: false)
    }

    /// Decodes a form value: `+` is a space, `%XX` a byte; malformed `%` sequences are kept literally.
    static func decodeForm(_ text: String) -> String {
        percentDecode(text, plusAsSpace: true)
    }

    /// Decodes `%XX` sequences; malformed sequences are kept literally. Invalid UTF-8 is repaired.
    static func percentDecode(_ text: String, plusAsSpace: Bool = false) -> String {
        let input = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(input.count)
        var index = 0
        while index < input.count {
            let byte = input[index]
            if byte == 0x25, index + 2 < input.count,
                let high = hexValue(input[index + 1]), let low = hexValue(input[index + 2])
            {
                out.append(high << 4 | low)
                index += 3
            } else {
                out.append(plusAsSpace && byte == 0x2b ? 0x20 : byte)
                index += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func encode(_ text: String, keeping keep: (UInt8) -> Bool, spaceAsPlus: Bool) -> String {
        var out: [UInt8] = []
        for byte in text.utf8 {
            if keep(byte) {
                out.append(byte)
            } else if spaceAsPlus, byte == 0x20 {
                out.append(0x2b)
            } else {
                out.append(contentsOf: [0x25, hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0x0f)]])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5a).contains(byte) || (0x61...0x7a).contains(byte)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: return byte - 0x30
        case 0x41...0x46: return byte - 0x41 + 10
        case 0x61...0x66: return byte - 0x61 + 10
        default: return nil
        }
    }
}
