import CSodium

/// HMAC-SHA256 and HKDF-SHA256 (RFC 5869), built on libsodium's `crypto_auth_hmacsha256` streaming API
/// (libsodium 1.0.18 has no HKDF).
package enum HKDF {
    /// HMAC-SHA256 with a key of any length.
    /// - Throws: ``CryptoError/operationFailed`` if libsodium fails.
    package static func hmacSHA256(key: [UInt8], message: [UInt8]) throws -> [UInt8] {
        try Sodium.ensureReady()
        var state = crypto_auth_hmacsha256_state()
        defer { withUnsafeMutableBytes(of: &state) { sodium_memzero($0.baseAddress, $0.count) } }
        var out = [UInt8](repeating: 0, count: Int(crypto_auth_hmacsha256_BYTES))
        guard crypto_auth_hmacsha256_init(&state, key, key.count) == 0,
            crypto_auth_hmacsha256_update(&state, message, UInt64(message.count)) == 0,
            crypto_auth_hmacsha256_final(&state, &out) == 0
        else { throw CryptoError.operationFailed }
        return out
    }

    /// HKDF-Extract: `PRK = HMAC(salt, ikm)`; an absent salt is 32 zero bytes.
    /// - Throws: ``CryptoError/operationFailed``.
    package static func extract(salt: [UInt8]?, inputKeyMaterial: [UInt8]) throws -> [UInt8] {
        let salt = salt ?? [UInt8](repeating: 0, count: 32)
        return try hmacSHA256(key: salt.isEmpty ? [UInt8](repeating: 0, count: 32) : salt, message: inputKeyMaterial)
    }

    /// HKDF-Expand: `T(1) | T(2) | …` truncated to `length` (at most 255 × 32 bytes).
    /// - Throws: ``CryptoError/invalidKeyLength`` for a bad length, ``CryptoError/operationFailed``.
    package static func expand(pseudoRandomKey: [UInt8], info: [UInt8], length: Int) throws -> [UInt8] {
        guard length >= 0, length <= 255 * 32 else { throw CryptoError.invalidKeyLength }
        var output: [UInt8] = []
        output.reserveCapacity(length + 32)
        var previous: [UInt8] = []
        var message: [UInt8] = []
        message.reserveCapacity(32 + info.count + 1)
        defer {
            Sodium.wipe(&previous)
            Sodium.wipe(&message)
        }
        var counter: UInt8 = 1
        while output.count < length {
            message.removeAll(keepingCapacity: true)
            message.append(contentsOf: previous)
            message.append(contentsOf: info)
            message.append(counter)
            Sodium.wipe(&previous)
            previous = try hmacSHA256(key: pseudoRandomKey, message: message)
            output.append(contentsOf: previous)
            counter &+= 1
        }
        if output.count > length {
            // Zero the tail before dropping it, so no key material is freed unzeroed.
            output.withUnsafeMutableBytes { buffer in
                if let base = buffer.baseAddress { sodium_memzero(base + length, buffer.count - length) }
            }
            output.removeLast(output.count - length)
        }
        return output
    }

    /// Extract then expand.
    /// - Throws: see ``expand(pseudoRandomKey:info:length:)``.
    package static func derive(inputKeyMaterial: [UInt8], salt: [UInt8]?, info: [UInt8], length: Int) throws
        -> [UInt8]
    {
        var prk = try extract(salt: salt, inputKeyMaterial: inputKeyMaterial)
        defer { Sodium.wipe(&prk) }
        return try expand(pseudoRandomKey: prk, info: info, length: length)
    }

    /// The protocol's key derivation: no salt, empty info, 32-byte output (spec §1.2).
    /// - Throws: ``CryptoError/operationFailed``.
    package static func deriveKey(inputKeyMaterial: [UInt8]) throws -> [UInt8] {
        try derive(inputKeyMaterial: inputKeyMaterial, salt: nil, info: [], length: 32)
    }
}
