import Crypto
import Foundation
import WalletConnectCore

/// The payload of a Verify v2 attestation JWT: `{exp, id, origin, isScam, isVerified}` (core §5.11).
public struct AttestationPayload: Codable, Sendable, Hashable {
    /// Expiry, Unix seconds.
    public var exp: Int64?
    /// `hashMessage` of the encrypted message the attestation is for.
    public var id: String?
    /// The attested origin, e.g. `https://app.example.com`.
    public var origin: String?
    /// Whether the origin is a known scam (`null` on the wire when unknown).
    public var isScam: Bool?
    /// Whether the origin is verified for the project.
    public var isVerified: Bool?

    /// Creates a payload.
    public init(exp: Int64?, id: String?, origin: String?, isScam: Bool?, isVerified: Bool?) {
        self.exp = exp
        self.id = id
        self.origin = origin
        self.isScam = isScam
        self.isVerified = isVerified
    }

    enum CodingKeys: String, CodingKey { case exp, id, origin, isScam, isVerified }

    /// Decodes tolerantly: a fractional `exp` is truncated, wrong-typed optional fields are errors.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let whole = try? container.decodeIfPresent(Int64.self, forKey: .exp) {
            exp = whole
        } else if let fractional = try container.decodeIfPresent(Double.self, forKey: .exp) {
            exp = Int64(exactly: fractional.rounded(.down))
        } else {
            exp = nil
        }
        id = try container.decodeIfPresent(String.self, forKey: .id)
        origin = try container.decodeIfPresent(String.self, forKey: .origin)
        isScam = try container.decodeIfPresent(Bool.self, forKey: .isScam)
        isVerified = try container.decodeIfPresent(Bool.self, forKey: .isVerified)
    }
}

/// Errors of attestation JWT handling. Descriptions never contain the token.
public struct AttestationError: Error, Sendable, Hashable, CustomStringConvertible {
    enum Kind: Sendable, Hashable {
        case malformed
        case invalidPublicKey
        case invalidSignature
        case expired
    }

    let kind: Kind

    /// The token is not three base64url parts with a JSON payload.
    public static let malformed = AttestationError(kind: .malformed)
    /// The JWK is not a P-256 point.
    public static let invalidPublicKey = AttestationError(kind: .invalidPublicKey)
    /// The ES256 signature does not verify.
    public static let invalidSignature = AttestationError(kind: .invalidSignature)
    /// `exp` is in the past.
    public static let expired = AttestationError(kind: .expired)

    /// Describes the error.
    public var description: String {
        switch kind {
        case .malformed: return "malformed attestation JWT"
        case .invalidPublicKey: return "invalid Verify public key"
        case .invalidSignature: return "invalid attestation JWT signature"
        case .expired: return "JWT attestation expired"
        }
    }
}

/// ES256 attestation JWTs: ECDSA P-256 / SHA-256 over ASCII `header.payload`, signature raw `r‖s` base64url.
public enum AttestationJWT {
    /// Splits a compact JWT into its three parts.
    static func parts(_ token: String) throws -> (header: Substring, payload: Substring, signature: Substring) {
        let pieces = token.split(separator: ".", omittingEmptySubsequences: false)
        guard pieces.count == 3 else { throw AttestationError.malformed }
        return (pieces[0], pieces[1], pieces[2])
    }

    /// The payload, decoded without checking the signature.
    /// - Throws: ``AttestationError/malformed``.
    public static func decodePayload(_ token: String) throws -> AttestationPayload {
        let payloadPart = try parts(token).payload
        guard let bytes = try? Base64Codec.decodeURL(String(payloadPart)),
            let payload = try? JSONDecoder().decode(AttestationPayload.self, from: Data(bytes))
        else { throw AttestationError.malformed }
        return payload
    }

    /// Whether the token's ES256 signature verifies with `key`.
    public static func hasValidSignature(_ token: String, key: VerifyPublicKey.JWK) -> Bool {
        guard let split = try? parts(token),
            let signatureBytes = try? Base64Codec.decodeURL(String(split.signature)),
            let signature = try? P256.Signing.ECDSASignature(rawRepresentation: signatureBytes),
            let publicKey = try? signingKey(key)
        else { return false }
        let signingInput = Data("\(split.header).\(split.payload)".utf8)
        return publicKey.isValidSignature(signature, for: signingInput)
    }

    /// Checks the signature with `key` and the expiry against `nowMilliseconds`, then returns the payload.
    /// - Throws: ``AttestationError`` (`invalidSignature`, `malformed`, `expired`).
    public static func verify(_ token: String, key: VerifyPublicKey.JWK, nowMilliseconds: Int64) throws
        -> AttestationPayload
    {
        guard hasValidSignature(token, key: key) else { throw AttestationError.invalidSignature }
        let payload = try decodePayload(token)
        guard let exp = payload.exp, exp.multipliedReportingOverflow(by: 1000).partialValue >= nowMilliseconds
        else { throw AttestationError.expired }
        return payload
    }

    static func signingKey(_ jwk: VerifyPublicKey.JWK) throws -> P256.Signing.PublicKey {
        guard let x = try? Base64Codec.decodeURL(jwk.x), let y = try? Base64Codec.decodeURL(jwk.y),
            x.count == 32, y.count == 32,
            let key = try? P256.Signing.PublicKey(x963Representation: [0x04] + x + y)
        else { throw AttestationError.invalidPublicKey }
        return key
    }
}
