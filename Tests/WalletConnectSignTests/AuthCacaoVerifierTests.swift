import Foundation
import Testing
import WalletConnectSign
import WalletKitTesting

/// `CacaoVerifier`: a CACAO is accepted only when its signature verifies AND it answers the request.
@Suite("CACAO verification")
struct AuthCacaoVerifierTests {
    static let walletKey = Data(authHex: "305c6cde3846927892cd32762f6120539f3ec74c9e3a16b9b798b1e85351ae2a")!
    static let otherKey = Data(authHex: "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318")!

    static let request = AuthPayload(
        chains: ["eip155:1", "eip155:137"], statement: "Sign in to App", aud: "https://app.example/login",
        domain: "app.example", nonce: "n-123", iat: "2024-05-01T10:00:00.000Z",
        resources: ["urn:recap:eyJhdHQiOnsiZWlwMTU1Ijp7InJlcXVlc3QvcGVyc29uYWxfc2lnbiI6W3t9XX19fQ"])

    /// What a wallet does: populate, format, sign, build.
    static func signedCacao(
        request: AuthPayload = request, chain: String = "eip155:1", key: Data = walletKey,
        mutate: (inout AuthPayload) -> Void = { _ in }
    ) throws -> Cacao {
        var payload = try OneClickAuth.populateAuthPayload(
            authPayload: request, chains: ["eip155:1", "eip155:137", "eip155:5"], methods: ["personal_sign"])
        mutate(&payload)
        let iss = "did:pkh:\(chain):\(try EthereumAddress(privateKey: walletKey).checksummed)"
        let message = try OneClickAuth.formatAuthMessage(request: payload, iss: iss)
        let signature = try EIP191.sign(message: message, privateKey: key)
        return try OneClickAuth.buildAuthObject(
            requestPayload: payload, signature: CacaoSignature(type: CacaoSignatureType.eip191, signature: signature),
            iss: iss)
    }

    static func refusal(
        _ cacao: Cacao, request: AuthPayload = request, caller: (any EthereumRPCCaller)? = nil
    ) async -> AuthError? {
        await #expect(throws: AuthError.self) {
            try await CacaoVerifier.verify(cacao: cacao, request: request, rpcCaller: caller)
        }
    }

    @Test func acceptsAGenuineBoundCacao() async throws {
        let cacao = try Self.signedCacao()
        try await CacaoVerifier.verify(cacao: cacao, request: Self.request, rpcCaller: nil)
        // Any requested chain works, and v = 0/1 signatures are accepted too.
        try await CacaoVerifier.verify(cacao: Self.signedCacao(chain: "eip155:137"), request: Self.request, rpcCaller: nil)
        var parity = cacao
        let bytes = try #require(Data(authHex: cacao.signature.signature))
        parity.signature.signature = "0x" + (bytes.dropLast() + [bytes.last! - 27]).map { String(format: "%02x", $0) }.joined()
        try await CacaoVerifier.verify(cacao: parity, request: Self.request, rpcCaller: nil)
        // reown-swift's header type is accepted.
        var legacy = cacao
        legacy.header.type = "eip4361"
        try await CacaoVerifier.verify(cacao: legacy, request: Self.request, rpcCaller: nil)
    }

    @Test func refusesASignatureByAnotherKey() async throws {
        let forged = try Self.signedCacao(key: Self.otherKey)
        #expect(await Self.refusal(forged)?.kind == .signatureMismatch)
    }

    @Test func refusesATamperedPayload() async throws {
        var cacao = try Self.signedCacao()
        cacao.payload.statement = (cacao.payload.statement ?? "") + " and send all funds"
        #expect(await Self.refusal(cacao)?.kind == .signatureMismatch)

        var reissued = try Self.signedCacao()
        reissued.payload.iss = "did:pkh:eip155:1:\(try EthereumAddress(privateKey: Self.otherKey).checksummed)"
        #expect(await Self.refusal(reissued)?.kind == .signatureMismatch)
    }

    @Test func refusesAWrongDomain() async throws {
        var other = Self.request
        other.domain = "evil.example"
        let cacao = try Self.signedCacao(request: other)
        #expect(await Self.refusal(cacao)?.kind == .domainMismatch)
    }

    @Test func refusesAWrongNonce() async throws {
        var replayed = Self.request
        replayed.nonce = "old-nonce"
        let cacao = try Self.signedCacao(request: replayed)
        #expect(await Self.refusal(cacao)?.kind == .nonceMismatch)
    }

    @Test func refusesAWrongAudience() async throws {
        let cacao = try Self.signedCacao { $0.aud = "https://evil.example/login" }
        #expect(await Self.refusal(cacao)?.kind == .audienceMismatch)
    }

    @Test func refusesAChainThatWasNotRequested() async throws {
        let cacao = try Self.signedCacao(chain: "eip155:5")
        // The signature itself is fine ...
        try await CacaoVerifier.verifySignature(cacao: cacao, rpcCaller: nil)
        // ... but eip155:5 was not requested.
        #expect(await Self.refusal(cacao)?.kind == .chainNotRequested)
    }

    @Test func refusesMalformedCacaos() async throws {
        var badIssuer = try Self.signedCacao()
        badIssuer.payload.iss = "did:key:z6Mk"
        #expect(await Self.refusal(badIssuer)?.kind == .malformedCacao)

        var truncated = try Self.signedCacao()
        truncated.signature.signature = String(truncated.signature.signature.prefix(60))
        #expect(await Self.refusal(truncated)?.kind == .malformedCacao)

        var notHex = try Self.signedCacao()
        notHex.signature.signature = "0xzz"
        #expect(await Self.refusal(notHex)?.kind == .malformedCacao)

        // 2.23.10: a statement with a line break cannot be formatted, so the CACAO is invalid.
        var injected = try Self.signedCacao()
        injected.payload.statement = "Sign in\nURI: https://evil.example"
        #expect(await Self.refusal(injected)?.kind == .malformedCacao)
    }

    @Test func refusesUnknownSignatureTypesWithTheJSMessage() async throws {
        var cacao = try Self.signedCacao()
        cacao.signature.type = CacaoSignatureType.eip6492
        let error = await Self.refusal(cacao)
        #expect(error?.kind == .unknownSignatureType)
        #expect(error?.message == "verifySignature failed: Attempted to verify CacaoSignature with unknown type: eip6492")
    }

    @Test func eip1271GoesThroughTheInjectedCaller() async throws {
        var cacao = try Self.signedCacao()
        cacao.signature.type = CacaoSignatureType.eip1271
        let message = try OneClickAuth.formatAuthMessage(request: cacao.payload.authPayload, iss: cacao.payload.iss)
        let data = try EIP1271.callData(message: message, signature: cacao.signature.signature)

        let accepting = FakeRPCCaller(result: EIP1271.magicValue + String(repeating: "0", count: 56), acceptOnly: data)
        try await CacaoVerifier.verify(cacao: cacao, request: Self.request, rpcCaller: accepting)
        let address = try EthereumAddress(privateKey: Self.walletKey).checksummed
        #expect(accepting.calls == [FakeRPCCaller.Call(chainID: "eip155:1", to: address, data: data)])

        let rejecting = FakeRPCCaller(result: "0x" + String(repeating: "0", count: 64))
        #expect(await Self.refusal(cacao, caller: rejecting)?.kind == .signatureMismatch)
        #expect(await Self.refusal(cacao, caller: FakeRPCCaller(result: nil))?.kind == .eip1271CallFailed)
        #expect(await Self.refusal(cacao, caller: nil)?.kind == .malformedCacao)
    }

    /// auth-signatures.json: the reown-swift SIWE signature is genuine, but made by 0x15bc…, so a
    /// CACAO issued for 0xc02a… (the address written in the message) must be refused.
    @Test(.enabled(if: SharedVectors.isAvailable, SharedVectors.skipNote))
    func refusesTheReownVectorForTheWrongIssuer() async throws {
        let vectors = AuthVector.load("auth-signatures.json", group: "eip191") {
            ($0["message"] as? String)?.hasPrefix("service.invalid") == true
        }
        #expect(vectors.count == 2)
        for vector in vectors {
            let message = try #require(vector.string("message"))
            let issuerAddress = "0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2"
            let payload = AuthPayload(
                type: nil, chains: ["eip155:1"], statement: "I accept the ServiceOrg Terms of Service: https://service.invalid/tos",
                aud: "https://service.invalid/login", domain: "service.invalid", nonce: "32891756",
                iat: "2021-09-30T16:25:24Z",
                resources: [
                    "ipfs://bafybeiemxf5abjwjbikoz4mc3a3dla6ual3jsgpdr4cjr3oz3evfyavhwq/",
                    "https://example.com/my-web2-claim.json",
                ])
            let cacao = try OneClickAuth.buildAuthObject(
                requestPayload: payload,
                signature: CacaoSignature(type: "eip191", signature: #require(vector.string("signature"))),
                iss: "did:pkh:eip155:1:\(issuerAddress)")
            #expect(try OneClickAuth.formatAuthMessage(request: cacao.payload.authPayload, iss: cacao.payload.iss) == message)
            let error = await Self.refusal(cacao, request: payload)
            #expect(error?.kind == .signatureMismatch)
        }
    }

    @Test func nonASCIIStatementsRoundTripWithTheUTF8Length() async throws {
        var request = Self.request
        request.statement = "Sign in ✓ — café"
        let cacao = try Self.signedCacao(request: request)
        try await CacaoVerifier.verify(cacao: cacao, request: request, rpcCaller: nil)
    }

    @Test(.timeLimit(.minutes(1)))
    func verificationIsSafeConcurrently() async throws {
        let cacao = try Self.signedCacao()
        let forged = try Self.signedCacao(key: Self.otherKey)
        let results = await withTaskGroup(of: Bool.self) { group in
            for index in 0..<64 {
                group.addTask {
                    let subject = index.isMultiple(of: 2) ? cacao : forged
                    return (try? await CacaoVerifier.verify(cacao: subject, request: Self.request, rpcCaller: nil)) != nil
                }
            }
            var outcomes: [Bool] = []
            for await outcome in group { outcomes.append(outcome) }
            return outcomes
        }
        #expect(results.filter { $0 }.count == 32)
        #expect(results.count == 64)
    }
}
