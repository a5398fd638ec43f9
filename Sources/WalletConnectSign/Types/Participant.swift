/// One side of a proposal or session: `{publicKey, metadata}`.
public struct Participant: Codable, Sendable, Hashable {
    /// X25519 public key, 64 lowercase hex characters.
    public var publicKey: String
    /// The app's metadata.
    public var metadata: Metadata

    /// Creates a participant.
    public init(publicKey: String, metadata: Metadata) {
        self.publicKey = publicKey
        self.metadata = metadata
    }
}
