import CSodium

/// ChaCha20-Poly1305 IETF AEAD (RFC 8439): 32-byte key, 12-byte nonce, 16-byte tag appended to the
/// ciphertext. The protocol uses no associated data.
package enum ChaChaPoly {
    /// Key length in bytes.
    package static let keyLength = 32
    /// Nonce ("iv") length in bytes.
    package static let nonceLength = 12
    /// Tag length in bytes.
    package static let tagLength = 16

    /// Encrypts `plaintext`; returns `ciphertext || tag`.
    /// - Throws: ``CryptoError/invalidKeyLength`` for a wrong key or nonce length.
    package static func seal(_ plaintext: [UInt8], key: [UInt8], nonce: [UInt8]) throws -> [UInt8] {
        try seal(plaintext, key: key, nonce: nonce, authenticating: [])
    }

    /// Decrypts `ciphertext || tag`.
    /// - Throws: ``CryptoError/decryptionFailed`` when authentication fails or the input is shorter than a tag.
    package static func open(_ sealed: [UInt8], key: [UInt8], nonce: [UInt8]) throws -> [UInt8] {
        try open(sealed, key: key, nonce: nonce, authenticating: [])
    }

    /// Seal with associated data (internal: RFC 8439 §2.8.2 known-answer test).
    static func seal(_ plaintext: [UInt8], key: [UInt8], nonce: [UInt8], authenticating aad: [UInt8]) throws
        -> [UInt8]
    {
        try Sodium.ensureReady()
        guard key.count == keyLength, nonce.count == nonceLength else { throw CryptoError.invalidKeyLength }
        var out = [UInt8](repeating: 0, count: plaintext.count + tagLength)
        var outLength: UInt64 = 0
        let status = crypto_aead_chacha20poly1305_ietf_encrypt(
            &out, &outLength, plaintext, UInt64(plaintext.count), aad, UInt64(aad.count), nil, nonce, key)
        guard status == 0 else { throw CryptoError.operationFailed }
        return Array(out.prefix(Int(outLength)))
    }

    /// Open with associated data (internal: RFC 8439 §2.8.2 known-answer test).
    static func open(_ sealed: [UInt8], key: [UInt8], nonce: [UInt8], authenticating aad: [UInt8]) throws
        -> [UInt8]
    {
        try Sodium.ensureReady()
        guard key.count == keyLength, nonce.count == nonceLength else { throw CryptoError.invalidKeyLength }
        guard sealed.count >= tagLength else { throw CryptoError.decryptionFailed }
        var out = [UInt8](repeating: 0, count: sealed.count - tagLength)
        var outLength: UInt64 = 0
        let status = crypto_aead_chacha20poly1305_ietf_decrypt(
            &out, &outLength, nil, sealed, UInt64(sealed.count), aad, UInt64(aad.count), nonce, key)
        guard status == 0 else { throw CryptoError.decryptionFailed }
        // `outLength` is always `sealed.count - tagLength`; no shortened copy (the plaintext is not left behind).
        if Int(outLength) < out.count { out.removeLast(out.count - Int(outLength)) }
        return out
    }
}

extension ChaChaPoly {
    /// Seals `plaintext` into `target` (`plaintext.count + tagLength` bytes); no associated data.
    /// The regions may be the same (in place) but must not partially overlap.
    /// - Throws: ``CryptoError/invalidKeyLength`` or ``CryptoError/operationFailed``.
    static func seal(
        _ plaintext: UnsafeRawBufferPointer, key: [UInt8], nonce: UnsafeRawPointer, into target: UnsafeMutableRawPointer
    ) throws(CryptoError) {
        try Sodium.ensureReady()
        guard key.count == keyLength else { throw CryptoError.invalidKeyLength }
        var outLength: UInt64 = 0
        let status = crypto_aead_chacha20poly1305_ietf_encrypt(
            target.assumingMemoryBound(to: UInt8.self), &outLength,
            plaintext.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(plaintext.count), nil, 0, nil,
            nonce.assumingMemoryBound(to: UInt8.self), key)
        guard status == 0 else { throw CryptoError.operationFailed }
    }

    /// Opens `ciphertext || tag` in place; returns the plaintext length (the first bytes of `sealed`).
    /// - Throws: ``CryptoError/decryptionFailed`` when authentication fails or the input is shorter than a tag.
    static func openInPlace(
        _ sealed: UnsafeMutableRawBufferPointer, key: [UInt8], nonce: UnsafeRawPointer
    ) throws(CryptoError) -> Int {
        try Sodium.ensureReady()
        guard key.count == keyLength else { throw CryptoError.invalidKeyLength }
        guard sealed.count >= tagLength, let base = sealed.baseAddress else { throw CryptoError.decryptionFailed }
        let bytes = base.assumingMemoryBound(to: UInt8.self)
        var outLength: UInt64 = 0
        // libsodium verifies the tag over the ciphertext before it writes any plaintext, so in place is safe.
        let status = crypto_aead_chacha20poly1305_ietf_decrypt(
            bytes, &outLength, nil, bytes, UInt64(sealed.count), nil, 0, nonce.assumingMemoryBound(to: UInt8.self),
            key)
        guard status == 0 else { throw CryptoError.decryptionFailed }
        return Int(outLength)
    }
}
