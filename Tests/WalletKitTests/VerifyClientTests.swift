import Foundation
import Synchronization
import Testing
import WalletConnectCore
import WalletConnectSign
import WalletKit
import WalletKitTesting

@Suite("VerifyClient over loopback HTTP", .timeLimit(.minutes(1)))
struct VerifyClientTests {
    static let nowMilliseconds: Int64 = 1_800_000_000_000
    static let futureExp: Int64 = 1_800_000_600
    static let appURL = "https://app.example.com"
    static let plaintext = #"{"id":1,"jsonrpc":"2.0","method":"wc_sessionPropose","params":{}}"#

    static func client(
        _ transport: some HTTPTransport, url: String, timeout: Duration = .seconds(5),
        clock: any Clock<Duration> = ContinuousClock(), wallClock: WallClock = .fixed(milliseconds: nowMilliseconds),
        storage: (any KeyValueStorage)? = nil
    ) -> VerifyClient {
        VerifyClient(
            transport: transport, configuration: .init(serverURL: url, timeout: timeout), clock: clock,
            wallClock: wallClock, storage: storage
        )
    }

    static func request(attestation: String?, encrypted: String = "ENCRYPTED", metadataURL: String? = appURL)
        -> VerifyRequest
    {
        VerifyRequest(
            attestation: attestation, encryptedID: CryptoHash.hashMessage(encrypted),
            decryptedID: CryptoHash.hashMessage(plaintext), metadataURL: metadataURL
        )
    }

    static func payload(encrypted: String = "ENCRYPTED", exp: Int64 = futureExp, origin: String = appURL)
        -> [String: Any]
    {
        ["exp": exp, "id": CryptoHash.hashMessage(encrypted), "origin": origin, "isScam": NSNull(), "isVerified": true]
    }

    // MARK: decision table end to end

    @Test(
        "sign-verify decision cases against a loopback Verify server",
        .enabled(if: SharedVectors.isAvailable, SharedVectors.skipNote),
        arguments: VerifyDecisionCase.all.filter { !$0.isLinkMode }
    )
    func decisionCaseEndToEnd(_ vector: VerifyDecisionCase) async throws {
        let fixture = VerifyServerFixture()
        let encrypted = "ENCRYPTED:" + vector.name
        let encryptedID = CryptoHash.hashMessage(encrypted)
        let decryptedID = CryptoHash.hashMessage(Self.plaintext)
        var attestation = vector.object["attestation"] as? String
        var expectLookup = true
        if let json = vector.resolveResultJSON { fixture.serveAttestation(id: decryptedID, json: json) }
        if let overrides = vector.object["attestation_payload"] as? [String: Any] {
            var payload = Self.payload(encrypted: encrypted)
            for (key, value) in overrides { payload[key] = value }
            attestation = try fixture.token(payload: payload)
            expectLookup = false
        }
        if !expectLookup || attestation == "" {
            // A lookup would turn this VALID: proves that the JWT / empty-attestation paths never fall back.
            fixture.serveAttestation(id: decryptedID, json: #"{"origin":"https://app.example.com","isScam":false}"#)
            expectLookup = false
        }
        let request = VerifyRequest(
            attestation: attestation, encryptedID: encryptedID, decryptedID: decryptedID,
            metadataURL: vector.metadataURL, metadataVerifyURL: vector.metadataVerifyURL
        )
        let context = try await AsyncHTTPClientTransport.withTransport { transport in
            try await fixture.run { url in await Self.client(transport, url: url).resolve(request) }
        }
        #expect(context == vector.expected)
        let lookups = fixture.lookupRequests
        #expect(lookups.count == (expectLookup ? 1 : 0))
        if expectLookup {
            #expect(lookups.first?.method == "GET")
            #expect(lookups.first?.path == "/attestation/\(decryptedID)")
            #expect(lookups.first?.query == "v2Supported=true")
        }
    }

    @Test("vector JWTs served by a loopback Verify server", .enabled(if: SharedVectors.isAvailable, SharedVectors.skipNote))
    func vectorTokensEndToEnd() async throws {
        let file = try #require(try SharedVectors.json("core-verify-jwt.json") as? [String: Any])
        let jwk = try #require(file["publicKeyJwk"] as? [String: Any])
        let key = VerifyPublicKey.JWK(x: try #require(jwk["x"] as? String), y: try #require(jwk["y"] as? String))
        let cases = SharedVectors.cases("core-verify-jwt.json")
        func token(_ name: String) throws -> (String, [String: Any]) {
            let vector = try #require(cases.first { $0.name == name })
            let input = try #require(vector.object["input"] as? [String: Any])
            let expected = try #require(vector.object["expected"] as? [String: Any])
            return (try #require(input["jwt"] as? String), try #require(expected["payload"] as? [String: Any]))
        }
        let fixture = VerifyServerFixture()
        fixture.serveKey(key, expiresAt: 1_726_209_328)
        let decryptedID = CryptoHash.hashMessage(Self.plaintext)
        fixture.serveAttestation(id: decryptedID, json: #"{"origin":"https://other.example","isScam":true}"#)

        let (verifiedToken, verifiedPayload) = try token("valid_verified_origin")
        let (localToken, localPayload) = try token("valid_localhost")
        let verifiedExp = try #require((verifiedPayload["exp"] as? NSNumber)?.int64Value)
        let localExp = try #require((localPayload["exp"] as? NSNumber)?.int64Value)
        let origin = try #require(verifiedPayload["origin"] as? String)
        let verifiedID = verifiedPayload["id"] as? String
        let localID = localPayload["id"] as? String

        let (verified, local) = try await AsyncHTTPClientTransport.withTransport { transport in
            try await fixture.run { url in
                let before = Self.client(transport, url: url, wallClock: .fixed(milliseconds: (verifiedExp - 60) * 1000))
                let verified = await before.resolve(
                    VerifyRequest(
                        attestation: verifiedToken, encryptedID: verifiedID,
                        decryptedID: decryptedID, metadataURL: origin + "/wallet?x=1"
                    )
                )
                let localClient = Self.client(transport, url: url, wallClock: .fixed(milliseconds: (localExp - 60) * 1000))
                let local = await localClient.resolve(
                    VerifyRequest(
                        attestation: localToken, encryptedID: localID,
                        decryptedID: decryptedID, metadataURL: "http://localhost:3000"
                    )
                )
                return (verified, local)
            }
        }
        #expect(verified == VerifyContext(origin: origin, validation: .valid, verifyUrl: VerifyDecision.defaultVerifyURL))
        // isVerified == false: stop at UNKNOWN, no fallback lookup.
        #expect(local == VerifyContext(origin: "http://localhost:3000", validation: .unknown, verifyUrl: VerifyDecision.defaultVerifyURL))
        #expect(fixture.lookupRequests.isEmpty)
        #expect(fixture.publicKeyRequests == 2)
    }

    // MARK: JWT paths

    @Test("a valid JWT gives VALID, isScam from the payload; the key is fetched once and cached")
    func validJWTAndKeyCache() async throws {
        let fixture = VerifyServerFixture()
        var payload = Self.payload()
        payload["isScam"] = true
        let token = try fixture.token(payload: payload)
        let (first, second) = try await AsyncHTTPClientTransport.withTransport { transport in
            try await fixture.run { url in
                let client = Self.client(transport, url: url)
                return (await client.resolve(Self.request(attestation: token)), await client.resolve(Self.request(attestation: token)))
            }
        }
        let expected = VerifyContext(origin: Self.appURL, validation: .valid, verifyUrl: VerifyDecision.defaultVerifyURL, isScam: true)
        #expect(first == expected)
        #expect(second == expected)
        #expect(fixture.publicKeyRequests == 1)
        #expect(fixture.lookupRequests.isEmpty)
    }

    @Test("an attested origin on another port is INVALID")
    func otherPortIsInvalid() async throws {
        let fixture = VerifyServerFixture()
        let token = try fixture.token(payload: Self.payload(origin: "https://app.example.com:8443"))
        let context = try await AsyncHTTPClientTransport.withTransport { transport in
            try await fixture.run { url in await Self.client(transport, url: url).resolve(Self.request(attestation: token)) }
        }
        #expect(context.verified.validation == .invalid)
        #expect(context.verified.origin == "https://app.example.com:8443")
    }

    @Test("an expired JWT falls back to the attestation lookup")
    func expiredJWTFallsBack() async throws {
        let fixture = VerifyServerFixture()
        let token = try fixture.token(payload: Self.payload(exp: Self.nowMilliseconds / 1000 - 1))
        fixture.serveAttestation(
            id: CryptoHash.hashMessage(Self.plaintext), json: #"{"origin":"https://app.example.com","isScam":false}"#
        )
        let context = try await AsyncHTTPClientTransport.withTransport { transport in
            try await fixture.run { url in await Self.client(transport, url: url).resolve(Self.request(attestation: token)) }
        }
        #expect(context == VerifyContext(origin: Self.appURL, validation: .valid, verifyUrl: VerifyDecision.defaultVerifyURL, isScam: false))
        #expect(fixture.lookupRequests.count == 1)
        #expect(fixture.publicKeyRequests == 1)
    }

    @Test("a JWT signed by another key refetches the key once, then falls back (UNKNOWN without a lookup result)")
    func foreignSignature() async throws {
        let fixture = VerifyServerFixture()
        let token = try fixture.token(payload: Self.payload(), key: VerifyServerFixture.makeSigner())
        let context = try await AsyncHTTPClientTransport.withTransport { transport in
            try await fixture.run { url in await Self.client(transport, url: url).resolve(Self.request(attestation: token)) }
        }
        #expect(context == VerifyContext(origin: Self.appURL, validation: .unknown, verifyUrl: VerifyDecision.defaultVerifyURL))
        #expect(fixture.publicKeyRequests == 2)
        #expect(fixture.lookupRequests.count == 1)
    }

    @Test("a rotated server key is picked up by the refetch")
    func keyRotation() async throws {
        let fixture = VerifyServerFixture()
        let rotated = VerifyServerFixture.makeSigner()
        let oldToken = try fixture.token(payload: Self.payload())
        let newToken = try fixture.token(payload: Self.payload(), key: rotated)
        let (before, after) = try await AsyncHTTPClientTransport.withTransport { transport in
            try await fixture.run { url in
                let client = Self.client(transport, url: url)
                let before = await client.resolve(Self.request(attestation: oldToken))
                fixture.serveKey(VerifyServerFixture.jwk(of: rotated), expiresAt: 4_000_000_000)
                return (before, await client.resolve(Self.request(attestation: newToken)))
            }
        }
        #expect(before.verified.validation == .valid)
        #expect(after.verified.validation == .valid)
        #expect(fixture.publicKeyRequests == 2)
    }

    @Test("the public key is persisted and reused by another client; an expired key is refetched")
    func persistedKey() async throws {
        let fixture = VerifyServerFixture(keyExpiresAt: Self.nowMilliseconds / 1000 + 10)
        let storage = InMemoryStorage()
        let token = try fixture.token(payload: Self.payload())
        let now = Locked(Self.nowMilliseconds)
        let wallClock = WallClock { now.withLock { $0 } }
        let results = try await AsyncHTTPClientTransport.withTransport { transport in
            try await fixture.run { url in
                let first = await Self.client(transport, url: url, wallClock: wallClock, storage: storage)
                    .resolve(Self.request(attestation: token))
                let second = await Self.client(transport, url: url, wallClock: wallClock, storage: storage)
                    .resolve(Self.request(attestation: token))
                now.withLock { $0 += 11_000 }
                let third = await Self.client(transport, url: url, wallClock: wallClock, storage: storage)
                    .resolve(Self.request(attestation: token))
                return [first, second, third]
            }
        }
        #expect(results.allSatisfy { $0.verified.validation == .valid })
        #expect(fixture.publicKeyRequests == 2)
        let stored = try #require(try await storage.value(forKey: "wc@2:core:2//verify:public:key"))
        let record = try JSONDecoder().decode(VerifyPublicKey.self, from: stored)
        #expect(record.publicKey == fixture.jwk)
    }

    @Test("a malformed attestation is UNKNOWN without any request")
    func malformedAttestation() async throws {
        let fixture = VerifyServerFixture()
        fixture.serveAttestation(id: CryptoHash.hashMessage(Self.plaintext), json: #"{"origin":"https://app.example.com"}"#)
        let context = try await AsyncHTTPClientTransport.withTransport { transport in
            try await fixture.run { url in await Self.client(transport, url: url).resolve(Self.request(attestation: "not-a-jwt")) }
        }
        #expect(context.verified.validation == .unknown)
        #expect(fixture.server.requests.isEmpty)
    }

    @Test("a lookup reply that is not JSON is UNKNOWN")
    func garbageLookupReply() async throws {
        let fixture = VerifyServerFixture()
        fixture.serveAttestation(id: CryptoHash.hashMessage(Self.plaintext), json: "<html>")
        let context = try await AsyncHTTPClientTransport.withTransport { transport in
            try await fixture.run { url in await Self.client(transport, url: url).resolve(Self.request(attestation: nil)) }
        }
        #expect(context.verified.validation == .unknown)
        #expect(fixture.lookupRequests.count == 1)
    }
}
