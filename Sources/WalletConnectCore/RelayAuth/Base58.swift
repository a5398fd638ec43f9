/// Base58 with the Bitcoin alphabet (base58btc, the multibase `z` encoding).
package enum Base58 {
    private static let alphabet: [UInt8] = Array("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz".utf8)
    private static let reverse: [Int8] = {
        var table = [Int8](repeating: -1, count: 128)
        for (index, char) in alphabet.enumerated() { table[Int(char)] = Int8(index) }
        return table
    }()

    /// Encodes bytes; each leading zero byte becomes a leading `1`.
    package static func encode(_ bytes: some Collection<UInt8>) -> String {
        let input = Array(bytes)
        let zeros = input.prefix(while: { $0 == 0 }).count
        // Little-endian base-58 digits of the big-endian number.
        var digits: [UInt8] = []
        digits.reserveCapacity(input.count * 138 / 100 + 1)
        for byte in input.dropFirst(zeros) {
            var carry = UInt32(byte)
            for index in digits.indices {
                carry += UInt32(digits[index]) << 8
                digits[index] = UInt8(carry % 58)
                carry /= 58
            }
            while carry > 0 {
                digits.append(UInt8(carry % 58))
                carry /= 58
            }
        }
        var out = [UInt8](repeating: alphabet[0], count: zeros)
        out.append(contentsOf: digits.reversed().map { alphabet[Int($0)] })
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes base58btc text; each leading `1` becomes a zero byte.
    /// - Throws: ``RelayAuthError/invalidBase58`` for a character outside the alphabet (`0`, `O`, `I`, `l`, …).
    package static func decode(_ text: String) throws -> [UInt8] {
        let input = Array(text.utf8)
        let zeros = input.prefix(while: { $0 == alphabet[0] }).count
        var bytes: [UInt8] = []  // little-endian base-256
        bytes.reserveCapacity(input.count * 733 / 1000 + 1)
        for char in input.dropFirst(zeros) {
            guard char < 128, reverse[Int(char)] >= 0 else { throw RelayAuthError.invalidBase58 }
            var carry = UInt32(reverse[Int(char)])
            for index in bytes.indices {
                carry += UInt32(bytes[index]) * 58
                bytes[index] = UInt8(carry & 0xff)
                carry >>= 8
            }
            while carry > 0 {
                bytes.append(UInt8(carry & 0xff))
                carry >>= 8
            }
        }
        return [UInt8](repeating: 0, count: zeros) + bytes.reversed()
    }
}
