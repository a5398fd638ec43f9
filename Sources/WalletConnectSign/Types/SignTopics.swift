import WalletConnectCore

/// Topic and key derivations Sign relies on (§1.3). Keys and topics are lowercase hex.
package enum SignTopics {
    /// The session symmetric key: `HKDF-SHA256(X25519(selfPrivate, peerPublic))`, hex.
    ///
    /// On approve the wallet uses its fresh private key and `proposal.proposer.publicKey`.
    /// - Throws: `CryptoError` for malformed hex, wrong lengths or a low-order peer key.
    package static func sessionSymKey(selfPrivateKey: String, peerPublicKey: String) throws -> String {
        let privateKey = try Hex.decode(selfPrivateKey, count: X25519.keyLength)
        let peer = try Hex.decode(peerPublicKey, count: X25519.keyLength)
        return Hex.encode(try X25519.deriveSymKey(privateKey: privateKey, peerPublicKey: peer))
    }

    /// A topic from a symmetric key: `hex(sha256(symKey bytes))` (session and pairing topics).
    /// - Throws: `CryptoError.invalidHex` for malformed hex.
    package static func topic(symKey: String) throws -> String {
        try CryptoHash.hashKey(symKey)
    }

    /// The session topic of `(selfPrivateKey, peerPublicKey)`.
    /// - Throws: see ``sessionSymKey(selfPrivateKey:peerPublicKey:)``.
    package static func sessionTopic(selfPrivateKey: String, peerPublicKey: String) throws -> String {
        try topic(symKey: sessionSymKey(selfPrivateKey: selfPrivateKey, peerPublicKey: peerPublicKey))
    }

    /// The `wc_sessionAuthenticate` response topic: `hex(sha256(requesterPublicKey bytes))`.
    /// - Throws: `CryptoError.invalidHex` for malformed hex.
    package static func authResponseTopic(requesterPublicKey: String) throws -> String {
        try CryptoHash.hashKey(requesterPublicKey)
    }
}
