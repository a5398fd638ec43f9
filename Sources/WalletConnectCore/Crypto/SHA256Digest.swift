import CSodium

/// SHA-256 (libsodium `crypto_hash_sha256`).
package enum SHA256Digest {
    /// The 32-byte SHA-256 digest of `bytes`.
    package static func hash(_ bytes: some Collection<UInt8>) -> [UInt8] {
        _ = Sodium.isReady
        let input = Array(bytes)
        var out = [UInt8](repeating: 0, count: Int(crypto_hash_sha256_BYTES))
        _ = crypto_hash_sha256(&out, input, UInt64(input.count))
        return out
    }
}

/// The hash helpers of the protocol (spec §1.3, §1.4).
///
/// - ``hashKey(_:)``: topic of a key = lowercase hex of SHA-256 of the **decoded bytes**.
/// - ``hashMessage(_:)``: lowercase hex of SHA-256 of the **UTF-8 text** (message ids, dedupe keys).
package enum CryptoHash {
    /// `sha256(hex-decode(hex))` as lowercase hex.
    /// - Throws: ``CryptoError/invalidHex`` if `hex` is not hex.
    package static func hashKey(_ hex: String) throws -> String {
        Hex.encode(SHA256Digest.hash(try Hex.decode(hex)))
    }

    /// `sha256(utf8(text))` as lowercase hex.
    package static func hashMessage(_ text: String) -> String {
        Hex.encode(SHA256Digest.hash(Array(text.utf8)))
    }
}
