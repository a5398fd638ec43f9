/// The type byte of an envelope (spec §1.6).
package enum EnvelopeType: UInt8, Sendable, Hashable, CaseIterable {
    /// Symmetric: both sides hold the topic's key.
    case type0 = 0
    /// Key agreement: the envelope carries the sender's X25519 public key.
    case type1 = 1
    /// Plaintext (link mode only; drop it when it arrives over the relay).
    case type2 = 2
}

/// The text encoding of envelope bytes.
package enum EnvelopeEncoding: Sendable, Hashable {
    /// Standard base64 with padding (relay transport).
    case base64
    /// base64url without padding (link mode).
    case base64url
}

/// A parsed envelope, byte-exact to the wire layout:
///
/// ```
/// type 0:  0x00 | iv (12) | ciphertext | tag (16)
/// type 1:  0x01 | senderPublicKey (32) | iv (12) | ciphertext | tag (16)
/// type 2:  0x02 | UTF-8 JSON
/// ```
package struct Envelope: Sendable, Hashable {
    /// Length of the sender public key in a type-1 envelope.
    package static let senderKeyLength = 32
    /// Length of the iv.
    package static let ivLength = ChaChaPoly.nonceLength
    /// Length of the Poly1305 tag.
    package static let tagLength = ChaChaPoly.tagLength

    /// The envelope type.
    package let type: EnvelopeType
    /// The sender's X25519 public key (type 1 only).
    package let senderPublicKey: [UInt8]?
    /// The 12-byte iv (empty for type 2).
    package let iv: [UInt8]
    /// Ciphertext followed by the 16-byte tag (types 0 and 1), or the plaintext (type 2).
    package let body: [UInt8]

    private init(type: EnvelopeType, senderPublicKey: [UInt8]?, iv: [UInt8], body: [UInt8]) {
        self.type = type
        self.senderPublicKey = senderPublicKey
        self.iv = iv
        self.body = body
    }

    /// A type-0 envelope from an iv and `ciphertext || tag`.
    /// - Throws: ``CryptoError/malformedEnvelope`` for a wrong iv length or a body shorter than a tag.
    package static func type0(iv: [UInt8], sealed: [UInt8]) throws -> Envelope {
        guard iv.count == ivLength, sealed.count >= tagLength else { throw CryptoError.malformedEnvelope }
        return Envelope(type: .type0, senderPublicKey: nil, iv: iv, body: sealed)
    }

    /// A type-1 envelope from the sender's public key, an iv and `ciphertext || tag`.
    /// - Throws: ``CryptoError/malformedEnvelope`` for wrong lengths.
    package static func type1(senderPublicKey: [UInt8], iv: [UInt8], sealed: [UInt8]) throws -> Envelope {
        guard senderPublicKey.count == senderKeyLength, iv.count == ivLength, sealed.count >= tagLength else {
            throw CryptoError.malformedEnvelope
        }
        return Envelope(type: .type1, senderPublicKey: senderPublicKey, iv: iv, body: sealed)
    }

    /// A type-2 (plaintext) envelope.
    package static func type2(payload: [UInt8]) -> Envelope {
        Envelope(type: .type2, senderPublicKey: nil, iv: [], body: payload)
    }

    /// Reads the type byte only.
    /// - Throws: ``CryptoError/malformedEnvelope`` when empty, ``CryptoError/unsupportedEnvelopeType`` for ≥ 3.
    package static func type(of bytes: [UInt8]) throws -> EnvelopeType {
        guard let first = bytes.first else { throw CryptoError.malformedEnvelope }
        guard let type = EnvelopeType(rawValue: first) else { throw CryptoError.unsupportedEnvelopeType }
        return type
    }

    /// Parses envelope bytes.
    /// - Throws: ``CryptoError/unsupportedEnvelopeType`` for a type byte ≥ 3; ``CryptoError/malformedEnvelope``
    ///   when empty or below the minimum size (type 0: 29 bytes, type 1: 61 bytes).
    package static func parse(bytes: [UInt8]) throws -> Envelope {
        switch try type(of: bytes) {
        case .type0:
            guard bytes.count >= 1 + ivLength + tagLength else { throw CryptoError.malformedEnvelope }
            return Envelope(
                type: .type0, senderPublicKey: nil, iv: Array(bytes[1..<(1 + ivLength)]),
                body: Array(bytes[(1 + ivLength)...]))
        case .type1:
            let ivStart = 1 + senderKeyLength
            guard bytes.count >= ivStart + ivLength + tagLength else { throw CryptoError.malformedEnvelope }
            return Envelope(
                type: .type1, senderPublicKey: Array(bytes[1..<ivStart]),
                iv: Array(bytes[ivStart..<(ivStart + ivLength)]), body: Array(bytes[(ivStart + ivLength)...]))
        case .type2:
            return Envelope(type: .type2, senderPublicKey: nil, iv: [], body: Array(bytes.dropFirst()))
        }
    }

    /// Parses envelope text.
    /// - Throws: ``CryptoError/malformedEnvelope`` for invalid base64, plus the errors of ``parse(bytes:)``.
    package static func parse(_ text: String, encoding: EnvelopeEncoding = .base64) throws -> Envelope {
        try parse(bytes: decodeText(text, encoding: encoding))
    }

    /// The wire bytes.
    package var bytes: [UInt8] {
        var out: [UInt8] = [type.rawValue]
        out.reserveCapacity(1 + (senderPublicKey?.count ?? 0) + iv.count + body.count)
        if let senderPublicKey { out.append(contentsOf: senderPublicKey) }
        out.append(contentsOf: iv)
        out.append(contentsOf: body)
        return out
    }

    /// The wire text: padded standard base64, or unpadded base64url.
    package func serialized(encoding: EnvelopeEncoding = .base64) -> String {
        Self.encodeText(bytes, encoding: encoding)
    }

    /// Decodes envelope text into bytes.
    /// - Throws: ``CryptoError/malformedEnvelope`` for invalid base64 or empty input.
    package static func decodeText(_ text: String, encoding: EnvelopeEncoding) throws -> [UInt8] {
        let bytes: [UInt8]
        do {
            switch encoding {
            case .base64: bytes = try Base64Codec.decode(text)
            case .base64url: bytes = try Base64Codec.decodeURL(text)
            }
        } catch {
            throw CryptoError.malformedEnvelope
        }
        guard !bytes.isEmpty else { throw CryptoError.malformedEnvelope }
        return bytes
    }

    /// Encodes bytes as envelope text.
    package static func encodeText(_ bytes: [UInt8], encoding: EnvelopeEncoding) -> String {
        switch encoding {
        case .base64: return Base64Codec.encode(bytes)
        case .base64url: return Base64Codec.encodeURL(bytes)
        }
    }
}
