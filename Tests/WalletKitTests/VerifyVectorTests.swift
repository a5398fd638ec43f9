import Foundation
import Testing
import WalletConnectCore
import WalletConnectSign
import WalletKit
import WalletKitTesting

/// One entry of `sign-verify.json` → `decision_cases.cases` (named by its `case` text).
struct VerifyDecisionCase: Sendable, CustomTestStringConvertible {
    let jsonText: String

    var object: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(jsonText.utf8))) as? [String: Any] ?? [:] }
    var name: String { object["case"] as? String ?? "?" }
    var testDescription: String { name }

    static var all: [VerifyDecisionCase] {
        guard SharedVectors.isAvailable, let file = try? SharedVectors.json("sign-verify.json") as? [String: Any],
            let table = file["decision_cases"] as? [String: Any], let cases = table["cases"] as? [[String: Any]]
        else { return [] }
        return cases.compactMap { item in
            (try? JSONSerialization.data(withJSONObject: item, options: [.sortedKeys]))
                .map { VerifyDecisionCase(jsonText: String(decoding: $0, as: UTF8.self)) }
        }
    }

    var metadataURL: String? { object["metadata_url"] as? String }
    var metadataVerifyURL: String? { object["metadata_verifyUrl"] as? String }
    var hasResolveResult: Bool { object.keys.contains("resolve_result") }
    var isLinkMode: Bool { object["transport"] as? String == "link_mode" }

    var resolveResult: VerifyResult? {
        guard let raw = object["resolve_result"] as? [String: Any], let origin = raw["origin"] as? String else { return nil }
        return VerifyResult(origin: origin, isScam: raw["isScam"] as? Bool, isVerified: raw["isVerified"] as? Bool)
    }

    var resolveResultJSON: String? {
        guard let raw = object["resolve_result"] as? [String: Any],
            let data = try? JSONSerialization.data(withJSONObject: raw)
        else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    var expected: VerifyContext {
        let raw = object["expected"] as? [String: Any] ?? [:]
        return VerifyContext(
            origin: raw["origin"] as? String ?? "<missing>",
            validation: VerifyContext.Validation(rawValue: raw["validation"] as? String ?? "") ?? .unknown,
            verifyUrl: raw["verifyUrl"] as? String ?? "<missing>",
            isScam: raw["isScam"] as? Bool
        )
    }
}

@Suite("Verify vectors", .enabled(if: SharedVectors.isAvailable, SharedVectors.skipNote))
struct VerifyVectorTests {
    static let jwtFile = "core-verify-jwt.json"

    static func fileJWK(_ file: String, key: String) throws -> VerifyPublicKey.JWK {
        let object = try #require(try SharedVectors.json(file) as? [String: Any])
        let jwk = try #require(object[key] as? [String: Any])
        return VerifyPublicKey.JWK(
            crv: jwk["crv"] as? String, kty: jwk["kty"] as? String,
            x: try #require(jwk["x"] as? String), y: try #require(jwk["y"] as? String)
        )
    }

    static func expectPayload(_ payload: AttestationPayload, equals raw: [String: Any]) {
        #expect(payload.exp == (raw["exp"] as? NSNumber)?.int64Value)
        #expect(payload.id == raw["id"] as? String)
        #expect(payload.origin == raw["origin"] as? String)
        #expect(payload.isScam == raw["isScam"] as? Bool)
        #expect((raw["isScam"] is NSNull) == (payload.isScam == nil))
        #expect(payload.isVerified == raw["isVerified"] as? Bool)
    }

    @Test("core-verify-jwt: signature and payload", arguments: SharedVectors.cases(jwtFile))
    func jwtCase(_ vector: VectorCase) throws {
        let jwk = try Self.fileJWK(Self.jwtFile, key: "publicKeyJwk")
        let input = try #require(vector.object["input"] as? [String: Any])
        let expected = try #require(vector.object["expected"] as? [String: Any])
        let token = try #require(input["jwt"] as? String)
        let signatureValid = try #require(expected["signatureValid"] as? Bool)
        #expect(AttestationJWT.hasValidSignature(token, key: jwk) == signatureValid)
        if let payload = expected["payload"] as? [String: Any] {
            Self.expectPayload(try AttestationJWT.decodePayload(token), equals: payload)
            let exp = try #require((payload["exp"] as? NSNumber)?.int64Value)
            // Valid up to and including exp; expired one second later.
            let verified = try AttestationJWT.verify(token, key: jwk, nowMilliseconds: exp * 1000)
            Self.expectPayload(verified, equals: payload)
            #expect(throws: AttestationError.expired) {
                try AttestationJWT.verify(token, key: jwk, nowMilliseconds: exp * 1000 + 1000)
            }
        } else {
            #expect(throws: AttestationError.invalidSignature) {
                try AttestationJWT.verify(token, key: jwk, nowMilliseconds: 0)
            }
        }
    }

    @Test("core-verify-jwt: the JWK is the uncompressed point of the file")
    func jwkMatchesUncompressedHex() throws {
        let object = try #require(try SharedVectors.json(Self.jwtFile) as? [String: Any])
        let jwk = try Self.fileJWK(Self.jwtFile, key: "publicKeyJwk")
        let point = [0x04] + (try Base64Codec.decodeURL(jwk.x)) + (try Base64Codec.decodeURL(jwk.y))
        #expect(Hex.encode(point) == object["publicKeyUncompressedHex"] as? String)
    }

    @Test("sign-verify: jwt_attestation (signature, payload, tamper, expiry)")
    func signVerifyAttestation() throws {
        let file = try #require(try SharedVectors.json("sign-verify.json") as? [String: Any])
        let vector = try #require(file["jwt_attestation"] as? [String: Any])
        let keyObject = try #require(vector["public_key_jwk"] as? [String: Any])
        let key = VerifyPublicKey.JWK(x: try #require(keyObject["x"] as? String), y: try #require(keyObject["y"] as? String))
        let token = try #require(vector["token"] as? String)
        let expectedPayload = try #require(vector["expected_payload"] as? [String: Any])

        #expect(AttestationJWT.hasValidSignature(token, key: key) == (vector["expected_valid_signature"] as? Bool))
        Self.expectPayload(try AttestationJWT.decodePayload(token), equals: expectedPayload)

        // Tampered payload: same header and signature, payload with isVerified flipped.
        var tampered = expectedPayload
        tampered["isVerified"] = true
        let parts = token.split(separator: ".")
        let tamperedBody = Base64Codec.encodeURL(try JSONSerialization.data(withJSONObject: tampered))
        let tamperedToken = "\(parts[0]).\(tamperedBody).\(parts[2])"
        #expect(AttestationJWT.hasValidSignature(tamperedToken, key: key) == (vector["tampered_payload_valid"] as? Bool))

        // Expired at today's wall time (the note of the vector).
        #expect(throws: AttestationError.expired) {
            try AttestationJWT.verify(token, key: key, nowMilliseconds: WallClock.system.nowMilliseconds)
        }
        // The key record of the vector decodes and is valid before its expiresAt.
        let expiresAt = try #require((vector["public_key_expiresAt"] as? NSNumber)?.int64Value)
        let record = VerifyPublicKey(publicKey: key, expiresAt: expiresAt)
        #expect(record.isValid(nowMilliseconds: expiresAt * 1000))
        #expect(!record.isValid(nowMilliseconds: expiresAt * 1000 + 1))
    }

    @Test("sign-verify: endpoints and trusted URLs")
    func endpoints() throws {
        let file = try #require(try SharedVectors.json("sign-verify.json") as? [String: Any])
        let endpoints = try #require(file["endpoints"] as? [String: Any])
        #expect(VerifyDecision.trustedVerifyURLs == endpoints["trusted_verify_urls"] as? [String])
        #expect(VerifyDecision.defaultVerifyURL == endpoints["default"] as? String)
        #expect(VerifyClient.Configuration().timeout == .seconds((endpoints["timeout_seconds"] as? Int) ?? -1))
        #expect(VerifyClient.Configuration().serverURL == endpoints["default"] as? String)
        #expect((endpoints["public_key"] as? String)?.contains(VerifyClient.Configuration().publicKeyPath) == true)
    }

    @Test("sign-verify: decision table (pure)", arguments: VerifyDecisionCase.all)
    func decisionPure(_ vector: VerifyDecisionCase) throws {
        if vector.isLinkMode {
            let context = VerifyDecision.linkModeContext(
                metadataURL: vector.metadataURL, metadataVerifyURL: vector.metadataVerifyURL,
                universalLink: vector.object["peer_universal_link"] as? String
            )
            #expect(context == vector.expected)
        } else if vector.hasResolveResult {
            let context = VerifyDecision.context(
                metadataURL: vector.metadataURL, metadataVerifyURL: vector.metadataVerifyURL,
                result: vector.resolveResult
            )
            #expect(context == vector.expected)
        } else {
            // JWT / empty-attestation cases never produce a result: the context is the initial one.
            let context = VerifyDecision.initialContext(
                metadataURL: vector.metadataURL, metadataVerifyURL: vector.metadataVerifyURL
            )
            #expect(context == vector.expected)
        }
    }
}
