import Testing
import WalletConnectCore

/// Hostile `iat` / `exp` claims: a did:key JWT is self-signed, so anyone can send one with any numbers. Before
/// these checks `exp + leeway` overflowed and trapped the verifying process (`walletkit relay --strict-auth`).
@Suite("Relay auth JWT: out-of-range timestamps are refused, not trapped on", .timeLimit(.minutes(1)))
struct RelayJWTRangeTests {
    private static let seed = [UInt8](repeating: 9, count: 32)

    private static func token(iat: Int64, exp: Int64) throws -> String {
        let issuer = DIDKey.encode(ed25519PublicKey: try Ed25519.keyPair(seed: seed).publicKey)
        return try RelayJWT.sign(
            claims: RelayAuthClaims(iss: issuer, sub: "s", aud: "wss://r", iat: iat, exp: exp), seed: seed)
    }

    @Test(
        "exp or iat near the Int64 limits is refused with timestampOutOfRange",
        arguments: [
            (1_000, Int64.max - 1), (1_000, Int64.max), (1_000, Int64.max - 120), (Int64.min, 2_000),
            (Int64.max, Int64.max), (1_000, RelayJWT.maxTimestamp + 1), (-1, 2_000),
        ] as [(Int64, Int64)])
    func outOfRange(iat: Int64, exp: Int64) throws {
        let token = try Self.token(iat: iat, exp: exp)
        #expect(throws: RelayAuthError.timestampOutOfRange) { try RelayJWT.verify(token, nowSeconds: 1_000) }
    }

    @Test("the largest accepted exp still verifies; a huge leeway or now saturates instead of trapping")
    func boundaries() throws {
        let token = try Self.token(iat: 1_000, exp: RelayJWT.maxTimestamp)
        #expect(try RelayJWT.verify(token, nowSeconds: 1_000).exp == RelayJWT.maxTimestamp)
        #expect(try RelayJWT.verify(token, nowSeconds: 1_000, leeway: .max).iat == 1_000)
        #expect(throws: RelayAuthError.expired) { try RelayJWT.verify(token, nowSeconds: .max, leeway: 0) }
    }
}
