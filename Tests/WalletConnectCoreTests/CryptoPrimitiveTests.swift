import Testing
import WalletKitTesting
@testable import WalletConnectCore

@Suite("Crypto primitives")
struct CryptoPrimitiveTests {
    // MARK: core-crypto.json

    @Test(
        "core-crypto.json", .enabled(if: SharedVectors.isAvailable, SharedVectors.skipNote),
        arguments: SharedVectors.cases("core-crypto.json"))
    func vector(_ vectorCase: VectorCase) throws {
        let v = CoreVector(vectorCase)
        if let privateKey = v.inputString("privateKey") {
            let publicKey = try X25519.publicKey(privateKey: Hex.decode(privateKey))
            #expect(Hex.encode(publicKey) == v.expectedString("publicKey"))
        } else if let selfPrivate = v.inputString("selfPrivateKey") {
            let peer = try v.require(v.inputString("peerPublicKey"), "peerPublicKey")
            let shared = try X25519.sharedSecret(privateKey: Hex.decode(selfPrivate), peerPublicKey: Hex.decode(peer))
            let symKey = try X25519.deriveSymKey(privateKey: Hex.decode(selfPrivate), peerPublicKey: Hex.decode(peer))
            #expect(Hex.encode(shared) == v.expectedString("sharedSecret"))
            #expect(Hex.encode(symKey) == v.expectedString("symKey"))
            #expect(Hex.encode(try HKDF.deriveKey(inputKeyMaterial: shared)) == v.expectedString("symKey"))
            if let topic = v.expectedString("topic") {
                #expect(try CryptoHash.hashKey(Hex.encode(symKey)) == topic)
            }
        } else if let keyHex = v.inputString("keyHex") {
            #expect(try CryptoHash.hashKey(keyHex) == v.expectedString("hash"))
        } else if let message = v.inputString("message") {
            #expect(CryptoHash.hashMessage(message) == v.expectedString("hash"))
        } else if let plaintext = v.inputString("plaintext") {
            let key = try Hex.decode(try v.require(v.inputString("symKey"), "symKey"))
            let nonce = try Hex.decode(try v.require(v.inputString("nonce"), "nonce"))
            let sealed = try ChaChaPoly.seal(Array(plaintext.utf8), key: key, nonce: nonce)
            let combined = try v.require(v.expectedString("combinedBase64"), "combinedBase64")
            #expect(Base64Codec.encode(nonce + sealed) == combined)
            let decoded = try Base64Codec.decode(combined)
            let opened = try ChaChaPoly.open(Array(decoded.dropFirst(12)), key: key, nonce: Array(decoded.prefix(12)))
            #expect(String(decoding: opened, as: UTF8.self) == plaintext)
        } else if let sealedHex = v.inputString("sealed") {
            let key = try Hex.decode(try v.require(v.inputString("symKey"), "symKey"))
            let iv = try Hex.decode(try v.require(v.inputString("iv"), "iv"))
            #expect(v.expectedString("error") != nil)
            #expect(throws: CryptoError.decryptionFailed) {
                try ChaChaPoly.open(Hex.decode(sealedHex), key: key, nonce: iv)
            }
        } else {
            Issue.record("core-crypto.json case \(v.name) has a shape this test does not know")
        }
    }

    // MARK: RFC known-answer tests

    @Test("RFC 7748 §6.1 X25519")
    func rfc7748() throws {
        let alicePrivate = try Hex.decode("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a")
        let bobPrivate = try Hex.decode("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb")
        let alicePublic = try X25519.publicKey(privateKey: alicePrivate)
        let bobPublic = try X25519.publicKey(privateKey: bobPrivate)
        #expect(Hex.encode(alicePublic) == "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a")
        #expect(Hex.encode(bobPublic) == "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f")
        let shared = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742"
        #expect(Hex.encode(try X25519.sharedSecret(privateKey: alicePrivate, peerPublicKey: bobPublic)) == shared)
        #expect(Hex.encode(try X25519.sharedSecret(privateKey: bobPrivate, peerPublicKey: alicePublic)) == shared)
    }

    @Test("X25519 rejects an all-zero shared secret")
    func x25519RejectsLowOrderPoint() throws {
        let pair = try X25519.generateKeyPair()
        #expect(throws: CryptoError.keyAgreementFailed) {
            try X25519.sharedSecret(privateKey: pair.privateKey, peerPublicKey: [UInt8](repeating: 0, count: 32))
        }
        #expect(throws: CryptoError.invalidKeyLength) {
            try X25519.sharedSecret(privateKey: pair.privateKey, peerPublicKey: [1, 2, 3])
        }
    }

    @Test("RFC 5869 test case 1 (HKDF-SHA256)")
    func rfc5869() throws {
        let ikm = [UInt8](repeating: 0x0b, count: 22)
        let salt = try Hex.decode("000102030405060708090a0b0c")
        let info = try Hex.decode("f0f1f2f3f4f5f6f7f8f9")
        let prk = try HKDF.extract(salt: salt, inputKeyMaterial: ikm)
        #expect(Hex.encode(prk) == "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5")
        let okm = try HKDF.expand(pseudoRandomKey: prk, info: info, length: 42)
        #expect(
            Hex.encode(okm)
                == "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865")
        #expect(try HKDF.derive(inputKeyMaterial: ikm, salt: salt, info: info, length: 42) == okm)
    }

    @Test("HKDF without salt equals HKDF with 32 zero bytes or an empty salt")
    func hkdfNoSalt() throws {
        let ikm = SecureRandom.bytes(32)
        let zero = try HKDF.derive(inputKeyMaterial: ikm, salt: [UInt8](repeating: 0, count: 32), info: [], length: 32)
        #expect(try HKDF.deriveKey(inputKeyMaterial: ikm) == zero)
        #expect(try HKDF.derive(inputKeyMaterial: ikm, salt: [], info: [], length: 32) == zero)
    }

    @Test("RFC 8439 §2.8.2 ChaCha20-Poly1305 AEAD")
    func rfc8439() throws {
        let key = try Hex.decode("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f")
        let nonce = try Hex.decode("070000004041424344454647")
        let aad = try Hex.decode("50515253c0c1c2c3c4c5c6c7")
        let plaintext = Array(
            ("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, "
                + "sunscreen would be it.").utf8)
        let expectedCiphertext =
            "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92728b"
            + "1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
            + "3ff4def08e4b7a9de576d26586cec64b6116"
        let expectedTag = "1ae10b594f09e26a7e902ecbd0600691"
        let sealed = try ChaChaPoly.seal(plaintext, key: key, nonce: nonce, authenticating: aad)
        #expect(Hex.encode(sealed) == expectedCiphertext + expectedTag)
        #expect(try ChaChaPoly.open(sealed, key: key, nonce: nonce, authenticating: aad) == plaintext)
        var tampered = sealed
        tampered[0] ^= 1
        #expect(throws: CryptoError.decryptionFailed) {
            try ChaChaPoly.open(tampered, key: key, nonce: nonce, authenticating: aad)
        }
        #expect(throws: CryptoError.decryptionFailed) {
            try ChaChaPoly.open(sealed, key: key, nonce: nonce)
        }
    }

    @Test("RFC 8032 §7.1 test 1 (Ed25519)")
    func rfc8032() throws {
        let seed = try Hex.decode("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
        let pair = try Ed25519.keyPair(seed: seed)
        #expect(Hex.encode(pair.publicKey) == "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
        #expect(pair.secretKey == seed + pair.publicKey)
        let signature = try Ed25519.sign([], seed: seed)
        #expect(
            Hex.encode(signature)
                == "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
        )
        #expect(Ed25519.verify(signature: signature, message: [], publicKey: pair.publicKey))
        #expect(!Ed25519.verify(signature: signature, message: [0], publicKey: pair.publicKey))
    }

    @Test("SHA-256 of \"abc\"")
    func sha256() {
        #expect(
            Hex.encode(SHA256Digest.hash(Array("abc".utf8)))
                == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    // MARK: codecs

    @Test("hex round trip, lowercase output, errors")
    func hex() throws {
        let bytes: [UInt8] = [0x00, 0x0f, 0xab, 0xff]
        #expect(Hex.encode(bytes) == "000fabff")
        #expect(try Hex.decode("000FABff") == bytes)
        #expect(throws: CryptoError.invalidHex) { try Hex.decode("abc") }
        #expect(throws: CryptoError.invalidHex) { try Hex.decode("zz") }
        #expect(throws: CryptoError.invalidKeyLength) { try Hex.decode("00", count: 32) }
        #expect(Hex.isLowercaseHex(String(repeating: "a", count: 64), byteCount: 32))
        #expect(!Hex.isLowercaseHex(String(repeating: "A", count: 64), byteCount: 32))
    }

    @Test("base64 padded/unpadded and base64url", arguments: 0..<8)
    func base64RoundTrip(length: Int) throws {
        let bytes = SecureRandom.bytes(length * 7 + length)
        let standard = Base64Codec.encode(bytes)
        #expect(standard.count % 4 == 0)
        #expect(try Base64Codec.decode(standard) == bytes)
        let unpadded = String(standard.drop(while: { _ in false }).filter { $0 != "=" })
        #expect(try Base64Codec.decode(unpadded) == bytes)
        let url = Base64Codec.encodeURL(bytes)
        #expect(!url.contains("=") && !url.contains("+") && !url.contains("/"))
        #expect(try Base64Codec.decodeURL(url) == bytes)
    }

    @Test("base64 known values and rejects")
    func base64Known() throws {
        #expect(Base64Codec.encode(Array("WalletConnect".utf8)) == "V2FsbGV0Q29ubmVjdA==")
        #expect(Base64Codec.encode([0xfb, 0xff]) == "+/8=")
        #expect(Base64Codec.encodeURL([0xfb, 0xff]) == "-_8")
        #expect(throws: CryptoError.invalidBase64) { try Base64Codec.decode("-_8") }
        #expect(throws: CryptoError.invalidBase64) { try Base64Codec.decodeURL("+/8=") }
        #expect(throws: CryptoError.invalidBase64) { try Base64Codec.decode("A") }
        #expect(throws: CryptoError.invalidBase64) { try Base64Codec.decode("AB=") }
        #expect(throws: CryptoError.invalidBase64) { try Base64Codec.decode("A B=") }
    }
}
