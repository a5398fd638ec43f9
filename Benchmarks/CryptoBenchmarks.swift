import CSodium
import Foundation
import WalletConnectCore

enum CryptoBenchmarks {
    struct Mismatch: Error, CustomStringConvertible {
        var description: String
    }

    /// The floor of both crypto cases: libsodium ChaCha20-Poly1305 IETF seal + open of the same 1 KiB, into
    /// preallocated buffers (no allocation, no encoding); `batch` operations per call.
    final class AEADFloor {
        let payload: [UInt8]
        let key: [UInt8]
        let iv: [UInt8]
        var sealed: [UInt8]
        var opened: [UInt8]

        init(payload: [UInt8], key: [UInt8], iv: [UInt8]) {
            _ = sodium_init()
            self.payload = payload
            self.key = key
            self.iv = iv
            sealed = [UInt8](repeating: 0, count: payload.count + 16)
            opened = [UInt8](repeating: 0, count: payload.count)
        }

        func run(_ batch: Int) {
            var length: UInt64 = 0
            for _ in 0..<batch {
                _ = crypto_aead_chacha20poly1305_ietf_encrypt(
                    &sealed, &length, payload, UInt64(payload.count), nil, 0, nil, iv, key)
                _ = crypto_aead_chacha20poly1305_ietf_decrypt(
                    &opened, &length, nil, sealed, UInt64(sealed.count), nil, 0, iv, key)
                blackHole(opened)
            }
        }
    }

    /// Envelope seal + open of 1 KiB (type 0, padded base64 text on the wire) through the library's one-pass
    /// envelope code (`Envelope.sealType0` / `Envelope.openType0`) vs the raw libsodium AEAD on the same bytes.
    static func envelope() throws -> [BenchmarkResult] {
        let payload = [UInt8](repeating: 0x61, count: 1024)
        let key = SecureRandom.bytes(32)
        let iv = SecureRandom.bytes(12)
        let batch = 4_000

        // Correctness first: the text must open to the payload and match the byte-level builder.
        let text = try Envelope.sealType0(payload, key: key, iv: iv)
        let reference = try Envelope.type0(iv: iv, sealed: ChaChaPoly.seal(payload, key: key, nonce: iv)).serialized()
        guard text == reference, try Envelope.openType0(text, key: key) == payload else {
            throw Mismatch(description: "envelope round trip mismatch")
        }

        let aead = AEADFloor(payload: payload, key: key, iv: iv)
        let (floor, value) = try Measure.interleaved(batch: batch, floor: { aead.run(batch) }) {
            for _ in 0..<batch {
                let text = try Envelope.sealType0(payload, key: key, iv: iv)
                blackHole(try Envelope.openType0(text, key: key))
            }
        }
        return [
            BenchmarkResult(
                name: "envelope_seal_open_1KiB", value: value, unit: "ns/op", floorName: "libsodium AEAD seal+open 1KiB",
                floor: floor, ratio: value / floor, higherIsBetter: false, target: "<= 1.3x",
                notes: "type-0 envelope incl. base64 text encode + decode (1404 chars), fixed key")
        ]
    }

    /// The same seal + open through the `Crypto` actor: key lookup by topic (hex key decode), fresh random iv,
    /// base64, String <-> UTF-8, one actor hop per call.
    static func cryptoActor() async throws -> [BenchmarkResult] {
        let payloadText = String(repeating: "a", count: 1024)
        let payload = [UInt8](payloadText.utf8)
        let key = SecureRandom.bytes(32)
        let iv = SecureRandom.bytes(12)
        let batch = 2_000
        let crypto = Crypto(keyChain: KeyChain.inMemory())
        let topic = try await crypto.setSymKey(Hex.encode(key))
        let check = try await crypto.decode(topic: topic, encoded: crypto.encode(topic: topic, payload: payloadText))
        guard check == payloadText else { throw Mismatch(description: "crypto actor round trip mismatch") }

        let aead = AEADFloor(payload: payload, key: key, iv: iv)
        let (floor, value) = try await Measure.interleaved(batch: batch, floor: { aead.run(batch) }) {
            for _ in 0..<batch {
                let encoded = try await crypto.encode(topic: topic, payload: payloadText)
                let decoded = try await crypto.decode(topic: topic, encoded: encoded)
                blackHole(decoded)
            }
        }
        return [
            BenchmarkResult(
                name: "crypto_actor_encode_decode_1KiB", value: value, unit: "ns/op",
                floorName: "libsodium AEAD seal+open 1KiB", floor: floor, ratio: value / floor, higherIsBetter: false,
                target: "(informative)", notes: "Crypto actor: keychain lookup, random iv, base64, String<->UTF-8")
        ]
    }
}
