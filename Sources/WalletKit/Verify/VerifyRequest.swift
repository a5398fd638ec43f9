import WalletConnectCore
import WalletConnectSign

/// What the wallet knows about one inbound message when it resolves its verify context (sign.md §10).
public struct VerifyRequest: Sendable, Hashable {
    /// The relay's `attestation` string: `nil` when absent, `""` when explicitly empty (no lookup at all).
    public var attestation: String?
    /// `hashMessage` of the encrypted envelope text as received (the JWT `id`).
    public var encryptedID: String?
    /// `hashMessage` of the plaintext JSON-RPC payload (the attestation lookup id).
    public var decryptedID: String?
    /// The dApp's `metadata.url`.
    public var metadataURL: String?
    /// The dApp's `metadata.verifyUrl`.
    public var metadataVerifyURL: String?

    /// Creates a request from precomputed ids.
    public init(
        attestation: String?, encryptedID: String?, decryptedID: String?,
        metadataURL: String?, metadataVerifyURL: String? = nil
    ) {
        self.attestation = attestation
        self.encryptedID = encryptedID
        self.decryptedID = decryptedID
        self.metadataURL = metadataURL
        self.metadataVerifyURL = metadataVerifyURL
    }

    /// Creates a request from the message texts; the ids are their `hashMessage` values.
    /// - Parameters:
    ///   - attestation: The relay's attestation string.
    ///   - encryptedMessage: The envelope text exactly as received.
    ///   - decryptedMessage: The plaintext JSON-RPC text used for the lookup, exactly as received (the bytes the
    ///     sender hashed; never a re-serialised tree, whose key order differs), or `nil` to skip the lookup.
    ///   - metadata: The dApp's metadata.
    public init(attestation: String?, encryptedMessage: String, decryptedMessage: String?, metadata: Metadata?) {
        self.init(
            attestation: attestation,
            encryptedID: CryptoHash.hashMessage(encryptedMessage),
            decryptedID: decryptedMessage.map(CryptoHash.hashMessage),
            metadataURL: metadata?.url,
            metadataVerifyURL: metadata?.verifyUrl
        )
    }
}
