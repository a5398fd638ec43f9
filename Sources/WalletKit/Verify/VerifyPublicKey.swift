/// The Verify server's attestation signing key: `{publicKey: JWK, expiresAt}` from `GET <server>/v3/public-key`.
public struct VerifyPublicKey: Codable, Sendable, Hashable {
    /// A P-256 public key as JSON Web Key; only `x` and `y` are used.
    public struct JWK: Codable, Sendable, Hashable {
        /// Curve name, `P-256`.
        public var crv: String?
        /// Key type, `EC`.
        public var kty: String?
        /// X coordinate, 32 bytes base64url.
        public var x: String
        /// Y coordinate, 32 bytes base64url.
        public var y: String

        /// Creates a JWK from its coordinates.
        public init(crv: String? = "P-256", kty: String? = "EC", x: String, y: String) {
            self.crv = crv
            self.kty = kty
            self.x = x
            self.y = y
        }
    }

    /// The signing key.
    public var publicKey: JWK
    /// When the key stops being valid, in Unix seconds.
    public var expiresAt: Int64

    /// Creates a public-key record.
    public init(publicKey: JWK, expiresAt: Int64) {
        self.publicKey = publicKey
        self.expiresAt = expiresAt
    }

    /// Whether the key is still usable at `nowMilliseconds` (spec: cache until `expiresAt`).
    public func isValid(nowMilliseconds: Int64) -> Bool {
        expiresAt.multipliedReportingOverflow(by: 1000).partialValue >= nowMilliseconds
    }
}
