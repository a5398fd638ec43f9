/// Verify API result attached to proposals and requests (§4.7): `{verified {origin, validation, verifyUrl, isScam?}}`.
public struct VerifyContext: Codable, Sendable, Hashable {
    /// Verification outcome of a request's origin.
    public enum Validation: String, Codable, Sendable, Hashable {
        /// The attested origin matches the metadata URL.
        case valid = "VALID"
        /// The attested origin differs from the metadata URL.
        case invalid = "INVALID"
        /// No attestation could be obtained.
        case unknown = "UNKNOWN"

        /// Decodes the wire string; unrecognised values become ``unknown``.
        public init(from decoder: any Decoder) throws {
            let text = try decoder.singleValueContainer().decode(String.self)
            self = Validation(rawValue: text) ?? .unknown
        }
    }

    /// The verification details.
    public struct Verified: Codable, Sendable, Hashable {
        /// Origin the request claims or was attested for.
        public var origin: String
        /// Outcome.
        public var validation: Validation
        /// Verify server used.
        public var verifyUrl: String
        /// Set when the origin is a known scam.
        public var isScam: Bool?

        /// Creates verification details.
        public init(origin: String, validation: Validation, verifyUrl: String, isScam: Bool? = nil) {
            self.origin = origin
            self.validation = validation
            self.verifyUrl = verifyUrl
            self.isScam = isScam
        }
    }

    /// The verification details.
    public var verified: Verified

    /// Creates a verify context.
    public init(verified: Verified) {
        self.verified = verified
    }

    /// Creates a verify context from its parts.
    public init(origin: String, validation: Validation, verifyUrl: String, isScam: Bool? = nil) {
        self.verified = Verified(origin: origin, validation: validation, verifyUrl: verifyUrl, isScam: isScam)
    }
}
