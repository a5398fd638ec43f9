import Testing
import WalletConnectCore

/// The paths changed to zero key buffers (Docs/Security.md, "Key material in memory") still compute the same values.
@Suite("Secret buffers: zeroing paths keep their results")
struct SecretBufferTests {
    @Test("Ed25519.publicKey(seed:) equals the key pair's public key and checks the seed length")
    func ed25519PublicKey() throws {
        for _ in 0..<8 {
            let seed = SecureRandom.bytes(32)
            #expect(try Ed25519.publicKey(seed: seed) == Ed25519.keyPair(seed: seed).publicKey)
        }
        #expect(throws: CryptoError.invalidKeyLength) { try Ed25519.publicKey(seed: SecureRandom.bytes(31)) }
    }

    @Test("HKDF-Expand output of any length is the prefix of a longer output", arguments: [0, 1, 31, 32, 33, 64, 65, 100, 8160])
    func hkdfPrefix(length: Int) throws {
        let prk = SecureRandom.bytes(32)
        let info = Array("walletkit".utf8)
        let long = try HKDF.expand(pseudoRandomKey: prk, info: info, length: 255 * 32)
        let short = try HKDF.expand(pseudoRandomKey: prk, info: info, length: length)
        #expect(short.count == length)
        #expect(short == Array(long.prefix(length)))
        #expect(throws: CryptoError.invalidKeyLength) { try HKDF.expand(pseudoRandomKey: prk, info: info, length: 255 * 32 + 1) }
    }

    @Test("ChaCha20-Poly1305 open returns exactly the plaintext")
    func chachaOpen() throws {
        let key = SecureRandom.bytes(32)
        let nonce = SecureRandom.bytes(12)
        for count in [0, 1, 16, 1000] {
            let plaintext = SecureRandom.bytes(count)
            let sealed = try ChaChaPoly.seal(plaintext, key: key, nonce: nonce)
            #expect(try ChaChaPoly.open(sealed, key: key, nonce: nonce) == plaintext)
        }
    }

    @Test("generated key pairs: the stored private key gives the returned public key")
    func generatedKeyPair() async throws {
        let keyChain = KeyChain.inMemory()
        let crypto = Crypto(keyChain: keyChain)
        let publicKey = try await crypto.generateKeyPair()
        let privateKey = try Hex.decode(try keyChain.get(publicKey), count: 32)
        #expect(Hex.encode(try X25519.publicKey(privateKey: privateKey)) == publicKey)
        #expect(privateKey.contains { $0 != 0 })
    }
}
