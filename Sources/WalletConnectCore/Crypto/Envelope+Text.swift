/// One-pass envelope text sealing and opening, the hot path of ``Crypto``.
///
/// Sealing writes the header and the AEAD output into one scratch buffer and base64-encodes it straight into
/// the result string. Opening base64-decodes into one scratch buffer and decrypts the body in place, so a
/// round trip allocates only the two strings.
extension Envelope {
    /// Seals `plaintext` into type-0 envelope text: `base64(0x00 | iv | ChaCha20-Poly1305(key, iv, plaintext))`.
    /// - Throws: ``CryptoError/invalidKeyLength`` for a wrong key or iv length.
    package static func sealType0(
        _ plaintext: some Collection<UInt8>, key: [UInt8], iv: [UInt8], encoding: EnvelopeEncoding = .base64
    ) throws -> String {
        try sealText(type: .type0, senderPublicKey: [], plaintext: plaintext, key: key, iv: iv, encoding: encoding)
    }

    /// Opens type-0 envelope text sealed with `key` and returns the plaintext bytes.
    /// - Throws: ``CryptoError/malformedEnvelope`` (bad text, too short, or not type 0),
    ///   ``CryptoError/unsupportedEnvelopeType``, ``CryptoError/decryptionFailed``.
    package static func openType0(_ text: String, key: [UInt8], encoding: EnvelopeEncoding = .base64) throws
        -> [UInt8]
    {
        try withDecodedText(text, encoding: encoding) { view in
            guard view.type == .type0 else { throw CryptoError.malformedEnvelope }
            return Array(try view.openInPlace(key: key))
        }
    }

    /// Builds envelope text of any type in one pass. `key` and `iv` are ignored for type 2.
    static func sealText(
        type: EnvelopeType, senderPublicKey: [UInt8], plaintext: some Collection<UInt8>, key: [UInt8], iv: [UInt8],
        encoding: EnvelopeEncoding
    ) throws -> String {
        if let text = try plaintext.withContiguousStorageIfAvailable({ buffer in
            try sealText(
                type: type, senderPublicKey: senderPublicKey, plaintext: UnsafeRawBufferPointer(buffer), key: key,
                iv: iv, encoding: encoding)
        }) {
            return text
        }
        return try Array(plaintext).withUnsafeBytes { buffer in
            try sealText(
                type: type, senderPublicKey: senderPublicKey, plaintext: buffer, key: key, iv: iv, encoding: encoding)
        }
    }

    private static func sealText(
        type: EnvelopeType, senderPublicKey: [UInt8], plaintext: UnsafeRawBufferPointer, key: [UInt8], iv: [UInt8],
        encoding: EnvelopeEncoding
    ) throws(CryptoError) -> String {
        let encrypted = type != .type2
        if type == .type1, senderPublicKey.count != senderKeyLength { throw CryptoError.malformedEnvelope }
        if encrypted, iv.count != ivLength { throw CryptoError.invalidKeyLength }
        let keyBytes = type == .type1 ? senderKeyLength : 0
        let headerLength = 1 + keyBytes + (encrypted ? ivLength : 0)
        let total = headerLength + plaintext.count + (encrypted ? tagLength : 0)
        let (tables, pad) = encoding == .base64 ? (Base64Codec.standard, true) : (Base64Codec.url, false)
        return try withUnsafeTemporaryAllocation(byteCount: total, alignment: 8) {
            buffer throws(CryptoError) -> String in
            let base = buffer.baseAddress!
            base.storeBytes(of: type.rawValue, as: UInt8.self)
            if keyBytes > 0 {
                senderPublicKey.withUnsafeBytes { (base + 1).copyMemory(from: $0.baseAddress!, byteCount: keyBytes) }
            }
            if encrypted {
                let ivStart = base + 1 + keyBytes
                iv.withUnsafeBytes { ivStart.copyMemory(from: $0.baseAddress!, byteCount: ivLength) }
                try ChaChaPoly.seal(plaintext, key: key, nonce: ivStart, into: base + headerLength)
            } else if let source = plaintext.baseAddress {
                (base + headerLength).copyMemory(from: source, byteCount: plaintext.count)
            }
            return Base64Codec.encode(UnsafeRawBufferPointer(buffer), tables: tables, pad: pad)
        }
    }

    /// Decodes envelope text into a scratch buffer and hands `body` a view of it. The view and its buffers are
    /// valid only inside `body`.
    /// - Throws: ``CryptoError/malformedEnvelope`` for invalid base64, empty input or a too-short envelope,
    ///   ``CryptoError/unsupportedEnvelopeType`` for a type byte ≥ 3, and whatever `body` throws.
    static func withDecodedText<R>(
        _ text: String, encoding: EnvelopeEncoding, _ body: (EnvelopeView) throws -> R
    ) throws -> R {
        if let result = try text.utf8.withContiguousStorageIfAvailable({ try withDecoded($0, encoding, body) }) {
            return result
        }
        return try Array(text.utf8).withUnsafeBufferPointer { try withDecoded($0, encoding, body) }
    }

    private static func withDecoded<R>(
        _ utf8: UnsafeBufferPointer<UInt8>, _ encoding: EnvelopeEncoding, _ body: (EnvelopeView) throws -> R
    ) throws -> R {
        let tables = encoding == .base64 ? Base64Codec.standard : Base64Codec.url
        let capacity = Base64Codec.decodeCapacity(textCount: utf8.count)
        return try withUnsafeTemporaryAllocation(byteCount: capacity, alignment: 8) { scratch in
            let count: Int
            do {
                count = try Base64Codec.decode(utf8, tables: tables, into: scratch.baseAddress!)
            } catch {
                throw CryptoError.malformedEnvelope
            }
            let bytes = UnsafeMutableRawBufferPointer(rebasing: scratch[0..<count])
            return try body(EnvelopeView(bytes: bytes))
        }
    }
}

/// An envelope parsed in place over a scratch buffer (see ``Envelope/withDecodedText(_:encoding:_:)``).
struct EnvelopeView {
    /// The envelope type.
    let type: EnvelopeType
    /// The sender public key (type 1 only).
    let senderPublicKey: UnsafeRawBufferPointer?
    /// The iv (empty for type 2).
    let iv: UnsafeRawBufferPointer
    /// Ciphertext and tag (types 0 and 1) or the plaintext (type 2); writable for in-place decryption.
    let body: UnsafeMutableRawBufferPointer

    /// Parses the layout with the same rules as ``Envelope/parse(bytes:)``.
    init(bytes: UnsafeMutableRawBufferPointer) throws(CryptoError) {
        guard let first = bytes.first else { throw CryptoError.malformedEnvelope }
        guard let type = EnvelopeType(rawValue: first) else { throw CryptoError.unsupportedEnvelopeType }
        self.type = type
        let ivStart: Int
        switch type {
        case .type0:
            ivStart = 1
            senderPublicKey = nil
        case .type1:
            ivStart = 1 + Envelope.senderKeyLength
            guard bytes.count >= ivStart else { throw CryptoError.malformedEnvelope }
            senderPublicKey = UnsafeRawBufferPointer(rebasing: bytes[1..<ivStart])
        case .type2:
            senderPublicKey = nil
            iv = UnsafeRawBufferPointer(rebasing: bytes[1..<1])
            body = UnsafeMutableRawBufferPointer(rebasing: bytes[1...])
            return
        }
        let bodyStart = ivStart + Envelope.ivLength
        guard bytes.count >= bodyStart + Envelope.tagLength else { throw CryptoError.malformedEnvelope }
        iv = UnsafeRawBufferPointer(rebasing: bytes[ivStart..<bodyStart])
        body = UnsafeMutableRawBufferPointer(rebasing: bytes[bodyStart...])
    }

    /// The sender public key as lowercase hex (type 1), else `nil`.
    var senderPublicKeyHex: String? {
        senderPublicKey.map { Hex.encode($0) }
    }

    /// Decrypts the body in place and returns the plaintext bytes (a prefix of the body).
    /// - Throws: ``CryptoError/decryptionFailed``.
    func openInPlace(key: [UInt8]) throws(CryptoError) -> UnsafeBufferPointer<UInt8> {
        let count = try ChaChaPoly.openInPlace(body, key: key, nonce: iv.baseAddress!)
        return UnsafeBufferPointer(start: body.baseAddress!.assumingMemoryBound(to: UInt8.self), count: count)
    }

    /// The type-2 plaintext, or the decrypted bytes after ``openInPlace(key:)``.
    var plainBody: UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: body.baseAddress?.assumingMemoryBound(to: UInt8.self), count: body.count)
    }
}
