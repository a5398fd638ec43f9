import Testing
import WalletKitTesting
@testable import WalletConnectCore

@Suite("Envelopes")
struct EnvelopeVectorTests {
    private static func encoding(_ v: CoreVector) -> EnvelopeEncoding {
        v.inputString("encoding") == "base64url" ? .base64url : .base64
    }

    /// A Crypto actor with an in-memory key chain.
    private static func makeCrypto() -> (Crypto, KeyChain) {
        let keyChain = KeyChain.inMemory()
        return (Crypto(keyChain: keyChain), keyChain)
    }

    @Test(
        "core-envelopes.json", .enabled(if: SharedVectors.isAvailable, SharedVectors.skipNote),
        arguments: SharedVectors.cases("core-envelopes.json"))
    func vector(_ vectorCase: VectorCase) async throws {
        let v = CoreVector(vectorCase)
        let encoding = Self.encoding(v)
        let expectedText = v.expectedString("envelopeBase64") ?? v.expectedString("envelope")

        if let iv = v.inputString("iv"), let message = v.inputString("message"), let symKey = v.inputString("symKey") {
            // Encrypt with a fixed iv: type 1 when the sender key is given, else type 0.
            let key = try Hex.decode(symKey)
            let nonce = try Hex.decode(iv)
            let sealed = try ChaChaPoly.seal(Array(message.utf8), key: key, nonce: nonce)
            if let sealedHex = v.expectedString("sealedHex") { #expect(Hex.encode(sealed) == sealedHex) }
            let envelope: Envelope
            if let sender = v.inputString("senderPublicKey") {
                envelope = try Envelope.type1(senderPublicKey: Hex.decode(sender), iv: nonce, sealed: sealed)
            } else {
                envelope = try Envelope.type0(iv: nonce, sealed: sealed)
            }
            #expect(envelope.serialized(encoding: encoding) == expectedText)
            if v.inputString("senderPublicKey") == nil {
                // Same bytes through the actor (stored key, fixed iv), and back.
                let (crypto, _) = Self.makeCrypto()
                let topic = try await crypto.setSymKey(symKey)
                let text = try await crypto.encode(
                    topic: topic, payload: message, type: .type0, senderPublicKey: nil, receiverPublicKey: nil,
                    encoding: encoding, iv: nonce)
                #expect(text == expectedText)
                #expect(try await crypto.decode(topic: topic, encoded: text, encoding: encoding) == message)
            }
        } else if let receiverPrivate = v.inputString("receiverPrivateKey") {
            // Type-1 receive: derive from the receiver's private key and the sender key in the envelope.
            let text = try v.require(v.inputString("envelopeBase64"), "envelopeBase64")
            let receiverPublic = try v.require(v.inputString("receiverPublicKey"), "receiverPublicKey")
            let envelope = try Envelope.parse(text)
            #expect(Int64(envelope.type.rawValue) == v.expectedInt("type"))
            #expect(envelope.senderPublicKey.map { Hex.encode($0) } == v.expectedString("senderPublicKey"))
            #expect(try Crypto.senderPublicKey(of: text) == v.expectedString("senderPublicKey"))
            let (crypto, keyChain) = Self.makeCrypto()
            try await keyChain.set(receiverPrivate, for: receiverPublic)
            let symKey = try v.require(v.expectedString("symKey"), "symKey")
            let sessionTopic = try CryptoHash.hashKey(symKey)
            #expect(await !crypto.hasKey(sessionTopic))
            let responseTopic = try CryptoHash.hashKey(receiverPublic)
            let plaintext = try await crypto.decode(topic: responseTopic, encoded: text, receiverPublicKey: receiverPublic)
            #expect(plaintext == v.expectedString("message"))
            #expect(await crypto.hasKey(sessionTopic))
            #expect(try keyChain.get(sessionTopic) == symKey)
        } else if let message = v.inputString("message"), let encodingName = v.inputString("encoding") {
            // Type-2 encode.
            #expect(!encodingName.isEmpty)
            #expect(Envelope.type2(payload: Array(message.utf8)).serialized(encoding: encoding) == expectedText)
            let (crypto, _) = Self.makeCrypto()
            let text = try await crypto.encode(topic: "unused", payload: message, type: .type2, encoding: encoding)
            #expect(text == expectedText)
            #expect(try Crypto.envelopeType(of: text, encoding: encoding) == .type2)
        } else if let message = v.inputString("message"), let hash = v.expectedString("hash") {
            #expect(CryptoHash.hashMessage(message) == hash)
        } else if let typeByte = v.inputInt("typeByte") {
            var bytes: [UInt8] = [UInt8(typeByte)]
            if let publicKey = v.inputString("publicKeyHex") {
                bytes += try Hex.decode(publicKey)
            } else {
                bytes += [UInt8](repeating: 0xaa, count: 60)
            }
            let expectedError = try v.require(v.expectedString("error"), "error")
            let error = expectedError == "unsupportedEnvelopeType" ? CryptoError.unsupportedEnvelopeType : .malformedEnvelope
            #expect(throws: error) { try Envelope.parse(bytes: bytes) }
            #expect(throws: error) { try Envelope.parse(Base64Codec.encode(bytes)) }
        } else if let text = v.inputString("envelopeBase64") ?? v.inputString("envelope") {
            if v.expectedString("error") != nil {
                #expect(v.expectedString("error") == "malformedEnvelope")
                #expect(throws: CryptoError.malformedEnvelope) { try Envelope.parse(text, encoding: encoding) }
                #expect(throws: CryptoError.malformedEnvelope) { try Crypto.envelopeType(of: text, encoding: encoding) }
                return
            }
            // Decrypt cases carry no "type" field: they are type 0 (checked below).
            let expectedType = v.expectedInt("type") ?? 0
            #expect(Int64(try Crypto.envelopeType(of: text, encoding: encoding).rawValue) == expectedType)
            if let body = v.expectedString("bodyAfterTypeByteBase64") {
                // Parse-only vector (13-byte body): type and raw body check; a full parse enforces the minimum
                // type-0 size (1 + 12 + 16 bytes) and so rejects it.
                let bytes = try Envelope.decodeText(text, encoding: encoding)
                #expect(Base64Codec.encode(bytes.dropFirst()) == body)
                #expect(throws: CryptoError.malformedEnvelope) { try Envelope.parse(text, encoding: encoding) }
            } else if let symKey = v.inputString("symKey") {
                let envelope = try Envelope.parse(text, encoding: encoding)
                #expect(envelope.type == .type0)
                #expect(Hex.encode(envelope.iv) == v.expectedString("iv"))
                if let sealedHex = v.expectedString("sealedHex") { #expect(Hex.encode(envelope.body) == sealedHex) }
                let (crypto, _) = Self.makeCrypto()
                let topic = try await crypto.setSymKey(symKey)
                #expect(try await crypto.decode(topic: topic, encoded: text) == v.expectedString("message"))
                #expect(envelope.serialized() == text)
            } else if let json = v.expectedString("json") {
                let envelope = try Envelope.parse(text, encoding: encoding)
                #expect(envelope.type == .type2)
                #expect(String(decoding: envelope.body, as: UTF8.self) == json)
                let (crypto, _) = Self.makeCrypto()
                #expect(try await crypto.decode(topic: "any", encoded: text, encoding: encoding) == json)
                #expect(envelope.serialized(encoding: encoding) == text)
            } else {
                Issue.record("core-envelopes.json case \(v.name) has a shape this test does not know")
            }
        } else {
            Issue.record("core-envelopes.json case \(v.name) has a shape this test does not know")
        }
    }
}
