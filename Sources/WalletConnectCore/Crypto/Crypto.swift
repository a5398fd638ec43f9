import Logging

/// The crypto controller (spec §1.8): owns the ``KeyChain`` and performs key agreement, envelope
/// encoding/decoding and relay authentication.
///
/// Private keys and derived symmetric keys never leave the actor. The single exception is the pairing
/// symmetric key returned by ``createPairingSymKey()``, which must go into the pairing URI.
package actor Crypto {
    /// Key chain tag of the Ed25519 identity seed.
    package static let clientSeedTag = "client_ed25519_seed"

    let keyChain: KeyChain
    let wallClock: WallClock
    let logger: Logger
    /// Orders the key chain changes of one tag (a storage key chain persists with an await in between), and the
    /// first load of a storage key chain (key ``loadGateKey``) before any change.
    private var keyChainGate = AsyncSerialGate<String>()
    /// Not a tag: topics and public keys are hex, the seed tag is a word.
    private static let loadGateKey = " load"

    /// Creates the controller.
    /// - Parameters:
    ///   - keyChain: where keys are stored.
    ///   - wallClock: wall time for JWT `iat`.
    ///   - logger: debug logging; never receives key material.
    package init(
        keyChain: KeyChain, wallClock: WallClock = .system,
        logger: Logger = Logger(label: "walletkit", factory: { _ in SwiftLogNoOpLogHandler() })
    ) {
        self.keyChain = keyChain
        self.wallClock = wallClock
        self.logger = logger
    }

    // MARK: keys

    /// Generates an X25519 key pair, stores `publicKey → privateKey`, and returns the public key hex.
    /// - Throws: ``CryptoError`` or ``StorageError``.
    package func generateKeyPair() async throws -> String {
        // Same as `X25519.generateKeyPair()`, with the private key bytes zeroed afterwards (the key chain keeps hex).
        var privateKey = SecureRandom.bytes(X25519.keyLength)
        defer { Sodium.wipe(&privateKey) }
        let publicKey = Hex.encode(try X25519.publicKey(privateKey: privateKey))
        try await setKey(Hex.encode(privateKey), for: publicKey)
        logger.debug("generated key pair")
        return publicKey
    }

    /// Derives `HKDF(X25519(self, peer))`, stores it under `overrideTopic` or `hashKey(symKey)`, and returns the topic.
    /// - Throws: ``CryptoError/missingKey(tag:)`` when `selfPublicKey` has no private key; other ``CryptoError``s.
    package func generateSharedKey(selfPublicKey: String, peerPublicKey: String, overrideTopic: String? = nil)
        async throws -> String
    {
        try await loadKeys()
        var symKey = try deriveSymKey(selfPublicKey: selfPublicKey, peerPublicKey: peerPublicKey)
        defer { Sodium.wipe(&symKey) }
        return try await storeSymKey(symKey, overrideTopic: overrideTopic)
    }

    /// Stores a 32-byte symmetric key (hex) under `overrideTopic` or `hashKey(symKey)`; returns the topic.
    /// - Throws: ``CryptoError/invalidHex`` / ``CryptoError/invalidKeyLength``, ``StorageError``.
    package func setSymKey(_ symKeyHex: String, overrideTopic: String? = nil) async throws -> String {
        var symKey = try Hex.decode(symKeyHex, count: ChaChaPoly.keyLength)
        defer { Sodium.wipe(&symKey) }
        return try await storeSymKey(symKey, overrideTopic: overrideTopic)
    }

    /// Creates a random pairing symmetric key, stores it under its topic, and returns both (for the URI).
    /// - Throws: ``StorageError``.
    package func createPairingSymKey() async throws -> (topic: String, symKey: String) {
        var symKey = SecureRandom.bytes(ChaChaPoly.keyLength)
        defer { Sodium.wipe(&symKey) }
        let topic = try await storeSymKey(symKey, overrideTopic: nil)
        return (topic, Hex.encode(symKey))
    }

    /// Whether the key chain holds a value under `tag` (a topic or a public key).
    package func hasKey(_ tag: String) -> Bool {
        keyChain.has(tag)
    }

    /// Deletes the private key stored under `publicKey` (no error if absent).
    /// - Throws: ``StorageError``.
    package func deleteKeyPair(publicKey: String) async throws {
        try await deleteKey(publicKey)
    }

    /// Deletes every key of the key chain (an instance's wipe, ``WalletKit/cleanup()``); for a storage key chain,
    /// every key chain row of the namespace.
    /// - Throws: The key chain's write error.
    package func deleteAllKeys() async throws {
        try await keyChain.deleteAll()
    }

    /// Deletes the symmetric key stored under `topic` (no error if absent).
    /// - Throws: ``StorageError``.
    package func deleteSymKey(topic: String) async throws {
        try await deleteKey(topic)
    }

    /// Loads a storage key chain (``KeyChain/init(storage:prefix:)``) once; nothing to do for a file or memory.
    /// Every method that reads or changes keys on its own calls it first; `SignClient` calls it at start so that
    /// an unreadable key chain stops the start.
    /// - Throws: The storage's read error (a later call tries again).
    package func loadKeys() async throws {
        guard !keyChain.isLoaded else { return }
        try await withKeyChainGate(Self.loadGateKey) {
            guard !keyChain.isLoaded else { return }
            try await keyChain.load()
            logger.debug("loaded key chain from storage")
        }
    }

    /// Runs `body` after every earlier change of `tag` has finished, and before every later one starts.
    private func withKeyChainGate<T>(_ tag: String, _ body: () async throws -> T) async throws -> T {
        if !keyChainGate.tryEnter(tag) { await withCheckedContinuation { keyChainGate.park(tag, $0) } }
        defer { keyChainGate.leave(tag)?.resume() }
        return try await body()
    }

    private func setKey(_ value: String, for tag: String) async throws {
        try await loadKeys()
        try await withKeyChainGate(tag) { try await keyChain.set(value, for: tag) }
    }

    private func deleteKey(_ tag: String) async throws {
        try await loadKeys()
        try await withKeyChainGate(tag) { try await keyChain.delete(tag) }
    }

    // MARK: identity

    /// The client id: `did:key` of the Ed25519 identity. The seed is created once and persisted.
    /// - Throws: ``CryptoError`` or ``StorageError``.
    package func clientID() async throws -> String {
        var seed = try await identitySeed()
        defer { Sodium.wipe(&seed) }
        return DIDKey.encode(ed25519PublicKey: try Ed25519.publicKey(seed: seed))
    }

    /// Signs a relay-auth JWT for `audience` (the relay URL without query): fresh random `sub`,
    /// `iat` = now, `exp` = `iat` + 86400.
    /// - Throws: ``CryptoError`` or ``StorageError``.
    package func signJWT(audience: String) async throws -> String {
        var seed = try await identitySeed()
        defer { Sodium.wipe(&seed) }
        let subject = Hex.encode(SecureRandom.bytes(32))
        return try RelayJWT.sign(seed: seed, audience: audience, subject: subject, issuedAt: wallClock.nowSeconds)
    }

    // MARK: internals

    func identitySeed() async throws -> [UInt8] {
        if keyChain.has(Self.clientSeedTag) {
            return try Hex.decode(keyChain.get(Self.clientSeedTag), count: Ed25519.keyLength)
        }
        try await loadKeys()
        // Decided inside the tag's gate: two first calls must not create two identities.
        return try await withKeyChainGate(Self.clientSeedTag) {
            if keyChain.has(Self.clientSeedTag) {
                return try Hex.decode(keyChain.get(Self.clientSeedTag), count: Ed25519.keyLength)
            }
            var seed = SecureRandom.bytes(Ed25519.keyLength)
            defer { Sodium.wipe(&seed) }
            try await keyChain.set(Hex.encode(seed), for: Self.clientSeedTag)
            logger.debug("created client identity seed")
            return seed
        }
    }

    func privateKey(for publicKey: String) throws -> [UInt8] {
        try Hex.decode(keyChain.get(publicKey), count: X25519.keyLength)
    }

    func symKey(for topic: String) throws -> [UInt8] {
        try Hex.decode(keyChain.get(topic), count: ChaChaPoly.keyLength)
    }

    func deriveSymKey(selfPublicKey: String, peerPublicKey: String) throws -> [UInt8] {
        var privateKey = try privateKey(for: selfPublicKey)
        defer { Sodium.wipe(&privateKey) }
        let peer = try Hex.decode(peerPublicKey, count: X25519.keyLength)
        return try X25519.deriveSymKey(privateKey: privateKey, peerPublicKey: peer)
    }

    func storeSymKey(_ symKey: [UInt8], overrideTopic: String?) async throws -> String {
        let topic = overrideTopic ?? Hex.encode(SHA256Digest.hash(symKey))
        try await setKey(Hex.encode(symKey), for: topic)
        logger.debug("stored symmetric key", metadata: ["wk.topic": "\(topic)"])
        return topic
    }
}
