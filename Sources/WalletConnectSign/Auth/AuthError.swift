/// An error from the one-click-auth layer (SIWE formatting, ReCaps, signatures, CACAO checks).
///
/// Match on ``kind`` (`catch let error as AuthError where error.kind == .nonceMismatch`).
/// ``message`` reproduces the JS SDK's text where one exists; it never contains key material.
public struct AuthError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The failure class. New kinds may be added; do not switch exhaustively.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        /// The kind's name.
        public var description: String { name }

        // Signatures and keys
        /// A signature is not 65 bytes `r‖s‖v` with v in 0, 1, 27, 28, or is not hex.
        public static let invalidSignatureEncoding = Kind("invalidSignatureEncoding")
        /// A private key is not a valid 32-byte secp256k1 scalar.
        public static let invalidPrivateKey = Kind("invalidPrivateKey")
        /// A public key could not be parsed.
        public static let invalidPublicKey = Kind("invalidPublicKey")
        /// A hash is not 32 bytes.
        public static let invalidHash = Kind("invalidHash")
        /// An address is not 20 bytes of hex.
        public static let invalidAddress = Kind("invalidAddress")
        /// No public key could be recovered from the signature.
        public static let recoveryFailed = Kind("recoveryFailed")
        /// libsecp256k1 failed to create a context or to sign.
        public static let secp256k1Failure = Kind("secp256k1Failure")

        // Message formatting
        /// Neither `aud` nor `uri` is present.
        public static let missingAudience = Kind("missingAudience")
        /// The (final) statement contains `\r` or `\n` (2.23.10 rule).
        public static let statementContainsLineBreak = Kind("statementContainsLineBreak")
        /// A single-line field other than the statement contains `\r` or `\n`.
        public static let fieldContainsLineBreak = Kind("fieldContainsLineBreak")
        /// The issuer is neither `did:pkh:<ns>:<ref>:<address>` nor `<ns>:<ref>:<address>`.
        public static let invalidIssuer = Kind("invalidIssuer")

        // ReCaps and payloads
        /// A ReCap resource is malformed or fails validation.
        public static let invalidRecap = Kind("invalidRecap")
        /// The wallet supports none of the requested chains.
        public static let noSupportedChains = Kind("noSupportedChains")
        /// The wallet supports none of the requested ReCap methods.
        public static let unsupportedMethods = Kind("unsupportedMethods")
        /// A chain id is not CAIP-2.
        public static let invalidChainID = Kind("invalidChainID")

        // CACAO verification
        /// The CACAO signature type is neither `eip191` nor `eip1271`.
        public static let unknownSignatureType = Kind("unknownSignatureType")
        /// The signature does not verify for the issuer's address (forged or for another message).
        public static let signatureMismatch = Kind("signatureMismatch")
        /// The EIP-1271 `eth_call` failed, so the signature could not be checked.
        public static let eip1271CallFailed = Kind("eip1271CallFailed")
        /// The CACAO's domain differs from the request's.
        public static let domainMismatch = Kind("domainMismatch")
        /// The CACAO's nonce differs from the request's.
        public static let nonceMismatch = Kind("nonceMismatch")
        /// The CACAO's `aud` differs from the request's `aud` (or `uri`).
        public static let audienceMismatch = Kind("audienceMismatch")
        /// The issuer's chain is not among the requested chains.
        public static let chainNotRequested = Kind("chainNotRequested")
        /// The CACAO is structurally invalid (bad issuer, bad fields).
        public static let malformedCacao = Kind("malformedCacao")
    }

    /// The failure class.
    public let kind: Kind
    /// A human-readable message (the JS SDK's text where one exists).
    public let message: String

    /// Creates an error.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// `AuthError.<kind>: <message>`.
    public var description: String { "AuthError.\(kind): \(message)" }
}
