import CSodium

/// Ed25519 signatures (RFC 8032) through libsodium `crypto_sign_*`.
package enum Ed25519 {
    /// Seed and public key length in bytes.
    package static let keyLength = 32
    /// Signature length in bytes.
    package static let signatureLength = 64

    /// A key pair derived from a 32-byte seed. `secretKey` is `seed || publicKey` (64 bytes).
    package struct KeyPair: Sendable {
        /// The 32-byte public key.
        package let publicKey: [UInt8]
        /// The 64-byte libsodium secret key (`seed || publicKey`).
        package let secretKey: [UInt8]
    }

    /// The key pair for `seed` (`crypto_sign_seed_keypair`).
    /// - Throws: ``CryptoError/invalidKeyLength`` if the seed is not 32 bytes.
    package static func keyPair(seed: [UInt8]) throws -> KeyPair {
        try Sodium.ensureReady()
        guard seed.count == keyLength else { throw CryptoError.invalidKeyLength }
        var publicKey = [UInt8](repeating: 0, count: Int(crypto_sign_PUBLICKEYBYTES))
        var secretKey = [UInt8](repeating: 0, count: Int(crypto_sign_SECRETKEYBYTES))
        guard crypto_sign_seed_keypair(&publicKey, &secretKey, seed) == 0 else { throw CryptoError.operationFailed }
        return KeyPair(publicKey: publicKey, secretKey: secretKey)
    }

    /// The public key for `seed`; the 64-byte secret key libsodium derives on the way is zeroed.
    /// - Throws: ``CryptoError/invalidKeyLength`` if the seed is not 32 bytes.
    package static func publicKey(seed: [UInt8]) throws -> [UInt8] {
        try Sodium.ensureReady()
        guard seed.count == keyLength else { throw CryptoError.invalidKeyLength }
        var publicKey = [UInt8](repeating: 0, count: Int(crypto_sign_PUBLICKEYBYTES))
        var secretKey = [UInt8](repeating: 0, count: Int(crypto_sign_SECRETKEYBYTES))
        defer { Sodium.wipe(&secretKey) }
        guard crypto_sign_seed_keypair(&publicKey, &secretKey, seed) == 0 else { throw CryptoError.operationFailed }
        return publicKey
    }

    /// A detached signature of `message` with the key derived from `seed`.
    /// - Throws: ``CryptoError/invalidKeyLength`` or ``CryptoError/operationFailed``.
    package static func sign(_ message: [UInt8], seed: [UInt8]) throws -> [UInt8] {
        var secretKey = try keyPair(seed: seed).secretKey
        defer { Sodium.wipe(&secretKey) }
        var signature = [UInt8](repeating: 0, count: signatureLength)
        var signatureLength: UInt64 = 0
        guard crypto_sign_detached(&signature, &signatureLength, message, UInt64(message.count), secretKey) == 0 else {
            throw CryptoError.operationFailed
        }
        return signature
    }

    /// Whether `signature` is a valid signature of `message` by `publicKey`.
    package static func verify(signature: [UInt8], message: [UInt8], publicKey: [UInt8]) -> Bool {
        guard Sodium.isReady, signature.count == signatureLength, publicKey.count == keyLength else { return false }
        return crypto_sign_verify_detached(signature, message, UInt64(message.count), publicKey) == 0
    }
}
