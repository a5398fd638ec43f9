import Foundation
import Testing
import WalletConnectCore
import WalletConnectSign
import WalletKitTesting

/// One-click auth (`wc_sessionAuthenticate`) between a dapp engine and a wallet engine over the in-memory relay.
@Suite("Sign engine: one-click auth", .timeLimit(.minutes(1)))
struct EngineAuthenticateTests {
    @Test("approve: the dapp gets the verified CACAO and the same session as the wallet; tags, TTLs, type 1")
    func approveEndToEnd() async throws {
        try await EngineFixture.withPair { hub, dapp, wallet in
            let (authentication, pending) = try await AuthFixture.request(dapp: dapp, wallet: wallet)
            #expect(pending.id == authentication.requestID)
            #expect(pending.pairingTopic == authentication.pairingTopic)
            #expect(pending.authPayload.nonce.hasPrefix("n0nce-"))
            #expect(pending.authPayload.aud == "https://dapp.example/login")
            #expect(pending.authPayload.chains == ["eip155:1", "eip155:137"])
            #expect(pending.requester.metadata == EngineClient.dappMetadata)
            #expect(pending.verifyContext?.verified.validation == .unknown)
            #expect(await wallet.engine.pendingAuthRequests() == [pending])
            #expect(authentication.responseTopic == (try SignTopics.authResponseTopic(requesterPublicKey: pending.requester.publicKey)))

            let cacaos = try AuthFixture.sign(pending.authPayload)
            let walletSession = try #require(try await wallet.engine.approveSessionAuthenticate(requestID: pending.id, auths: cacaos))
            let result = try await AuthFixture.response(authentication)
            guard case .authenticated(let received, let dappSessionValue) = result else {
                Issue.record("expected an authenticated result, got \(result)")
                return
            }
            let dappSession = try #require(dappSessionValue)
            #expect(received == cacaos)

            // The same session on both sides, namespaces from buildNamespacesFromAuth.
            let address = try AuthFixture.walletAddress
            let expected = OneClickAuth.buildNamespacesFromAuth(
                methods: ["eth_sendTransaction", "personal_sign"], accounts: ["eip155:1:\(address)"])
            #expect(dappSession.topic == walletSession.topic)
            #expect(dappSession.namespaces == expected)
            #expect(walletSession.namespaces == expected)
            #expect(dappSession.acknowledged && walletSession.acknowledged)
            #expect(walletSession.controller == walletSession.selfParticipant.publicKey)
            #expect(dappSession.controller == walletSession.selfParticipant.publicKey)
            #expect(dappSession.selfParticipant.publicKey == pending.requester.publicKey)
            #expect(dappSession.peer.publicKey == walletSession.selfParticipant.publicKey)
            #expect(dappSession.authentication == (try cacaos.map { try $0.jsonValue() }))
            #expect(await dapp.engine.activeSessions()[dappSession.topic] != nil)
            #expect(await wallet.engine.pendingAuthRequests().isEmpty)
            // The fallback proposal is withdrawn on the dapp and was never announced by the wallet.
            #expect(await dapp.engine.pendingSessionProposals().isEmpty)
            #expect(await wallet.engine.pendingSessionProposals().isEmpty)
            #expect(await hub.subscribers(of: authentication.responseTopic).isEmpty)

            // The session works: the dapp pings it, the wallet answers.
            try await dapp.engine.ping(topic: dappSession.topic)

            // What went over the relay.
            let recorded = await hub.publishes
            let request = try #require(recorded.first { $0.options.tag == 1116 })
            #expect(request.topic == authentication.pairingTopic)
            EngineFixture.expect(request.options, SignMethod.sessionAuthenticate.requestOptions)
            #expect(request.options.correlationID == pending.id)
            let fallback = try #require(recorded.first { $0.options.tag == 1100 })
            #expect(fallback.topic == authentication.pairingTopic)
            #expect(fallback.options.correlationID == authentication.fallbackProposalID)
            let reply = try #require(recorded.first { $0.options.tag == 1117 })
            #expect(reply.topic == authentication.responseTopic)
            EngineFixture.expect(reply.options, SignMethod.sessionAuthenticate.responseOptions)
            #expect(try Crypto.envelopeType(of: reply.message) == .type1)
            #expect(try Crypto.senderPublicKey(of: reply.message) == walletSession.selfParticipant.publicKey)
        }
    }

    @Test("the dapp's fallback proposal carries the same key and the requested methods, and is ignored by the wallet")
    func fallbackProposalShape() async throws {
        try await EngineFixture.withPair { hub, dapp, wallet in
            let (authentication, pending) = try await AuthFixture.request(dapp: dapp, wallet: wallet)
            let fallback = try #require(await hub.publishes.first { $0.options.tag == 1100 })
            guard case .request(let request) = try await EngineFixture.open(fallback, with: dapp) else {
                Issue.record("the fallback is not a request")
                return
            }
            #expect(request.method == "wc_sessionPropose")
            #expect(request.id.rawValue == authentication.fallbackProposalID)
            let params = try request.params.decode(as: SessionProposeParams.self)
            #expect(params.proposer.publicKey == pending.requester.publicKey)
            #expect(params.requiredNamespaces.isEmpty)
            #expect(
                params.optionalNamespaces == [
                    "eip155": ProposalNamespace(
                        chains: ["eip155:1", "eip155:137"], methods: ["personal_sign", "eth_sendTransaction"],
                        events: ["chainChanged", "accountsChanged"])
                ])
            // The authenticate request's expiry is at least an hour.
            #expect(pending.expiryTimestamp >= WallClock.system.nowSeconds + 3600 - 5)
            #expect(await wallet.engine.pendingSessionProposals().isEmpty)
            #expect(await dapp.engine.pendingSessionProposals().map(\.id) == [authentication.fallbackProposalID])
        }
    }

    @Test("SIWE only (no ReCap methods): verified CACAO, no session")
    func siweOnly() async throws {
        try await EngineFixture.withPair { _, dapp, wallet in
            let (authentication, pending) = try await AuthFixture.request(
                dapp: dapp, wallet: wallet, params: AuthFixture.params(methods: []))
            #expect(pending.authPayload.resources == nil)
            let cacaos = try AuthFixture.sign(pending.authPayload)
            let walletSession = try await wallet.engine.approveSessionAuthenticate(requestID: pending.id, auths: cacaos)
            #expect(walletSession == nil)
            let result = try await AuthFixture.response(authentication)
            #expect(result == .authenticated(cacaos: cacaos, session: nil))
            #expect(await dapp.engine.activeSessions().isEmpty)
            #expect(await wallet.engine.activeSessions().isEmpty)
        }
    }

    @Test("a forged CACAO (signed by another key) is refused by the dapp with the verifier's reason")
    func forgedCacaoRefused() async throws {
        try await EngineFixture.withPair { _, dapp, wallet in
            let (authentication, pending) = try await AuthFixture.request(dapp: dapp, wallet: wallet)
            let forged = try AuthFixture.sign(pending.authPayload, signingKey: AuthFixture.otherKey)
            try await AuthFixture.answer(from: wallet, to: pending, cacaos: forged)
            let error = await #expect(throws: SignAuthenticationError.self) {
                _ = try await AuthFixture.response(authentication)
            }
            #expect(error?.kind == .cacaoRefused)
            #expect(error?.reason?.kind == .signatureMismatch)
            #expect(await dapp.engine.activeSessions().isEmpty)
            #expect(await dapp.engine.pendingSessionProposals().isEmpty)
        }
    }

    /// A genuinely signed CACAO that answers another request.
    enum Unbound: String, CaseIterable, Sendable {
        case nonce, domain, audience, chain
    }

    @Test("an unbound CACAO (genuine signature, wrong nonce / domain / aud / chain) is refused by the dapp",
          arguments: Unbound.allCases)
    func unboundCacaoRefused(_ unbound: Unbound) async throws {
        try await EngineFixture.withPair { _, dapp, wallet in
            let (authentication, pending) = try await AuthFixture.request(dapp: dapp, wallet: wallet)
            var payload = pending.authPayload
            var chains = ["eip155:1"]
            let expectedKind: AuthError.Kind
            switch unbound {
            case .nonce:
                payload.nonce = "another-nonce"
                expectedKind = .nonceMismatch
            case .domain:
                payload.domain = "evil.example"
                expectedKind = .domainMismatch
            case .audience:
                payload.aud = "https://evil.example/login"
                expectedKind = .audienceMismatch
            case .chain:
                payload.chains = ["eip155:10"]
                chains = ["eip155:10"]
                expectedKind = .chainNotRequested
            }
            let cacaos = try AuthFixture.sign(payload, chains: chains)
            // The signature itself is genuine.
            for cacao in cacaos { try await CacaoVerifier.verifySignature(cacao: cacao, rpcCaller: nil) }
            try await AuthFixture.answer(from: wallet, to: pending, cacaos: cacaos)
            let error = await #expect(throws: SignAuthenticationError.self) {
                _ = try await AuthFixture.response(authentication)
            }
            #expect(error?.kind == .cacaoRefused)
            #expect(error?.reason?.kind == expectedKind)
            #expect(await dapp.engine.activeSessions().isEmpty)
        }
    }

    @Test("the wallet refuses to send a CACAO that does not verify and tells the dapp 7000")
    func walletRefusesBadCacao() async throws {
        try await EngineFixture.withPair { hub, dapp, wallet in
            let (authentication, pending) = try await AuthFixture.request(dapp: dapp, wallet: wallet)
            let forged = try AuthFixture.sign(pending.authPayload, signingKey: AuthFixture.otherKey)
            let walletError = await #expect(throws: AuthError.self) {
                _ = try await wallet.engine.approveSessionAuthenticate(requestID: pending.id, auths: forged)
            }
            #expect(walletError?.kind == .signatureMismatch)
            let error = await #expect(throws: SDKError.self) { _ = try await AuthFixture.response(authentication) }
            #expect(error?.code == .sessionSettlementFailed)
            #expect(error?.message == "Session settlement failed. Signature verification failed")
            let reply = try #require(await hub.publishes.first { $0.topic == authentication.responseTopic })
            EngineFixture.expect(reply.options, SignMethod.sessionAuthenticate.responseOptions)
            #expect(await wallet.engine.pendingAuthRequests().isEmpty)
            #expect(await wallet.engine.activeSessions().isEmpty)
        }
    }

    @Test("a wallet rejection reaches the dapp with its code (type 1, tag 1118)")
    func walletRejects() async throws {
        try await EngineFixture.withPair { hub, dapp, wallet in
            let (authentication, pending) = try await AuthFixture.request(dapp: dapp, wallet: wallet)
            try await wallet.engine.rejectSessionAuthenticate(requestID: pending.id, reason: .sdk(.userRejected))
            let error = await #expect(throws: SDKError.self) { _ = try await AuthFixture.response(authentication) }
            #expect(error?.code == .userRejected)
            #expect(error?.message == "User rejected.")
            let reply = try #require(await hub.publishes.first { $0.topic == authentication.responseTopic })
            EngineFixture.expect(reply.options, SignMethod.sessionAuthenticate.rejectOptions)
            #expect(try Crypto.envelopeType(of: reply.message) == .type1)
            #expect(await wallet.engine.pendingAuthRequests().isEmpty)
            #expect(await dapp.engine.pendingSessionProposals().isEmpty)
            #expect(await hub.subscribers(of: authentication.responseTopic).isEmpty)
            // The request is gone: a second answer is refused locally.
            let again = await #expect(throws: SDKError.self) {
                try await wallet.engine.rejectSessionAuthenticate(requestID: pending.id)
            }
            #expect(again?.code == .noMatchingKey)
        }
    }

    @Test("a wallet that does not handle authenticate answers 10001; the dapp settles through the fallback proposal")
    func fallbackToProposal() async throws {
        try await EngineFixture.withPair { hub, dapp, wallet in
            await wallet.engine.setHandlesSessionAuthenticate(false)
            let authentication = try await dapp.engine.authenticate(AuthFixture.params())
            try await wallet.engine.pair(uri: try #require(authentication.uri))
            let event = try await wallet.next { $0.isSessionProposal }
            guard case .sessionProposal(let proposal, _) = event else { return }
            #expect(proposal.id == authentication.fallbackProposalID)
            let refusal = try #require(
                await hub.publishes.first { $0.topic == authentication.pairingTopic && $0.options.tag == 0 })
            guard case .response(let response) = try await EngineFixture.open(refusal, with: dapp) else {
                Issue.record("expected the 10001 response")
                return
            }
            #expect(response.id.rawValue == authentication.requestID)
            #expect(response.error?.code == 10001)
            #expect(await wallet.engine.pendingAuthRequests().isEmpty)

            let walletSession = try await wallet.engine.approveSession(
                proposalID: proposal.id, namespaces: EngineFixture.namespaces)
            let result = try await AuthFixture.response(authentication)
            guard case .fallbackSession(let dappSession) = result else {
                Issue.record("expected the fallback session, got \(result)")
                return
            }
            #expect(dappSession.topic == walletSession.topic)
            #expect(dappSession.selfParticipant.publicKey == proposal.proposer.publicKey)
            #expect(result.cacaos.isEmpty)
            try await BoundedWait.until { await hub.subscribers(of: authentication.responseTopic).isEmpty }
        }
    }

    /// Payload defects a wallet auto-rejects at receipt.
    enum Defect: String, CaseIterable, Sendable {
        case emptyNonce, statementLineBreak, chainNotCAIP2
    }

    @Test("an invalid payload is auto-rejected (type 1, tag 1119) and never stored", arguments: Defect.allCases)
    func autoRejectInvalidPayload(_ defect: Defect) async throws {
        try await EngineFixture.withPair { hub, dapp, wallet in
            // A dapp without the engine's validation: an empty nonce.
            let (topic, uri) = try await dapp.pairing.create(methods: ["wc_sessionAuthenticate"])
            try await wallet.engine.pair(uri: uri)
            let requesterKey = try await dapp.crypto.generateKeyPair()
            let responseTopic = try SignTopics.authResponseTopic(requesterPublicKey: requesterKey)
            var payload = try AuthFixture.params().asPayload
            switch defect {
            case .emptyNonce: payload.nonce = ""
            case .statementLineBreak: payload.statement = "Sign in\nURI: https://evil.example"
            case .chainNotCAIP2: payload.chains = ["eip155"]
            }
            let params = SessionAuthenticateParams(
                requester: Participant(publicKey: requesterKey, metadata: EngineClient.dappMetadata),
                authPayload: try payload.jsonValue(), expiryTimestamp: WallClock.system.nowSeconds + 3600)
            let request = JSONRPCRequest(id: RPCID(4242), method: "wc_sessionAuthenticate", params: try JSONValue(encoding: params))
            let replies = hub.publishEvents()
            try await dapp.relay.publish(
                topic: topic, message: try await dapp.crypto.encode(topic: topic, payload: WireJSON.string(request)),
                options: PublishOptions(ttl: 3600, tag: 1116))
            let reply = try await BoundedWait.first(in: replies) { $0.topic == responseTopic }
            EngineFixture.expect(reply.options, SignMethod.sessionAuthenticate.autoRejectOptions)
            let text = try await dapp.crypto.decode(topic: responseTopic, encoded: reply.message, receiverPublicKey: requesterKey)
            guard case .response(let response) = try JSONRPCMessage.decode(text) else {
                Issue.record("expected a response")
                return
            }
            #expect(response.id.rawValue == 4242)
            #expect(response.error?.code == SDKErrorCode.missingOrInvalid.rawValue)
            #expect(await wallet.engine.pendingAuthRequests().isEmpty)
        }
    }

    @Test("authenticate() validates its params like JS")
    func validation() async throws {
        try await EngineFixture.withPair { _, dapp, _ in
            var params = AuthFixture.params()
            params.chains = ["eip155:1", "solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp"]
            let mixed = await #expect(throws: SDKError.self) { _ = try await dapp.engine.authenticate(params) }
            #expect(mixed?.message.contains("Multi-namespace requests are not supported") == true)
            params.chains = ["solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp"]
            let solana = await #expect(throws: SDKError.self) { _ = try await dapp.engine.authenticate(params) }
            #expect(solana?.message.contains("Only eip155 namespace is supported") == true)
            params.chains = []
            await #expect(throws: SDKError.self) { _ = try await dapp.engine.authenticate(params) }
            params = AuthFixture.params()
            params.nonce = ""
            await #expect(throws: SDKError.self) { _ = try await dapp.engine.authenticate(params) }
        }
    }
}

extension AuthRequestParams {
    /// The payload these params would produce (for hand-made requests).
    var asPayload: AuthPayload {
        get throws {
            AuthPayload(
                chains: chains, statement: statement, aud: uri, domain: domain, nonce: nonce,
                iat: "2025-01-01T00:00:00.000Z",
                resources: try OneClickAuth.authenticateResources(resources: resources, methods: methods))
        }
    }
}
