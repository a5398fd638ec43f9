import Logging

extension Crypto {
    /// Encrypts (or, for type 2, wraps) `payload` into envelope text.
    ///
    /// - Type 0: the key stored under `topic`.
    /// - Type 1: `HKDF(X25519(priv(senderPublicKey), receiverPublicKey))`; the derived key is also stored under
    ///   its topic (`hashKey(symKey)`), and the envelope carries `senderPublicKey`.
    /// - Type 2: plaintext (link mode only).
    /// - Throws: ``CryptoError/missingKey(tag:)``, ``CryptoError/missingSenderPublicKey``,
    ///   ``CryptoError/missingReceiverPublicKey`` and other ``CryptoError``s.
    package func encode(
        topic: String, payload: String, type: EnvelopeType = .type0, senderPublicKey: String? = nil,
        receiverPublicKey: String? = nil, encoding: EnvelopeEncoding = .base64
    ) async throws -> String {
        try await encode(
            topic: topic, payload: payload, type: type, senderPublicKey: senderPublicKey,
            receiverPublicKey: receiverPublicKey, encoding: encoding, iv: nil)
    }

    /// ``encode(topic:payload:type:senderPublicKey:receiverPublicKey:encoding:)`` with a fixed iv (tests only).
    func encode(
        topic: String, payload: String, type: EnvelopeType, senderPublicKey: String?,
        receiverPublicKey: String?, encoding: EnvelopeEncoding, iv fixedIV: [UInt8]?
    ) async throws -> String {
        let iv = fixedIV ?? SecureRandom.bytes(Envelope.ivLength)
        let text: String
        /// A type-1 key, stored under its topic once the envelope is sealed.
        var derivedKey: [UInt8]?
        defer { if derivedKey != nil { Sodium.wipe(&derivedKey!) } }
        switch type {
        case .type2:
            text = try Envelope.sealText(
                type: .type2, senderPublicKey: [], plaintext: payload.utf8, key: [], iv: [], encoding: encoding)
        case .type0:
            var key = try symKey(for: topic)
            defer { Sodium.wipe(&key) }
            text = try Envelope.sealText(
                type: .type0, senderPublicKey: [], plaintext: payload.utf8, key: key, iv: iv, encoding: encoding)
        case .type1:
            guard let senderPublicKey else { throw CryptoError.missingSenderPublicKey }
            guard let receiverPublicKey else { throw CryptoError.missingReceiverPublicKey }
            let senderKey = try Hex.decode(senderPublicKey, count: X25519.keyLength)
            let key = try deriveSymKey(selfPublicKey: senderPublicKey, peerPublicKey: receiverPublicKey)
            derivedKey = key
            text = try Envelope.sealText(
                type: .type1, senderPublicKey: senderKey, plaintext: payload.utf8, key: key, iv: iv,
                encoding: encoding)
        }
        if let derivedKey { _ = try await storeSymKey(derivedKey, overrideTopic: nil) }
        logger.trace("encoded envelope", metadata: ["wk.topic": "\(topic)", "wk.envelope.type": "\(type.rawValue)"])
        return text
    }

    /// Decodes envelope text into the plaintext JSON text.
    ///
    /// - Type 0: the key stored under `topic`.
    /// - Type 1: `HKDF(X25519(priv(receiverPublicKey), senderKeyFromEnvelope))`; as in JS, the derived key is
    ///   stored under `hashKey(symKey)` (the new topic).
    /// - Type 2: the plaintext as is. Callers must drop type-2 envelopes that arrive over the relay.
    /// - Throws: ``CryptoError/decryptionFailed`` for a wrong key or tampered data,
    ///   ``CryptoError/malformedEnvelope``, ``CryptoError/unsupportedEnvelopeType``,
    ///   ``CryptoError/missingKey(tag:)``, ``CryptoError/missingReceiverPublicKey``.
    package func decode(
        topic: String, encoded: String, receiverPublicKey: String? = nil, encoding: EnvelopeEncoding = .base64
    ) async throws -> String {
        var decoded = try Envelope.withDecodedText(encoded, encoding: encoding) {
            view -> (String, [UInt8]?) in
            let plaintext: UnsafeBufferPointer<UInt8>
            var derivedKey: [UInt8]?
            switch view.type {
            case .type2:
                plaintext = view.plainBody
            case .type0:
                var key = try symKey(for: topic)
                defer { Sodium.wipe(&key) }
                plaintext = try view.openInPlace(key: key)
            case .type1:
                guard let receiverPublicKey else { throw CryptoError.missingReceiverPublicKey }
                guard let sender = view.senderPublicKeyHex else { throw CryptoError.malformedEnvelope }
                var key = try deriveSymKey(selfPublicKey: receiverPublicKey, peerPublicKey: sender)
                do {
                    plaintext = try view.openInPlace(key: key)
                } catch {
                    Sodium.wipe(&key)
                    throw error
                }
                derivedKey = key
            }
            guard let text = String(validating: plaintext, as: UTF8.self) else {
                if derivedKey != nil { Sodium.wipe(&derivedKey!) }
                throw CryptoError.invalidPlaintext
            }
            return (text, derivedKey)
        }
        // As in JS, the type-1 key is stored under its topic once the envelope opened.
        if decoded.1 != nil {
            defer { Sodium.wipe(&decoded.1!) }
            _ = try await storeSymKey(decoded.1!, overrideTopic: nil)
        }
        return decoded.0
    }

    /// The type of an envelope (reads the first byte only).
    /// - Throws: ``CryptoError/malformedEnvelope`` or ``CryptoError/unsupportedEnvelopeType``.
    package nonisolated static func envelopeType(of encoded: String, encoding: EnvelopeEncoding = .base64) throws
        -> EnvelopeType
    {
        try Envelope.type(of: Envelope.decodeText(encoded, encoding: encoding))
    }

    /// The sender public key (hex) carried by a type-1 envelope; `nil` for types 0 and 2.
    /// - Throws: ``CryptoError/malformedEnvelope`` or ``CryptoError/unsupportedEnvelopeType``.
    package nonisolated static func senderPublicKey(of encoded: String, encoding: EnvelopeEncoding = .base64) throws
        -> String?
    {
        try Envelope.parse(encoded, encoding: encoding).senderPublicKey.map { Hex.encode($0) }
    }
}
