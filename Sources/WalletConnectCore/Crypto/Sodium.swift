import CSodium

/// One-time libsodium initialisation. `sodium_init()` is idempotent and thread-safe; the
/// lazily initialised `static let` runs it once before the first primitive.
enum Sodium {
    /// Whether `sodium_init()` succeeded (it returns 0, or 1 when already initialised).
    static let isReady: Bool = sodium_init() >= 0

    /// Throws ``CryptoError/libraryUnavailable`` if libsodium could not be initialised.
    static func ensureReady() throws(CryptoError) {
        guard isReady else { throw CryptoError.libraryUnavailable }
    }

    /// Overwrites `bytes` with zeros in a way the optimiser keeps.
    static func wipe(_ bytes: inout [UInt8]) {
        let count = bytes.count
        bytes.withUnsafeMutableBytes { buffer in
            if let base = buffer.baseAddress { sodium_memzero(base, count) }
        }
    }
}

/// Cryptographically secure random bytes from libsodium (`randombytes_buf`).
package enum SecureRandom {
    /// Returns `count` random bytes.
    package static func bytes(_ count: Int) -> [UInt8] {
        _ = Sodium.isReady
        var out = [UInt8](repeating: 0, count: max(0, count))
        out.withUnsafeMutableBytes { buffer in
            if let base = buffer.baseAddress { randombytes_buf(base, buffer.count) }
        }
        return out
    }

    /// A uniformly random integer in `0..<upperBound` (`randombytes_uniform`).
    package static func uniform(_ upperBound: UInt32) -> UInt32 {
        _ = Sodium.isReady
        return randombytes_uniform(upperBound)
    }
}
