import Testing
@testable import WalletConnectCore

@Suite("Envelope round trips and failures")
struct EnvelopeRoundTripTests {
    private static let payload = #"{"id":1712345678901007,"jsonrpc":"2.0","method":"wc_sessionPing","params":{}}"#

    @Test("type 0 round trip", arguments: [EnvelopeEncoding.base64, .base64url])
    func type0(encoding: EnvelopeEncoding) async throws {
        let crypto = Crypto(keyChain: .inMemory())
        let (topic, symKey) = try await crypto.createPairingSymKey()
        #expect(topic == (try CryptoHash.hashKey(symKey)))
        let text = try await crypto.encode(topic: topic, payload: Self.payload, encoding: encoding)
        #expect(try Crypto.envelopeType(of: text, encoding: encoding) == .type0)
        #expect(try Crypto.senderPublicKey(of: text, encoding: encoding) == nil)
        #expect(try await crypto.decode(topic: topic, encoded: text, encoding: encoding) == Self.payload)
        // Fresh iv per message.
        let again = try await crypto.encode(topic: topic, payload: Self.payload, encoding: encoding)
        #expect(again != text)
        if encoding == .base64 {
            #expect(text.count % 4 == 0)
        } else {
            #expect(!text.contains("=") && !text.contains("+") && !text.contains("/"))
        }
    }

    @Test("type 1 round trip between two actors")
    func type1() async throws {
        let wallet = Crypto(keyChain: .inMemory())
        let dapp = Crypto(keyChain: .inMemory())
        let dappPublic = try await dapp.generateKeyPair()
        let walletPublic = try await wallet.generateKeyPair()
        let responseTopic = try CryptoHash.hashKey(dappPublic)
        let text = try await wallet.encode(
            topic: responseTopic, payload: Self.payload, type: .type1, senderPublicKey: walletPublic,
            receiverPublicKey: dappPublic)
        #expect(try Crypto.envelopeType(of: text) == .type1)
        #expect(try Crypto.senderPublicKey(of: text) == walletPublic)
        #expect(try await dapp.decode(topic: responseTopic, encoded: text, receiverPublicKey: dappPublic) == Self.payload)
        // Both sides now hold the session key under the same topic.
        let sessionTopic = try await wallet.generateSharedKey(selfPublicKey: walletPublic, peerPublicKey: dappPublic)
        #expect(await dapp.hasKey(sessionTopic))
        let reply = try await dapp.encode(topic: sessionTopic, payload: "{}")
        #expect(try await wallet.decode(topic: sessionTopic, encoded: reply) == "{}")
    }

    @Test("type 1 needs sender and receiver keys")
    func type1Arguments() async throws {
        let crypto = Crypto(keyChain: .inMemory())
        let pub = try await crypto.generateKeyPair()
        await #expect(throws: CryptoError.missingSenderPublicKey) {
            try await crypto.encode(topic: "t", payload: "{}", type: .type1, receiverPublicKey: pub)
        }
        await #expect(throws: CryptoError.missingReceiverPublicKey) {
            try await crypto.encode(topic: "t", payload: "{}", type: .type1, senderPublicKey: pub)
        }
        let text = try await crypto.encode(
            topic: "t", payload: "{}", type: .type1, senderPublicKey: pub, receiverPublicKey: pub)
        await #expect(throws: CryptoError.missingReceiverPublicKey) {
            try await crypto.decode(topic: "t", encoded: text)
        }
    }

    @Test("wrong key fails with decryptionFailed; unknown topic with missingKey")
    func wrongKey() async throws {
        let crypto = Crypto(keyChain: .inMemory())
        let (topic, _) = try await crypto.createPairingSymKey()
        let text = try await crypto.encode(topic: topic, payload: Self.payload)
        let other = Crypto(keyChain: .inMemory())
        _ = try await other.setSymKey(Hex.encode(SecureRandom.bytes(32)), overrideTopic: topic)
        await #expect(throws: CryptoError.decryptionFailed) { try await other.decode(topic: topic, encoded: text) }
        let unknown = String(repeating: "ab", count: 32)
        await #expect(throws: CryptoError.missingKey(tag: unknown)) {
            try await crypto.decode(topic: unknown, encoded: text)
        }
        do {
            _ = try await crypto.decode(topic: unknown, encoded: text)
        } catch {
            #expect("\(error)" == "No matching key. keychain: \(unknown)")
        }
    }

    @Test("tampered envelope fails to decrypt")
    func tampered() async throws {
        let crypto = Crypto(keyChain: .inMemory())
        let (topic, _) = try await crypto.createPairingSymKey()
        var bytes = try Base64Codec.decode(try await crypto.encode(topic: topic, payload: Self.payload))
        bytes[bytes.count - 1] ^= 0x01
        await #expect(throws: CryptoError.decryptionFailed) {
            try await crypto.decode(topic: topic, encoded: Base64Codec.encode(bytes))
        }
    }

    @Test(
        "garbage envelopes give typed errors",
        arguments: [
            ("", CryptoError.malformedEnvelope),
            ("!!!!", .malformedEnvelope),
            ("A", .malformedEnvelope),
            (Base64Codec.encode([0]), .malformedEnvelope),
            (Base64Codec.encode([UInt8](repeating: 0, count: 28)), .malformedEnvelope),
            (Base64Codec.encode([1] + [UInt8](repeating: 0, count: 59)), .malformedEnvelope),
            (Base64Codec.encode([3] + [UInt8](repeating: 0, count: 40)), .unsupportedEnvelopeType),
            (Base64Codec.encode([0xff]), .unsupportedEnvelopeType),
        ])
    func garbage(text: String, error: CryptoError) async throws {
        #expect(throws: error) { try Envelope.parse(text) }
        let crypto = Crypto(keyChain: .inMemory())
        let (topic, _) = try await crypto.createPairingSymKey()
        await #expect(throws: error) { try await crypto.decode(topic: topic, encoded: text) }
    }

    @Test("minimum sizes parse", arguments: [EnvelopeType.type0, .type1])
    func minimumSizes(type: EnvelopeType) throws {
        let size = type == .type0 ? 29 : 61
        let bytes = [type.rawValue] + SecureRandom.bytes(size - 1)
        let envelope = try Envelope.parse(bytes: bytes)
        #expect(envelope.type == type)
        #expect(envelope.iv.count == 12)
        #expect(envelope.body.count == 16)
        #expect(envelope.bytes == bytes)
        #expect(try Envelope.parse(envelope.serialized(encoding: .base64url), encoding: .base64url) == envelope)
    }

    @Test("unpadded standard base64 is accepted")
    func unpadded() async throws {
        let crypto = Crypto(keyChain: .inMemory())
        let (topic, _) = try await crypto.createPairingSymKey()
        var text = try await crypto.encode(topic: topic, payload: "{\"a\":1}")
        while text.hasSuffix("=") { text.removeLast() }
        #expect(try await crypto.decode(topic: topic, encoded: text) == "{\"a\":1}")
    }
}
