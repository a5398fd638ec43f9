import Testing
import WalletKitTesting
@testable import WalletConnectCore

@Suite("Relay auth")
struct RelayAuthVectorTests {
    @Test(
        "core-relay-auth.json", .enabled(if: SharedVectors.isAvailable, SharedVectors.skipNote),
        arguments: SharedVectors.cases("core-relay-auth.json"))
    func vector(_ vectorCase: VectorCase) throws {
        let v = CoreVector(vectorCase)
        if let seedHex = v.inputString("seed") {
            let seed = try Hex.decode(seedHex)
            let pair = try Ed25519.keyPair(seed: seed)
            let did = DIDKey.encode(ed25519PublicKey: pair.publicKey)
            if let publicKey = v.expectedString("publicKey") { #expect(Hex.encode(pair.publicKey) == publicKey) }
            if let secretKey = v.expectedString("secretKey64") { #expect(Hex.encode(pair.secretKey) == secretKey) }
            if let iss = v.expectedString("iss") { #expect(did == iss) }
            if let payloadJSON = v.inputString("payloadJson") {
                if let headerJSON = v.inputString("headerJson") { #expect(headerJSON == RelayJWT.headerJSON) }
                #expect(RelayJWT.signingInput(payloadJSON: payloadJSON) == v.expectedString("signingInput"))
                let token = try RelayJWT.sign(payloadJSON: payloadJSON, seed: seed)
                if let jwt = v.expectedString("jwt") { #expect(token == jwt) }
                let signature = token.split(separator: ".").last.map(String.init)
                #expect(signature == v.expectedString("signature") ?? v.expectedString("realSignature"))
            }
            if let aud = v.inputString("aud") {
                let sub = try v.require(v.inputString("sub"), "sub")
                let iat = try #require(v.inputInt("iat"))
                let ttl = try #require(v.inputInt("ttl"))
                let token = try RelayJWT.sign(seed: seed, audience: aud, subject: sub, issuedAt: iat, ttl: ttl)
                #expect(token == v.expectedString("jwt"))
                if let exp = v.expectedInt("exp") { #expect(iat + ttl == exp) }
                let claims = try RelayJWT.verify(token, nowSeconds: iat)
                #expect(claims == RelayAuthClaims(iss: did, sub: sub, aud: aud, iat: iat, exp: iat + ttl))
            }
            if let jwt = v.expectedString("jwt") {
                // Every vector token verifies (including the sorted-key Swift-style payload).
                let parts = jwt.split(separator: ".")
                let payload = try Base64Codec.decodeURL(String(parts[1]))
                #expect(!payload.isEmpty)
                let claims = try RelayJWT.verify(jwt, nowSeconds: v.inputInt("iat") ?? 1_656_910_097)
                #expect(claims.iss == did)
            }
        } else if let publicKey = v.inputString("publicKey") {
            let key = try Hex.decode(publicKey)
            let did: String
            if let header = v.inputString("multicodecHeaderHex") {
                did = DIDKey.encode(publicKey: key, multicodecHeader: try Hex.decode(header))
                #expect(throws: RelayAuthError.invalidMulticodec) { try DIDKey.decode(did) }
            } else {
                did = DIDKey.encode(ed25519PublicKey: key)
                #expect(try DIDKey.decode(did) == key)
            }
            #expect(did == v.expectedString("did"))
        } else if let values = v.input["values"] as? [String] {
            let errors = try #require(v.expected["errors"] as? [String])
            #expect(values.count == errors.count)
            for (value, expected) in zip(values, errors) {
                let allowed: [RelayAuthError]
                if expected.hasPrefix("not a did:key") {
                    allowed = [.notDIDKey]
                } else if expected.hasPrefix("multibase") {
                    allowed = [.invalidMultibase]
                } else if expected.hasPrefix("multicodec") {
                    allowed = [.invalidMulticodec]
                } else {
                    allowed = [.invalidMulticodec, .invalidKeyLength]
                }
                do {
                    _ = try DIDKey.decode(value)
                    Issue.record("\(value) was accepted")
                } catch let error as RelayAuthError {
                    #expect(allowed.contains(error), "\(value): \(error)")
                }
            }
        } else if let strings = v.input["utf8Strings"] as? [String] {
            let expected = try #require(v.expected["base58"] as? [String])
            #expect(strings.count == expected.count)
            for (text, base58) in zip(strings, expected) {
                #expect(Base58.encode(Array(text.utf8)) == base58)
                #expect(try Base58.decode(base58) == Array(text.utf8))
            }
            // The Swift SDK decodes invalid input to empty data; this port throws a typed error instead.
            for invalid in v.root["invalidInputsDecodeToEmpty"] as? [String] ?? [] {
                #expect(throws: RelayAuthError.invalidBase58) { try Base58.decode(invalid) }
            }
        } else {
            Issue.record("core-relay-auth.json case \(v.name) has a shape this test does not know")
        }
    }

    // MARK: verification failures

    private static let seed = [UInt8](repeating: 7, count: 32)

    @Test("JWT verification rejects tampering, expiry, future iat and other algorithms")
    func verifyFailures() throws {
        let token = try RelayJWT.sign(seed: Self.seed, audience: "wss://r", subject: "s", issuedAt: 1000, ttl: 100)
        #expect(try RelayJWT.verify(token, nowSeconds: 1000).aud == "wss://r")
        #expect(try RelayJWT.verify(token, nowSeconds: 1100 + 120).exp == 1100)
        #expect(throws: RelayAuthError.expired) { try RelayJWT.verify(token, nowSeconds: 1100 + 121) }
        #expect(try RelayJWT.verify(token, nowSeconds: 1000 - 120).iat == 1000)
        #expect(throws: RelayAuthError.issuedInFuture) { try RelayJWT.verify(token, nowSeconds: 1000 - 121) }
        #expect(throws: RelayAuthError.expired) { try RelayJWT.verify(token, nowSeconds: 1101, leeway: 0) }

        var parts = token.split(separator: ".").map(String.init)
        let otherClaims = RelayAuthClaims(
            iss: DIDKey.encode(ed25519PublicKey: try Ed25519.keyPair(seed: Self.seed).publicKey), sub: "s",
            aud: "wss://evil", iat: 1000, exp: 1100)
        let forged = [parts[0], Base64Codec.encodeURL(Array(otherClaims.jsonText.utf8)), parts[2]].joined(separator: ".")
        #expect(throws: RelayAuthError.invalidSignature) { try RelayJWT.verify(forged, nowSeconds: 1000) }

        let otherKey = try RelayJWT.sign(
            seed: [UInt8](repeating: 8, count: 32), audience: "wss://r", subject: "s", issuedAt: 1000, ttl: 100)
        parts[2] = String(otherKey.split(separator: ".")[2])
        #expect(throws: RelayAuthError.invalidSignature) { try RelayJWT.verify(parts.joined(separator: "."), nowSeconds: 1000) }

        let hs256 = Base64Codec.encodeURL(Array("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".utf8))
        let wrongAlg = ([hs256] + token.split(separator: ".").dropFirst().map(String.init)).joined(separator: ".")
        #expect(throws: RelayAuthError.unsupportedAlgorithm) { try RelayJWT.verify(wrongAlg, nowSeconds: 1000) }

        for garbage in ["", "a.b", "a.b.c.d", "!!.!!.!!", token + "x=", "e30.e30.AA"] {
            #expect(throws: RelayAuthError.self) { try RelayJWT.verify(garbage, nowSeconds: 1000) }
        }
        #expect(throws: RelayAuthError.malformedJWT) { try RelayJWT.verify("e30.e30.AA", nowSeconds: 1000) }
    }

    @Test("claims JSON keeps the JS order, leaves '/' unescaped and escapes quotes")
    func claimsJSON() {
        let claims = RelayAuthClaims(iss: "did:key:z", sub: "a\"b\\c\n", aud: "wss://x/y", iat: 1, exp: 2)
        #expect(
            claims.jsonText
                == #"{"iss":"did:key:z","sub":"a\"b\\c\n","aud":"wss://x/y","iat":1,"exp":2}"#)
    }

    @Test("base58 keeps leading zero bytes")
    func base58LeadingZeros() throws {
        #expect(Base58.encode([0, 0, 1]) == "112")
        #expect(try Base58.decode("112") == [0, 0, 1])
        let random = [0] + SecureRandom.bytes(40)
        #expect(try Base58.decode(Base58.encode(random)) == random)
    }
}
