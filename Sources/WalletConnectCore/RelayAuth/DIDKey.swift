/// `did:key` identifiers for Ed25519 public keys (spec §4.1):
/// `did:key:z` + base58btc(`0xED 0x01` ‖ publicKey32).
package enum DIDKey {
    /// The `did:key:` prefix.
    package static let prefix = "did:key:"
    /// The multibase prefix for base58btc.
    package static let multibasePrefix = "z"
    /// The multicodec header of an Ed25519 public key (`0xed01`).
    package static let ed25519Header: [UInt8] = [0xed, 0x01]

    /// The `did:key` of an Ed25519 public key.
    package static func encode(ed25519PublicKey: [UInt8]) -> String {
        encode(publicKey: ed25519PublicKey, multicodecHeader: ed25519Header)
    }

    /// The `did:key` of `publicKey` under any multicodec header (e.g. `0xec01` for X25519).
    package static func encode(publicKey: [UInt8], multicodecHeader: [UInt8]) -> String {
        prefix + multibasePrefix + Base58.encode(multicodecHeader + publicKey)
    }

    /// The Ed25519 public key of a `did:key`.
    /// - Throws: ``RelayAuthError`` `.notDIDKey`, `.invalidMultibase`, `.invalidBase58`, `.invalidMulticodec`
    ///   or `.invalidKeyLength`.
    package static func decode(_ did: String) throws -> [UInt8] {
        guard did.hasPrefix(prefix) else { throw RelayAuthError.notDIDKey }
        let multibase = did.dropFirst(prefix.count)
        guard multibase.hasPrefix(multibasePrefix) else { throw RelayAuthError.invalidMultibase }
        let bytes = try Base58.decode(String(multibase.dropFirst(multibasePrefix.count)))
        guard bytes.count >= 2, Array(bytes.prefix(2)) == ed25519Header else {
            throw RelayAuthError.invalidMulticodec
        }
        guard bytes.count == 2 + Ed25519.keyLength else { throw RelayAuthError.invalidKeyLength }
        return Array(bytes.dropFirst(2))
    }
}
