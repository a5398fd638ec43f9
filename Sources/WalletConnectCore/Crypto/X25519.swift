import CSodium

/// X25519 key agreement (RFC 7748) through libsodium `crypto_scalarmult`.
///
/// Private keys are 32 raw bytes stored unclamped; clamping happens inside the scalar multiplication.
package enum X25519 {
    /// Key, public key and shared-secret length in bytes.
    package static let keyLength = 32

    /// A key pair: 32-byte private scalar and 32-byte public u-coordinate.
    package struct KeyPair: Sendable {
        /// The private key (secret).
        package let privateKey: [UInt8]
        /// The public key.
        package let publicKey: [UInt8]
    }

    /// Generates a key pair from 32 fresh random bytes.
    /// - Throws: ``CryptoError`` if libsodium fails.
    package static func generateKeyPair() throws -> KeyPair {
        var seed = SecureRandom.bytes(keyLength)
        defer { Sodium.wipe(&seed) }
        return try keyPair(privateKey: seed)
    }

    /// The key pair for a given 32-byte private key.
    /// - Throws: ``CryptoError/invalidKeyLength`` for a wrong length.
    package static func keyPair(privateKey: [UInt8]) throws -> KeyPair {
        KeyPair(privateKey: privateKey, publicKey: try publicKey(privateKey: privateKey))
    }

    /// The public key `X25519(privateKey, 9)`.
    /// - Throws: ``CryptoError/invalidKeyLength`` or ``CryptoError/operationFailed``.
    package static func publicKey(privateKey: [UInt8]) throws -> [UInt8] {
        try Sodium.ensureReady()
        guard privateKey.count == keyLength else { throw CryptoError.invalidKeyLength }
        var out = [UInt8](repeating: 0, count: keyLength)
        guard crypto_scalarmult_base(&out, privateKey) == 0 else { throw CryptoError.operationFailed }
        return out
    }

    /// The raw shared secret `X25519(privateKey, peerPublicKey)`.
    /// - Throws: ``CryptoError/keyAgreementFailed`` when the result is all zeros (low-order peer key),
    ///   ``CryptoError/invalidKeyLength`` for wrong lengths.
    package static func sharedSecret(privateKey: [UInt8], peerPublicKey: [UInt8]) throws -> [UInt8] {
        try Sodium.ensureReady()
        guard privateKey.count == keyLength, peerPublicKey.count == keyLength else {
            throw CryptoError.invalidKeyLength
        }
        var out = [UInt8](repeating: 0, count: keyLength)
        // crypto_scalarmult returns -1 when the result is the all-zero point.
        guard crypto_scalarmult(&out, privateKey, peerPublicKey) == 0 else {
            throw CryptoError.keyAgreementFailed
        }
        guard out.contains(where: { $0 != 0 }) else { throw CryptoError.keyAgreementFailed }
        return out
    }

    /// Whether `publicKey` is a peer key that key agreement can use: 32 bytes and not a low-order point (for which
    /// every shared secret is all zero, so `crypto_scalarmult` returns -1).
    ///
    /// Tries one agreement with a fixed scalar: clamping makes every scalar a multiple of the cofactor 8, so the
    /// result is zero exactly when the point has low order.
    package static func isUsablePeerKey(_ publicKey: [UInt8]) -> Bool {
        guard publicKey.count == keyLength, (try? Sodium.ensureReady()) != nil else { return false }
        let scalar = [UInt8](repeating: 0x5a, count: keyLength)
        var out = [UInt8](repeating: 0, count: keyLength)
        guard crypto_scalarmult(&out, scalar, publicKey) == 0 else { return false }
        return out.contains { $0 != 0 }
    }

    /// The protocol's symmetric key: `HKDF-SHA256(X25519(privateKey, peerPublicKey))`, no salt, empty info,
    /// 32 bytes (spec §1.2).
    /// - Throws: see ``sharedSecret(privateKey:peerPublicKey:)``.
    package static func deriveSymKey(privateKey: [UInt8], peerPublicKey: [UInt8]) throws -> [UInt8] {
        var shared = try sharedSecret(privateKey: privateKey, peerPublicKey: peerPublicKey)
        defer { Sodium.wipe(&shared) }
        return try HKDF.deriveKey(inputKeyMaterial: shared)
    }
}
