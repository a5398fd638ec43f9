/// Errors raised by the crypto layer: primitives, envelopes, the key chain and the `Crypto` actor.
///
/// A struct over a private enum, so new cases break no one. Compare with `==` against the static
/// members, or match them in a `catch` pattern. Descriptions never contain key material.
public struct CryptoError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Base: Sendable, Hashable {
        case missingKey(tag: String)
        case decryptionFailed
        case malformedEnvelope
        case unsupportedEnvelopeType
        case invalidHex
        case invalidBase64
        case invalidKeyLength
        case keyAgreementFailed
        case invalidSignature
        case missingSenderPublicKey
        case missingReceiverPublicKey
        case invalidPlaintext
        case libraryUnavailable
        case operationFailed
    }

    private let base: Base

    private init(_ base: Base) { self.base = base }

    /// No key is stored under `tag` (message: `No matching key. keychain: <tag>`).
    public static func missingKey(tag: String) -> CryptoError { CryptoError(.missingKey(tag: tag)) }
    /// Authenticated decryption failed (wrong key or tampered data).
    public static let decryptionFailed = CryptoError(.decryptionFailed)
    /// The envelope bytes are too short, empty or not valid base64.
    public static let malformedEnvelope = CryptoError(.malformedEnvelope)
    /// The envelope type byte is not 0, 1 or 2.
    public static let unsupportedEnvelopeType = CryptoError(.unsupportedEnvelopeType)
    /// Text is not valid hexadecimal.
    public static let invalidHex = CryptoError(.invalidHex)
    /// Text is not valid base64 / base64url.
    public static let invalidBase64 = CryptoError(.invalidBase64)
    /// A key, nonce or signature has the wrong length.
    public static let invalidKeyLength = CryptoError(.invalidKeyLength)
    /// X25519 produced an all-zero shared secret (low-order peer key).
    public static let keyAgreementFailed = CryptoError(.keyAgreementFailed)
    /// An Ed25519 signature did not verify.
    public static let invalidSignature = CryptoError(.invalidSignature)
    /// A type-1 envelope was requested without a sender public key.
    public static let missingSenderPublicKey = CryptoError(.missingSenderPublicKey)
    /// A type-1 envelope needs the receiver public key.
    public static let missingReceiverPublicKey = CryptoError(.missingReceiverPublicKey)
    /// A decrypted payload is not valid UTF-8 text.
    public static let invalidPlaintext = CryptoError(.invalidPlaintext)
    /// libsodium could not be initialised.
    public static let libraryUnavailable = CryptoError(.libraryUnavailable)
    /// A libsodium operation reported failure.
    public static let operationFailed = CryptoError(.operationFailed)

    /// The missing tag, for ``missingKey(tag:)`` errors.
    public var missingTag: String? {
        if case .missingKey(let tag) = base { return tag }
        return nil
    }

    /// Matches any error that equals `pattern` (for `catch CryptoError.decryptionFailed`).
    public static func ~= (pattern: CryptoError, value: any Error) -> Bool {
        (value as? CryptoError) == pattern
    }

    /// A fixed message; only ``missingKey(tag:)`` carries its (non-secret) tag.
    public var description: String {
        switch base {
        case .missingKey(let tag): return "No matching key. keychain: \(tag)"
        case .decryptionFailed: return "Decryption failed: authentication tag mismatch"
        case .malformedEnvelope: return "Malformed envelope"
        case .unsupportedEnvelopeType: return "Unsupported envelope type"
        case .invalidHex: return "Invalid hex string"
        case .invalidBase64: return "Invalid base64 string"
        case .invalidKeyLength: return "Invalid key length"
        case .keyAgreementFailed: return "Key agreement failed: all-zero shared secret"
        case .invalidSignature: return "Invalid Ed25519 signature"
        case .missingSenderPublicKey: return "Missing sender public key for a type 1 envelope"
        case .missingReceiverPublicKey: return "Missing receiver public key for a type 1 envelope"
        case .invalidPlaintext: return "Decrypted payload is not valid UTF-8"
        case .libraryUnavailable: return "libsodium could not be initialised"
        case .operationFailed: return "libsodium operation failed"
        }
    }
}
