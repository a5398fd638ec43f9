import CSodium
import Foundation
import WalletConnectCore

enum CryptoBenchmarks {
    /// Envelope seal + open of 1 KiB (type 0, base64 on the wire) vs the raw libsodium AEAD on the same bytes.
    static func envelope() throws -> [BenchmarkResult] {
        _ = sodium_init()
        let payload = [UInt8](repeating: 0x61, count: 1024)
        let key = SecureRandom.bytes(32)
        let iv = SecureRandom.bytes(12)
        let batch = 2_000

        let floor = Measure.nanosecondsPerOp(batch: batch) {
            var sealed = [UInt8](repeating: 0, count: payload.count + 16)
            var opened = [UInt8](repeating: 0, count: payload.count)
            var length: UInt64 = 0
            for _ in 0..<batch {
                _ = crypto_aead_chacha20poly1305_ietf_encrypt(
                    &sealed, &length, payload, UInt64(payload.count), nil, 0, nil, iv, key)
                _ = crypto_aead_chacha20poly1305_ietf_decrypt(
                    &opened, &length, nil, sealed, UInt64(sealed.count), nil, 0, iv, key)
                blackHole(opened)
            }
        }

        let codec = try Measure.nanosecondsPerOp(batch: batch) {
            for _ in 0..<batch {
                let sealed = try ChaChaPoly.seal(payload, key: key, nonce: iv)
                let bytes = try Envelope.type0(iv: iv, sealed: sealed).serialized(encoding: .base64)
                let parsed = try Envelope.parse(bytes, encoding: .base64)
                let opened = try ChaChaPoly.open(parsed.body, key: key, nonce: parsed.iv)
                blackHole(opened)
            }
        }
        return [
            BenchmarkResult(
                name: "envelope_seal_open_1KiB", value: codec, unit: "ns/op", floorName: "libsodium AEAD seal+open 1KiB",
                floor: floor, ratio: codec / floor, higherIsBetter: false, target: "<= 1.3x",
                notes: "type-0 envelope incl. base64 text encode/parse, fixed key")
        ]
    }
}
