import Foundation

/// Relay-auth JWTs (spec §4.2): `{"alg":"EdDSA","typ":"JWT"}`, claims ``RelayAuthClaims``, base64url without
/// padding, Ed25519 signature over the ASCII `header.payload`.
package enum RelayJWT {
    /// The fixed header JSON.
    package static let headerJSON = "{\"alg\":\"EdDSA\",\"typ\":\"JWT\"}"
    /// Default token lifetime: one day.
    package static let defaultTTL: Int64 = 86400
    /// The largest `iat` / `exp` ``verify(_:nowSeconds:leeway:)`` accepts: 9999-12-31T23:59:59Z. Claims are chosen
    /// by whoever signs the token (a did:key JWT is self-signed), so they are bounded before any arithmetic.
    package static let maxTimestamp: Int64 = 253_402_300_799

    /// Signs a token with the Ed25519 key derived from `seed`; `iss` is that key's `did:key`.
    /// - Throws: ``CryptoError/invalidKeyLength`` for a seed that is not 32 bytes.
    package static func sign(seed: [UInt8], audience: String, subject: String, issuedAt: Int64, ttl: Int64 = 86400)
        throws -> String
    {
        let publicKey = try Ed25519.publicKey(seed: seed)
        let claims = RelayAuthClaims(
            iss: DIDKey.encode(ed25519PublicKey: publicKey), sub: subject, aud: audience, iat: issuedAt,
            exp: issuedAt + ttl)
        return try sign(claims: claims, seed: seed)
    }

    /// Signs given claims (their ``RelayAuthClaims/jsonText`` is what gets signed).
    /// - Throws: ``CryptoError/invalidKeyLength`` for a seed that is not 32 bytes.
    package static func sign(claims: RelayAuthClaims, seed: [UInt8]) throws -> String {
        try sign(payloadJSON: claims.jsonText, seed: seed)
    }

    /// Signs an arbitrary payload JSON text with the fixed header.
    /// - Throws: ``CryptoError/invalidKeyLength`` for a seed that is not 32 bytes.
    package static func sign(payloadJSON: String, seed: [UInt8]) throws -> String {
        let input = signingInput(payloadJSON: payloadJSON)
        let signature = try Ed25519.sign(Array(input.utf8), seed: seed)
        return input + "." + Base64Codec.encodeURL(signature)
    }

    /// `b64url(header) + "." + b64url(payloadJSON)`.
    package static func signingInput(payloadJSON: String) -> String {
        Base64Codec.encodeURL(Array(headerJSON.utf8)) + "." + Base64Codec.encodeURL(Array(payloadJSON.utf8))
    }

    /// Verifies a token: header `alg` EdDSA, `iss` a valid Ed25519 `did:key`, the signature over the signing
    /// input, `iat` and `exp` within `0 ... maxTimestamp`, `exp` not passed and `iat` not in the future (each with
    /// `leeway` seconds; the sums saturate, so no claim, time or leeway can overflow).
    /// - Returns: the claims.
    /// - Throws: ``RelayAuthError`` (``RelayAuthError/timestampOutOfRange`` for `iat` or `exp` out of range).
    package static func verify(_ token: String, nowSeconds: Int64, leeway: Int64 = 120) throws -> RelayAuthClaims {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3,
            let headerBytes = try? Base64Codec.decodeURL(String(parts[0])),
            let payloadBytes = try? Base64Codec.decodeURL(String(parts[1])),
            let signature = try? Base64Codec.decodeURL(String(parts[2]))
        else { throw RelayAuthError.malformedJWT }
        let header: Header
        let claims: RelayAuthClaims
        do {
            header = try JSONDecoder().decode(Header.self, from: Data(headerBytes))
            claims = try JSONDecoder().decode(RelayAuthClaims.self, from: Data(payloadBytes))
        } catch {
            throw RelayAuthError.malformedJWT
        }
        guard header.alg == "EdDSA" else { throw RelayAuthError.unsupportedAlgorithm }
        let publicKey = try DIDKey.decode(claims.iss)
        let signingInput = Array("\(parts[0]).\(parts[1])".utf8)
        guard Ed25519.verify(signature: signature, message: signingInput, publicKey: publicKey) else {
            throw RelayAuthError.invalidSignature
        }
        let range: ClosedRange<Int64> = 0...maxTimestamp
        guard range.contains(claims.iat), range.contains(claims.exp) else { throw RelayAuthError.timestampOutOfRange }
        guard nowSeconds <= Expiry.saturatingSum(claims.exp, leeway) else { throw RelayAuthError.expired }
        guard claims.iat <= Expiry.saturatingSum(nowSeconds, leeway) else { throw RelayAuthError.issuedInFuture }
        return claims
    }

    private struct Header: Decodable {
        var alg: String
        var typ: String?
    }
}
