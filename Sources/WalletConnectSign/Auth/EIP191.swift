import Foundation

/// EIP-191 version 0x45 (`personal_sign`): sign and verify messages prefixed with
/// `"\u{19}Ethereum Signed Message:\n" + <length> + message`.
///
/// The length is the **UTF-8 byte length** (standard; ethers, reown-swift). JS 2.23.9 uses the
/// UTF-16 length of the string, which differs for non-ASCII messages; this implementation follows
/// the standard (sign.md §9.6), so JS 2.23.9 dapps reject non-ASCII SIWE statements.
package enum EIP191 {
    /// The prefix before the decimal length.
    package static let prefix = "\u{19}Ethereum Signed Message:\n"

    /// keccak256 of the prefixed UTF-8 bytes of `message`.
    package static func hash(message: String) -> Data {
        hash(data: Data(message.utf8))
    }

    /// keccak256 of `prefix + String(data.count) + data`.
    package static func hash(data: Data) -> Data {
        var prefixed = Data(prefix.utf8)
        prefixed.append(contentsOf: String(data.count).utf8)
        prefixed.append(data)
        return Keccak256.hash(prefixed)
    }

    /// Signs `message` with a 32-byte private key; returns `0x` + 65 bytes hex `r‖s‖v`, v = 27/28.
    /// - Throws: ``AuthError`` `.invalidPrivateKey`.
    package static func sign(message: String, privateKey: Data) throws -> String {
        try sign(hash: hash(message: message), privateKey: privateKey)
    }

    /// Signs an already prefixed-and-hashed 32-byte digest; returns `0x` + 65 bytes hex, v = 27/28.
    /// - Throws: ``AuthError`` `.invalidHash` or `.invalidPrivateKey`.
    package static func sign(hash: Data, privateKey: Data) throws -> String {
        var signature = try Secp256k1.signRecoverable(hash: hash, privateKey: privateKey)
        signature[signature.startIndex + 64] += 27
        return AuthHex.encodePrefixed(signature)
    }

    /// Recovers the signer's address from a `0x`-hex 65-byte signature (v 27/28 or 0/1).
    /// - Throws: ``AuthError`` `.invalidSignatureEncoding` or `.recoveryFailed`.
    package static func recoverAddress(message: String, signature: String) throws -> EthereumAddress {
        try recoverAddress(hash: hash(message: message), signature: signature)
    }

    /// Recovers the signer's address for a 32-byte digest.
    /// - Throws: ``AuthError`` `.invalidSignatureEncoding`, `.invalidHash` or `.recoveryFailed`.
    package static func recoverAddress(hash: Data, signature: String) throws -> EthereumAddress {
        guard let bytes = AuthHex.decode(signature) else {
            throw AuthError(.invalidSignatureEncoding, "signature is not hex")
        }
        let publicKey = try Secp256k1.recoverPublicKey(signature: bytes, hash: hash)
        return try EthereumAddress(publicKey: publicKey)
    }

    /// Whether `signature` over `message` recovers to `address` (compared case-insensitively).
    ///
    /// Malformed signatures and addresses are simply invalid (`false`).
    package static func verify(message: String, signature: String, address: String) -> Bool {
        guard let expected = try? EthereumAddress(hex: address),
            let recovered = try? recoverAddress(message: message, signature: signature)
        else { return false }
        return recovered == expected
    }
}
