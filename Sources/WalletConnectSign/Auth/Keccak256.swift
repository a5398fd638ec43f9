import Foundation

/// Ethereum's Keccak-256: the original Keccak submission with padding byte `0x01`.
///
/// This is **not** NIST SHA3-256 (which pads with `0x06`); the two differ for every input.
/// Rate 1088 bits (136 bytes), capacity 512 bits, 24 rounds of Keccak-f[1600].
package enum Keccak256 {
    /// The digest length in bytes.
    package static let digestLength = 32

    /// Hashes `data` and returns the 32-byte digest.
    package static func hash(_ data: Data) -> Data {
        data.withUnsafeBytes { hash(buffer: $0) }
    }

    /// Hashes the UTF-8 bytes of `string` and returns the 32-byte digest.
    package static func hash(_ string: String) -> Data {
        hash(Data(string.utf8))
    }

    /// Hashes `bytes` and returns the 32-byte digest.
    package static func hash(_ bytes: [UInt8]) -> Data {
        bytes.withUnsafeBytes { hash(buffer: $0) }
    }

    private static let rate = 136

    private static func hash(buffer: UnsafeRawBufferPointer) -> Data {
        var state = [UInt64](repeating: 0, count: 25)
        var offset = 0
        let count = buffer.count
        // Absorb every full block.
        while count - offset >= rate {
            absorb(block: UnsafeRawBufferPointer(rebasing: buffer[offset..<(offset + rate)]), into: &state)
            offset += rate
        }
        // Pad the last partial block: 0x01 ... 0x80 (the two may share one byte as 0x81).
        var last = [UInt8](repeating: 0, count: rate)
        let remaining = count - offset
        for index in 0..<remaining {
            last[index] = buffer[offset + index]
        }
        last[remaining] ^= 0x01
        last[rate - 1] ^= 0x80
        last.withUnsafeBytes { absorb(block: $0, into: &state) }

        var output = Data(capacity: digestLength)
        for lane in 0..<(digestLength / 8) {
            var value = state[lane]
            for _ in 0..<8 {
                output.append(UInt8(truncatingIfNeeded: value))
                value >>= 8
            }
        }
        return output
    }

    private static func absorb(block: UnsafeRawBufferPointer, into state: inout [UInt64]) {
        for lane in 0..<(rate / 8) {
            var value: UInt64 = 0
            for byte in 0..<8 {
                value |= UInt64(block[lane * 8 + byte]) << (8 * UInt64(byte))
            }
            state[lane] ^= value
        }
        permute(&state)
    }

    private static let roundConstants: [UInt64] = [
        0x0000_0000_0000_0001, 0x0000_0000_0000_8082, 0x8000_0000_0000_808A, 0x8000_0000_8000_8000,
        0x0000_0000_0000_808B, 0x0000_0000_8000_0001, 0x8000_0000_8000_8081, 0x8000_0000_0000_8009,
        0x0000_0000_0000_008A, 0x0000_0000_0000_0088, 0x0000_0000_8000_8009, 0x0000_0000_8000_000A,
        0x0000_0000_8000_808B, 0x8000_0000_0000_008B, 0x8000_0000_0000_8089, 0x8000_0000_0000_8003,
        0x8000_0000_0000_8002, 0x8000_0000_0000_0080, 0x0000_0000_0000_800A, 0x8000_0000_8000_000A,
        0x8000_0000_8000_8081, 0x8000_0000_0000_8080, 0x0000_0000_8000_0001, 0x8000_0000_8000_8008,
    ]

    /// Rotation offsets, indexed by lane `x + 5 * y`.
    private static let rotations: [UInt64] = [
        0, 1, 62, 28, 27,
        36, 44, 6, 55, 20,
        3, 10, 43, 25, 39,
        41, 45, 15, 21, 8,
        18, 2, 61, 56, 14,
    ]

    @inline(__always)
    private static func rotl(_ value: UInt64, _ shift: UInt64) -> UInt64 {
        shift == 0 ? value : (value << shift) | (value >> (64 - shift))
    }

    /// Keccak-f[1600]: 24 rounds of θ, ρ, π, χ, ι over the 5×5 lane state (lane `x + 5y`).
    private static func permute(_ state: inout [UInt64]) {
        var c = [UInt64](repeating: 0, count: 5)
        var b = [UInt64](repeating: 0, count: 25)
        for round in 0..<24 {
            // θ
            for x in 0..<5 {
                c[x] = state[x] ^ state[x + 5] ^ state[x + 10] ^ state[x + 15] ^ state[x + 20]
            }
            for x in 0..<5 {
                let d = c[(x + 4) % 5] ^ rotl(c[(x + 1) % 5], 1)
                for y in 0..<5 {
                    state[x + 5 * y] ^= d
                }
            }
            // ρ and π: B[y, 2x + 3y] = rotl(A[x, y], r[x, y])
            for x in 0..<5 {
                for y in 0..<5 {
                    let target = y + 5 * ((2 * x + 3 * y) % 5)
                    b[target] = rotl(state[x + 5 * y], rotations[x + 5 * y])
                }
            }
            // χ
            for y in 0..<5 {
                for x in 0..<5 {
                    state[x + 5 * y] = b[x + 5 * y] ^ (~b[(x + 1) % 5 + 5 * y] & b[(x + 2) % 5 + 5 * y])
                }
            }
            // ι
            state[0] ^= roundConstants[round]
        }
    }
}
