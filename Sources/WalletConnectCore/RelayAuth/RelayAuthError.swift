/// Errors of relay authentication: did:key decoding and JWT verification.
///
/// A struct over a private enum; compare with `==` against the static members.
package struct RelayAuthError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Base: Sendable, Hashable {
        case notDIDKey, invalidMultibase, invalidBase58, invalidMulticodec, invalidKeyLength
        case malformedJWT, unsupportedAlgorithm, invalidSignature, expired, issuedInFuture, timestampOutOfRange
    }

    private let base: Base
    private init(_ base: Base) { self.base = base }

    /// The identifier does not start with `did:key:`.
    package static let notDIDKey = RelayAuthError(.notDIDKey)
    /// The multibase prefix is not `z` (base58btc).
    package static let invalidMultibase = RelayAuthError(.invalidMultibase)
    /// The text contains a character outside the base58btc alphabet.
    package static let invalidBase58 = RelayAuthError(.invalidBase58)
    /// The multicodec header is not `ed01` (Ed25519).
    package static let invalidMulticodec = RelayAuthError(.invalidMulticodec)
    /// The key is not 32 bytes.
    package static let invalidKeyLength = RelayAuthError(.invalidKeyLength)
    /// The token is not three base64url JSON parts with the expected claims.
    package static let malformedJWT = RelayAuthError(.malformedJWT)
    /// The header `alg` is not `EdDSA`.
    package static let unsupportedAlgorithm = RelayAuthError(.unsupportedAlgorithm)
    /// The Ed25519 signature does not verify against the `iss` key.
    package static let invalidSignature = RelayAuthError(.invalidSignature)
    /// `exp` is in the past (beyond the leeway).
    package static let expired = RelayAuthError(.expired)
    /// `iat` is in the future (beyond the leeway).
    package static let issuedInFuture = RelayAuthError(.issuedInFuture)
    /// `iat` or `exp` is negative or after ``RelayJWT/maxTimestamp`` (year 9999).
    package static let timestampOutOfRange = RelayAuthError(.timestampOutOfRange)

    /// Matches any error equal to `pattern` (for `catch` patterns).
    package static func ~= (pattern: RelayAuthError, value: any Error) -> Bool {
        (value as? RelayAuthError) == pattern
    }

    /// A fixed message.
    package var description: String {
        switch base {
        case .notDIDKey: return "Not a did:key identifier"
        case .invalidMultibase: return "did:key multibase prefix is not 'z' (base58btc)"
        case .invalidBase58: return "Invalid base58btc text"
        case .invalidMulticodec: return "did:key multicodec header is not ed01 (Ed25519)"
        case .invalidKeyLength: return "did:key public key is not 32 bytes"
        case .malformedJWT: return "Malformed relay auth JWT"
        case .unsupportedAlgorithm: return "Unsupported JWT algorithm (expected EdDSA)"
        case .invalidSignature: return "Invalid JWT signature"
        case .expired: return "JWT has expired"
        case .issuedInFuture: return "JWT is issued in the future"
        case .timestampOutOfRange: return "JWT iat or exp is outside 0 ... 253402300799 (year 9999)"
        }
    }
}
