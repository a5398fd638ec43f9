import Foundation
import Testing
@testable import WalletConnectCore

/// The table-driven base64 codec and the one-pass envelope text paths, checked against Foundation and the
/// byte-level ``Envelope`` builders.
@Suite("Base64 codec and one-pass envelope text")
struct Base64CodecTests {
    private static func randomBytes(_ count: Int) -> [UInt8] {
        SecureRandom.bytes(count)
    }

    @Test("encode and decode agree with Foundation for every length 0...200", arguments: 0...200)
    func agreesWithFoundation(length: Int) throws {
        let bytes = Self.randomBytes(length)
        let foundation = Data(bytes).base64EncodedString()
        #expect(Base64Codec.encode(bytes) == foundation)
        #expect(try Base64Codec.decode(foundation) == bytes)
        let unpadded = String(foundation.prefix { $0 != "=" })
        #expect(try Base64Codec.decode(unpadded) == bytes)
        let url = foundation.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        let urlUnpadded = String(url.prefix { $0 != "=" })
        #expect(Base64Codec.encodeURL(bytes) == urlUnpadded)
        #expect(try Base64Codec.decodeURL(urlUnpadded) == bytes)
        #expect(try Base64Codec.decodeURL(url) == bytes)
        // Non-contiguous input takes the copying path.
        #expect(Base64Codec.encode(bytes.lazy.map { $0 }) == foundation)
    }

    @Test("every byte value survives at every quartet position")
    func allByteValues() throws {
        for shift in 0..<3 {
            let bytes = [UInt8](repeating: 0, count: shift) + (0...255).map { UInt8($0) }
            #expect(try Base64Codec.decode(Base64Codec.encode(bytes)) == bytes)
            #expect(try Base64Codec.decodeURL(Base64Codec.encodeURL(bytes)) == bytes)
        }
    }

    @Test("a bad character anywhere is rejected", arguments: [UInt8(0x20), 0x2d, 0x2e, 0x3d, 0x80, 0xff, 0x00, 0x7b])
    func badCharacter(byte: UInt8) throws {
        let text = Array(Base64Codec.encode(Self.randomBytes(60)).utf8)
        // A trailing "=" is valid padding, so it is only "bad" before the last character.
        for position in 0..<(byte == 0x3d ? text.count - 1 : text.count) {
            var corrupted = text
            corrupted[position] = byte
            let string = String(decoding: corrupted, as: UTF8.self)
            #expect(throws: CryptoError.invalidBase64) { try Base64Codec.decode(string) }
        }
    }

    @Test("bad lengths and padding are rejected")
    func badLengths() {
        for text in ["A", "AAAAA", "A===", "AA=A", "AAA==", "=", "==", "AAAAAAAAA"] {
            #expect(throws: CryptoError.invalidBase64) { try Base64Codec.decode(text) }
        }
        #expect(throws: CryptoError.invalidBase64) { try Base64Codec.decodeURL("AB+/") }
        #expect(throws: CryptoError.invalidBase64) { try Base64Codec.decode("AB-_") }
    }

    @Test("sealType0 matches the byte-level builder and opens again", arguments: [0, 1, 2, 3, 100, 1024, 5000])
    func sealType0(length: Int) throws {
        let key = Self.randomBytes(32)
        let iv = Self.randomBytes(12)
        let plaintext = Self.randomBytes(length)
        for encoding in [EnvelopeEncoding.base64, .base64url] {
            let expected = try Envelope.type0(iv: iv, sealed: ChaChaPoly.seal(plaintext, key: key, nonce: iv))
                .serialized(encoding: encoding)
            let text = try Envelope.sealType0(plaintext, key: key, iv: iv, encoding: encoding)
            #expect(text == expected)
            #expect(try Envelope.openType0(text, key: key, encoding: encoding) == plaintext)
            #expect(try Envelope.parse(text, encoding: encoding).body == Envelope.parse(expected, encoding: encoding).body)
        }
    }

    @Test("openType0 refuses tampering, wrong keys, short input and other types")
    func openType0Failures() throws {
        let key = Self.randomBytes(32)
        let iv = Self.randomBytes(12)
        let text = try Envelope.sealType0(Array("hello".utf8), key: key, iv: iv)
        var bytes = try Base64Codec.decode(text)
        bytes[bytes.count - 1] ^= 1
        #expect(throws: CryptoError.decryptionFailed) {
            try Envelope.openType0(Base64Codec.encode(bytes), key: key)
        }
        #expect(throws: CryptoError.decryptionFailed) { try Envelope.openType0(text, key: Self.randomBytes(32)) }
        #expect(throws: CryptoError.malformedEnvelope) { try Envelope.openType0("", key: key) }
        #expect(throws: CryptoError.malformedEnvelope) { try Envelope.openType0("AAAA", key: key) }
        #expect(throws: CryptoError.malformedEnvelope) { try Envelope.openType0("not base64!", key: key) }
        #expect(throws: CryptoError.unsupportedEnvelopeType) {
            try Envelope.openType0(Base64Codec.encode([3] + Self.randomBytes(40)), key: key)
        }
        #expect(throws: CryptoError.malformedEnvelope) {
            try Envelope.openType0(Envelope.type2(payload: [0x7b, 0x7d]).serialized(), key: key)
        }
        #expect(throws: CryptoError.invalidKeyLength) { try Envelope.sealType0([1], key: [1, 2], iv: iv) }
        #expect(throws: CryptoError.invalidKeyLength) { try Envelope.sealType0([1], key: key, iv: [1]) }
    }

    @Test("Crypto type 1 with a fixed iv matches the byte-level builder")
    func cryptoType1() async throws {
        let crypto = Crypto(keyChain: .inMemory())
        let sender = try await crypto.generateKeyPair()
        let receiver = try await crypto.generateKeyPair()
        let iv = Self.randomBytes(12)
        let payload = #"{"id":1,"jsonrpc":"2.0","result":true}"#
        let text = try await crypto.encode(
            topic: "t", payload: payload, type: .type1, senderPublicKey: sender, receiverPublicKey: receiver,
            encoding: .base64, iv: iv)
        let key = try await crypto.deriveSymKey(selfPublicKey: sender, peerPublicKey: receiver)
        let expected = try Envelope.type1(
            senderPublicKey: Hex.decode(sender), iv: iv, sealed: ChaChaPoly.seal(Array(payload.utf8), key: key, nonce: iv))
        #expect(text == expected.serialized())
        #expect(try await crypto.decode(topic: "t", encoded: text, receiverPublicKey: receiver) == payload)
    }

    @Test("Crypto refuses invalid UTF-8 plaintext")
    func invalidUTF8() async throws {
        let crypto = Crypto(keyChain: .inMemory())
        let (topic, symKey) = try await crypto.createPairingSymKey()
        let text = try Envelope.sealType0([0xff, 0xfe], key: Hex.decode(symKey), iv: Self.randomBytes(12))
        await #expect(throws: CryptoError.invalidPlaintext) { try await crypto.decode(topic: topic, encoded: text) }
    }
}
