import CSecp256k1
import CSodium
import Foundation

/// secp256k1 operations Ethereum needs, backed by the system libsecp256k1 (0.2.0 or newer).
///
/// Each call creates its own randomized context and destroys it before returning, so nothing
/// is shared between threads. Copies of private keys are zeroed (`sodium_memzero`) after use;
/// the caller owns (and should clear) the `Data` it passes in.
package enum Secp256k1 {
    /// The uncompressed public key (65 bytes, `0x04‖X‖Y`) for a 32-byte private key.
    /// - Throws: ``AuthError`` `.invalidPrivateKey` if the key is not a valid scalar.
    package static func publicKey(privateKey: Data) throws -> Data {
        let context = try Context()
        return try withSecretCopy(of: privateKey) { secret in
            var pubkey = secp256k1_pubkey()
            guard secp256k1_ec_pubkey_create(context.pointer, &pubkey, secret) == 1 else {
                throw AuthError(.invalidPrivateKey, "invalid secp256k1 private key")
            }
            return try serializeUncompressed(pubkey, context: context)
        }
    }

    /// Signs a 32-byte hash (RFC 6979 deterministic nonce, low-s) and returns `r‖s‖recid`
    /// (65 bytes, the last byte 0 or 1).
    /// - Throws: ``AuthError`` `.invalidHash` or `.invalidPrivateKey`.
    package static func signRecoverable(hash: Data, privateKey: Data) throws -> Data {
        guard hash.count == 32 else { throw AuthError(.invalidHash, "hash must be 32 bytes") }
        let context = try Context()
        let digest = [UInt8](hash)
        return try withSecretCopy(of: privateKey) { secret in
            var signature = secp256k1_ecdsa_recoverable_signature()
            guard secp256k1_ecdsa_sign_recoverable(context.pointer, &signature, digest, secret, nil, nil) == 1 else {
                throw AuthError(.invalidPrivateKey, "invalid secp256k1 private key")
            }
            var compact = [UInt8](repeating: 0, count: 64)
            var recoveryID: Int32 = 0
            guard
                secp256k1_ecdsa_recoverable_signature_serialize_compact(
                    context.pointer, &compact, &recoveryID, &signature) == 1
            else {
                throw AuthError(.secp256k1Failure, "could not serialize the signature")
            }
            return Data(compact) + [UInt8(recoveryID)]
        }
    }

    /// Recovers the uncompressed public key (65 bytes) that produced `signature` over `hash`.
    ///
    /// `signature` is 65 bytes `r‖s‖v` with v = 27/28 or 0/1.
    /// - Throws: ``AuthError`` `.invalidSignatureEncoding`, `.invalidHash` or `.recoveryFailed`.
    package static func recoverPublicKey(signature: Data, hash: Data) throws -> Data {
        guard hash.count == 32 else { throw AuthError(.invalidHash, "hash must be 32 bytes") }
        guard signature.count == 65 else {
            throw AuthError(.invalidSignatureEncoding, "signature must be 65 bytes, got \(signature.count)")
        }
        let bytes = [UInt8](signature)
        let recoveryID: Int32
        switch bytes[64] {
        case 0, 27: recoveryID = 0
        case 1, 28: recoveryID = 1
        default:
            throw AuthError(.invalidSignatureEncoding, "signature v must be 0, 1, 27 or 28, got \(bytes[64])")
        }
        let context = try Context()
        var parsed = secp256k1_ecdsa_recoverable_signature()
        let compact = Array(bytes[0..<64])
        guard
            secp256k1_ecdsa_recoverable_signature_parse_compact(context.pointer, &parsed, compact, recoveryID) == 1
        else {
            throw AuthError(.invalidSignatureEncoding, "signature r or s is out of range")
        }
        var pubkey = secp256k1_pubkey()
        let digest = [UInt8](hash)
        guard secp256k1_ecdsa_recover(context.pointer, &pubkey, &parsed, digest) == 1 else {
            throw AuthError(.recoveryFailed, "no public key recovers from this signature")
        }
        return try serializeUncompressed(pubkey, context: context)
    }

    private static func serializeUncompressed(_ pubkey: secp256k1_pubkey, context: Context) throws -> Data {
        var key = pubkey
        var output = [UInt8](repeating: 0, count: 65)
        var length = 65
        guard
            secp256k1_ec_pubkey_serialize(
                context.pointer, &output, &length, &key, UInt32(SECP256K1_EC_UNCOMPRESSED)) == 1, length == 65
        else {
            throw AuthError(.invalidPublicKey, "could not serialize the public key")
        }
        return Data(output)
    }

    /// Runs `body` with a zero-on-exit copy of a 32-byte private key.
    private static func withSecretCopy<T>(of privateKey: Data, _ body: ([UInt8]) throws -> T) throws -> T {
        guard privateKey.count == 32 else {
            throw AuthError(.invalidPrivateKey, "private key must be 32 bytes")
        }
        var secret = [UInt8](privateKey)
        defer { secret.withUnsafeMutableBytes { sodium_memzero($0.baseAddress, $0.count) } }
        return try body(secret)
    }

    /// A randomized libsecp256k1 context owned by one call and destroyed when released.
    private final class Context {
        let pointer: OpaquePointer

        init() throws {
            guard let created = secp256k1_context_create(UInt32(SECP256K1_CONTEXT_NONE)) else {
                throw AuthError(.secp256k1Failure, "could not create a secp256k1 context")
            }
            // Blinding for side-channel resistance of signing and key derivation.
            var generator = SystemRandomNumberGenerator()
            var seed = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
            defer { seed.withUnsafeMutableBytes { sodium_memzero($0.baseAddress, $0.count) } }
            guard secp256k1_context_randomize(created, seed) == 1 else {
                secp256k1_context_destroy(created)
                throw AuthError(.secp256k1Failure, "could not randomize the secp256k1 context")
            }
            pointer = created
        }

        deinit { secp256k1_context_destroy(pointer) }
    }
}
