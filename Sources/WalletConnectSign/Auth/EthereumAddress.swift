import Foundation

/// A 20-byte Ethereum account address.
///
/// Equality is on the bytes, so comparisons are case-insensitive on the hex form.
package struct EthereumAddress: Sendable, Hashable, CustomStringConvertible {
    /// The 20 address bytes.
    package let bytes: Data

    /// Parses `0x`-prefixed (or bare) hex of 20 bytes, in any letter case (the EIP-55 checksum is not
    /// enforced; use ``isValidChecksum(_:)`` for that).
    /// - Throws: ``AuthError`` `.invalidAddress`.
    package init(hex: String) throws {
        guard let decoded = AuthHex.decode(hex), decoded.count == 20 else {
            throw AuthError(.invalidAddress, "not a 20-byte hex address: \(hex)")
        }
        bytes = decoded
    }

    /// The address of an uncompressed (65 bytes, `0x04…`) or raw (64 bytes) secp256k1 public key:
    /// the last 20 bytes of keccak256 of the 64 coordinate bytes.
    /// - Throws: ``AuthError`` `.invalidPublicKey`.
    package init(publicKey: Data) throws {
        let coordinates: Data
        if publicKey.count == 65, publicKey.first == 0x04 {
            coordinates = publicKey.dropFirst()
        } else if publicKey.count == 64 {
            coordinates = publicKey
        } else {
            throw AuthError(.invalidPublicKey, "expected a 65-byte uncompressed or 64-byte raw public key")
        }
        bytes = Data(Keccak256.hash(Data(coordinates)).suffix(20))
    }

    /// The address controlled by a 32-byte secp256k1 private key.
    /// - Throws: ``AuthError`` `.invalidPrivateKey`.
    package init(privateKey: Data) throws {
        try self.init(publicKey: Secp256k1.publicKey(privateKey: privateKey))
    }

    /// `0x` + 40 lowercase hex digits.
    package var lowercased: String { AuthHex.encodePrefixed(bytes) }

    /// The EIP-55 mixed-case checksum form (`0x15bcA56b…`).
    package var checksummed: String {
        let lower = AuthHex.encode(bytes)
        let hash = [UInt8](Keccak256.hash(lower))
        var output = "0x"
        for (index, character) in lower.enumerated() {
            let nibble = index % 2 == 0 ? hash[index / 2] >> 4 : hash[index / 2] & 0x0F
            output.append(character.isLetter && nibble >= 8 ? Character(character.uppercased()) : character)
        }
        return output
    }

    /// The checksummed form.
    package var description: String { checksummed }

    /// Whether `text` is a valid address whose letter case is either uniform (no checksum) or a
    /// correct EIP-55 checksum.
    package static func isValidChecksum(_ text: String) -> Bool {
        guard let address = try? EthereumAddress(hex: text) else { return false }
        let digits = text.hasPrefix("0x") || text.hasPrefix("0X") ? String(text.dropFirst(2)) : text
        if digits == digits.lowercased() || digits == digits.uppercased() { return true }
        return "0x" + digits == address.checksummed
    }
}
