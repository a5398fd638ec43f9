import Foundation
import Testing
import WalletKitTesting

@testable import WalletConnectSign

private func hex(_ data: Data) -> String { data.map { String(format: "%02x", $0) }.joined() }

private func bytes(_ text: String) throws -> Data { try #require(AuthHex.decode(text)) }

@Suite("Keccak-256")
struct AuthKeccakTests {
    @Test func emptyInput() {
        #expect(hex(Keccak256.hash(Data())) == "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")
    }

    @Test func abc() {
        #expect(hex(Keccak256.hash("abc")) == "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45")
    }

    @Test func quickBrownFox() {
        #expect(
            hex(Keccak256.hash("The quick brown fox jumps over the lazy dog"))
                == "4d741b6f1eb29cb2a9b9911c82f56fa8d73b04959d3d9d222895df6c0b28aa15")
    }

    /// Inputs around and beyond the 136-byte rate: byte i = (7i + 3) mod 256.
    /// Expected digests computed independently with pycryptodome `Crypto.Hash.keccak` (digest_bits=256).
    @Test(arguments: [
        (135, "00ef96af9cf4b24c7f269d922294444a197d0a33638c2e56634c57e892103a8f"),
        (136, "742061bcad767ed4c4f5883b1dcb1aad11afdcc140dc469d953759b127b9f9ed"),
        (137, "e3371f61e770abf254c34239c3b0099ad90594507415bc81dd0a10b9692bbf2a"),
        (200, "66d2cdf3ab4c5bd3c75add9b60b14ac5b7789534fa2da3f348853b847359a3a0"),
        (272, "ac141fd7b0a0ffcd2e967254d508da3ec616596493c36fa304425647d90e6de5"),
        (1000, "80cdc8dd52cbb3dbaea8f383209893fa2bb52efbd5aedbb4b26dcfe307fcdc9b"),
    ])
    func multiBlock(length: Int, expected: String) {
        let input = Data((0..<length).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) })
        #expect(hex(Keccak256.hash(input)) == expected)
    }

    @Test func twoHundredAs() {
        #expect(
            hex(Keccak256.hash(String(repeating: "a", count: 200)))
                == "96ea54061def936c4be90b518992fdc6f12f535068a256229aca54267b4d084d")
    }
}

@Suite("secp256k1 and Ethereum addresses")
struct AuthSecp256k1Tests {
    static let privateKey = "305c6cde3846927892cd32762f6120539f3ec74c9e3a16b9b798b1e85351ae2a"

    @Test func addressFromPrivateKeyIsChecksummed() throws {
        let address = try EthereumAddress(privateKey: bytes(Self.privateKey))
        #expect(address.checksummed == "0x15bcA56b6E2728AeC2532dF9d436bD1600e86688")
        #expect(address.lowercased == "0x15bca56b6e2728aec2532df9d436bd1600e86688")
    }

    /// EIP-55 reference examples.
    @Test(arguments: [
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
        "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
        "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
    ])
    func eip55(address: String) throws {
        #expect(try EthereumAddress(hex: address.lowercased()).checksummed == address)
        #expect(EthereumAddress.isValidChecksum(address))
    }

    @Test func badChecksumIsDetected() {
        #expect(!EthereumAddress.isValidChecksum("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD"))
        #expect(EthereumAddress.isValidChecksum("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"))
    }

    @Test func signThenRecover() throws {
        let key = try bytes(Self.privateKey)
        let hash = Keccak256.hash("payload")
        let signature = try Secp256k1.signRecoverable(hash: hash, privateKey: key)
        #expect(signature.count == 65)
        #expect(signature.last! <= 1)
        let recovered = try Secp256k1.recoverPublicKey(signature: signature, hash: hash)
        #expect(recovered == (try Secp256k1.publicKey(privateKey: key)))
    }

    @Test func rejectsBadKeysAndSignatures() throws {
        let hash = Keccak256.hash("x")
        #expect(throws: AuthError.self) { try Secp256k1.signRecoverable(hash: hash, privateKey: Data(count: 32)) }
        #expect(throws: AuthError.self) { try Secp256k1.signRecoverable(hash: hash, privateKey: Data(count: 31)) }
        #expect(throws: AuthError.self) { try Secp256k1.signRecoverable(hash: Data(count: 31), privateKey: Data(count: 32)) }
        var signature = try Secp256k1.signRecoverable(hash: hash, privateKey: bytes(Self.privateKey))
        signature[64] = 29
        #expect(throws: AuthError.self) { try Secp256k1.recoverPublicKey(signature: signature, hash: hash) }
        // r = s = 0 is out of range.
        #expect(throws: AuthError.self) {
            try Secp256k1.recoverPublicKey(signature: Data(count: 64) + [27], hash: hash)
        }
    }
}

@Suite("EIP-191 and EIP-1271 vectors (auth-signatures.json)")
struct AuthSignatureVectorTests {
    @Test(arguments: AuthVector.load("auth-signatures.json", group: "eip191"))
    func eip191(vector: AuthVector) throws {
        let message = try #require(vector.string("message"))
        let address = try #require(vector.string("address"))
        let valid =
            (vector["expected_valid"] as? Bool) ?? (vector["expected_valid_standard"] as? Bool) ?? false
        let standardSignature = vector.string("signature_standard")

        if let utf8Length = vector["utf8_length"] as? Int {
            // Divergence case: we hash with the UTF-8 byte length (hash_standard), not JS's UTF-16 length.
            #expect(message.utf8.count == utf8Length)
            #expect(message.utf16.count == vector["utf16_length"] as? Int)
            #expect("0x" + hex(EIP191.hash(message: message)) == vector.string("hash_standard"))
            #expect("0x" + hex(EIP191.hash(message: message)) != vector.string("hash_js"))
            let standard = try #require(standardSignature)
            #expect(EIP191.verify(message: message, signature: standard, address: address) == valid)
            // Deterministic signer reproduces the standard signature.
            let key = try bytes(AuthSecp256k1Tests.privateKey)
            #expect(try EIP191.sign(message: message, privateKey: key) == standard)
            return
        }

        let signature = try #require(vector.string("signature"))
        #expect("0x" + hex(EIP191.hash(message: message)) == vector.string("hash_js"))
        #expect(EIP191.verify(message: message, signature: signature, address: address) == valid)
        if let recovered = vector.string("recovered_address") {
            #expect(try EIP191.recoverAddress(message: message, signature: signature).lowercased == recovered)
        } else {
            #expect(throws: AuthError.self) { try EIP191.recoverAddress(message: message, signature: signature) }
        }
        if let key = vector.string("private_key") {
            #expect(try EIP191.sign(message: message, privateKey: bytes(key)) == signature)
        }
    }

    @Test(arguments: AuthVector.load("auth-signatures.json", group: "eip1271"))
    func eip1271(vector: AuthVector) async throws {
        if let chainIDs = vector["chainIds"] as? [String] {
            let template = try #require(vector.string("expected_throws"))
            for chainID in chainIDs {
                let error = await #expect(throws: AuthError.self) {
                    try await EIP1271.isValidSignature(
                        message: "m", signature: "0x00", address: "0x00", chainID: chainID,
                        caller: FakeRPCCaller(result: EIP1271.magicValue))
                }
                #expect(error?.message == template.replacingOccurrences(of: "<chainId>", with: chainID))
                #expect(error?.kind == .invalidChainID)
            }
            return
        }
        let message = try #require(vector.string("message"))
        let signature = try #require(vector.string("signature"))
        let address = try #require(vector.string("address"))
        let chainID = try #require(vector.string("chainId"))
        let expectedValid = try #require(vector["expected_valid"] as? Bool)
        let data = try EIP1271.callData(message: message, signature: signature)
        if let expectedData = vector.string("eth_call_data") {
            #expect(data == expectedData)
        }
        if let prefixed = vector.string("prefixed_message_hex_reown_swift") {
            #expect(Keccak256.hash(try bytes(prefixed)) == EIP1271.digest(message: message))
        }
        // Simulated account contract: it returns the magic value only for the genuine signature of
        // this message (the valid case of the same message in the file).
        let genuine = try #require(
            AuthVector.load("auth-signatures.json", group: "eip1271").first {
                $0.string("message") == message && $0["expected_valid"] as? Bool == true
            })
        let genuineData = try EIP1271.callData(message: message, signature: #require(genuine.string("signature")))
        let contract = FakeRPCCaller(result: EIP1271.magicValue + String(repeating: "0", count: 56), acceptOnly: genuineData)
        let valid = try await EIP1271.isValidSignature(
            message: message, signature: signature, address: address, chainID: chainID, caller: contract)
        #expect(valid == expectedValid)
        #expect(contract.calls.map(\.to) == [address])
        #expect(contract.calls.map(\.chainID) == [chainID])
        #expect(contract.calls.map(\.data) == [data])
    }

    @Test func eip1271CallFailureIsTyped() async throws {
        let error = await #expect(throws: AuthError.self) {
            try await EIP1271.isValidSignature(
                message: "m", signature: "0x00", address: "0x00", chainID: "eip155:1",
                caller: FakeRPCCaller(result: nil))
        }
        #expect(error?.kind == .eip1271CallFailed)
    }
}
