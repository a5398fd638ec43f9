import Foundation
import Testing
import WalletConnectCore
import WalletConnectSign
import WalletKitTesting

/// Hostile one-click-auth traffic (sign.md §9): malformed CACAOs and SIWE statements with line breaks.
@Suite("Hostile peers: one-click auth (in-memory relay)", .timeLimit(.minutes(1)))
struct HostileAuthTests {
    /// Answers `pending` with raw CACAO JSON (whatever a hostile wallet sends), type 1 from a fresh key.
    static func answer(_ world: HostileWorld, to pending: PendingAuthRequest, cacaos: [JSONValue]) async throws {
        let attacker = Crypto(keyChain: .inMemory())
        let responderKey = try await attacker.generateKeyPair()
        let body = SessionAuthenticateResponse(
            cacaos: cacaos, responder: Participant(publicKey: responderKey, metadata: EngineClient.walletMetadata))
        let response = JSONRPCResponse(id: RPCID(pending.id), result: try JSONValue(encoding: body))
        let topic = try SignTopics.authResponseTopic(requesterPublicKey: pending.requester.publicKey)
        let message = try await attacker.encode(
            topic: topic, payload: WireJSON.string(response), type: .type1, senderPublicKey: responderKey,
            receiverPublicKey: pending.requester.publicKey)
        await world.injectRaw(message, topic: topic)
    }

    /// The dapp's answer, expected to fail with a ``SignAuthenticationError``.
    static func refusal(_ authentication: SignAuthentication) async throws -> SignAuthenticationError {
        do {
            let result = try await AuthFixture.response(authentication)
            Issue.record("the dapp accepted a hostile answer: \(result.cacaos.map(\.payload.statement))")
            throw EngineFixture.FixtureError.unexpected
        } catch let error as SignAuthenticationError {
            return error
        }
    }

    @Test(
        "malformed CACAOs are refused as malformedResponse; the dapp stores no session",
        arguments: [
            #"{}"#, #"{"h":{"t":"caip122"},"p":{"iss":"did:pkh:eip155:1:0x00"},"s":{"t":"eip191","s":"0x00"}}"#,
            #"{"h":{"t":"caip122"},"p":[],"s":{}}"#, #""cacao""#, "null",
        ])
    func malformedCacao(_ cacao: String) async throws {
        try await HostileWorld.run(settled: false) { world, _ in
            let (authentication, pending) = try await AuthFixture.request(dapp: world.dapp.client, wallet: world.wallet.client)
            let before = await HostileSnapshot.of(world.dapp)
            let value = try JSONDecoder().decode(JSONValue.self, from: Data(cacao.utf8))
            try await Self.answer(world, to: pending, cacaos: [value])
            let error = try await Self.refusal(authentication)
            #expect(error.kind == .malformedResponse)
            let after = await HostileSnapshot.of(world.dapp)
            #expect(after.sessions == before.sessions)
            #expect(after.proposals.count <= before.proposals.count)
            // No key derived from the attacker's key is kept.
            #expect(Set(after.keyTags).isSubset(of: Set(before.keyTags)))
        }
    }

    @Test("a well-formed CACAO whose statement has a line break is refused: cacaoRefused(malformedCacao)")
    func cacaoStatementLineBreak() async throws {
        try await HostileWorld.run(settled: false) { world, _ in
            let (authentication, pending) = try await AuthFixture.request(dapp: world.dapp.client, wallet: world.wallet.client)
            var cacao = try #require(try AuthFixture.sign(pending.authPayload).first)
            cacao.payload.statement = "Sign in\nURI: https://evil.example"
            // The wallet app's own check: the message cannot be built.
            #expect(throws: AuthError.self) {
                try SIWEMessage.format(request: cacao.payload.authPayload, iss: cacao.payload.iss)
            }
            await #expect(throws: AuthError.self) {
                try await CacaoVerifier.verify(cacao: cacao, request: pending.authPayload, rpcCaller: nil)
            }
            let before = await HostileSnapshot.of(world.dapp)
            try await Self.answer(world, to: pending, cacaos: [try cacao.jsonValue()])
            let error = try await Self.refusal(authentication)
            #expect(error.kind == .cacaoRefused)
            #expect(error.reason?.kind == .malformedCacao)
            #expect(await HostileSnapshot.of(world.dapp).sessions == before.sessions)
        }
    }

    @Test("SIWE formatting refuses CR and LF in the statement with statementContainsLineBreak")
    func siweStatementLineBreaks() throws {
        for statement in ["a\nb", "a\rb", "a\r\nb", "\n"] {
            let payload = AuthPayload(
                type: "caip122", chains: ["eip155:1"], statement: statement, aud: "https://dapp.example/login",
                domain: "dapp.example", version: "1", nonce: "n0nce", iat: "2026-01-01T00:00:00Z")
            let error = #expect(throws: AuthError.self) {
                try SIWEMessage.format(request: payload, iss: "did:pkh:eip155:1:0x3c582121909DE92Dc89A36898633C1aE4790382b")
            }
            #expect(error?.kind == .statementContainsLineBreak)
        }
    }

    @Test("a wallet receiving an auth request whose statement has a line break auto-rejects it (1119) and keeps nothing")
    func authRequestStatementLineBreak() async throws {
        try await HostileWorld.run(settled: false) { world, _ in
            let params = AuthRequestParams(
                chains: ["eip155:1"], domain: "dapp.example", nonce: "n0nce-\(UInt32.random(in: 1...UInt32.max))",
                uri: "https://dapp.example/login", statement: "Sign in\nURI: https://evil.example", methods: ["personal_sign"])
            let before = await HostileSnapshot.of(world.wallet)
            let start = await world.hub.publishes.count
            let authentication = try await world.dapp.engine.authenticate(params)
            try await world.wallet.engine.pair(uri: try #require(authentication.uri))
            try await world.barrier(victim: world.wallet, topic: authentication.pairingTopic)
            let after = await HostileSnapshot.of(world.wallet)
            let published = await world.publishes(by: world.wallet, since: start)
            // Auto-rejected at receipt (type 1, tag 1119) and nothing kept; the dapp's wait fails.
            #expect(after.authRequests == before.authRequests)
            #expect(after.sessions == before.sessions && after.proposals == before.proposals)
            #expect(published.contains { $0.options.tag == SignMethod.sessionAuthenticate.autoRejectOptions.tag })
            await #expect(throws: (any Error).self) { try await AuthFixture.response(authentication) }
        }
    }
}
