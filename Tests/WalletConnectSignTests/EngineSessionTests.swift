import Foundation
import Synchronization
import Testing
import WalletConnectCore
import WalletConnectSign
import WalletKitTesting

/// Wallet and dapp engines against each other over the in-memory relay: proposal, approval, rejection and the
/// exact relay options of every message.
@Suite("Sign engine: proposals and settlement (in-memory relay)", .timeLimit(.minutes(1)))
struct EngineSessionTests {
    static func withPair(
        dappOptions: SignEngineOptions = EngineClient.fastOptions, walletOptions: SignEngineOptions = EngineClient.fastOptions,
        _ body: (InMemoryRelayHub, EngineClient, EngineClient) async throws -> Void
    ) async throws {
        try await EngineFixture.withPair(dappOptions: dappOptions, walletOptions: walletOptions, body)
    }

    static func expect(_ options: PublishOptions, _ expected: RPCOptions, sourceLocation: SourceLocation = #_sourceLocation) {
        EngineFixture.expect(options, expected, sourceLocation: sourceLocation)
    }

    @Test("approve through wc_approveSession: both sides hold the same session; tags 1100/1101/1102/1103")
    func approveComposite() async throws {
        try await Self.withPair { hub, dapp, wallet in
            let (dappSession, walletSession) = try await EngineFixture.settle(dapp: dapp, wallet: wallet)

            #expect(dappSession.topic == walletSession.topic)
            #expect(dappSession.namespaces == EngineFixture.namespaces)
            #expect(dappSession.controller == walletSession.selfParticipant.publicKey)
            #expect(dappSession.peer.metadata == EngineClient.walletMetadata)
            #expect(walletSession.peer.metadata == EngineClient.dappMetadata)
            #expect(walletSession.isSelfController && !dappSession.isSelfController)
            #expect(dappSession.acknowledged)
            #expect(try #require(await wallet.engine.activeSessions()[walletSession.topic]).acknowledged)
            #expect(await wallet.engine.pendingSessionProposals().isEmpty)
            #expect(await dapp.engine.pendingSessionProposals().isEmpty)

            #expect(await hub.proposeSessionCalls.count == 1)
            let approve = try #require(await hub.approveSessionCalls.first)
            #expect(approve.sessionTopic == walletSession.topic)
            #expect(approve.pairingTopic == walletSession.pairingTopic)
            #expect(approve.approvedChains == ["eip155:1", "eip155:42161"])
            #expect(approve.approvedMethods == EngineFixture.methods)
            #expect(approve.approvedEvents == EngineFixture.events)
            #expect(approve.correlationID != nil)

            let publishes = await hub.publishes
            let proposal = try #require(publishes.first { $0.kind == .proposeSession })
            Self.expect(proposal.options, SignMethod.sessionPropose.requestOptions)
            let response = try #require(publishes.first { $0.kind == .approveSession && $0.topic == walletSession.pairingTopic })
            Self.expect(response.options, SignMethod.sessionPropose.responseOptions)
            let settle = try #require(publishes.first { $0.kind == .approveSession && $0.topic == walletSession.topic })
            Self.expect(settle.options, SignMethod.sessionSettle.requestOptions)
            let settleAck = try #require(publishes.first { $0.kind == .publish && $0.topic == walletSession.topic })
            Self.expect(settleAck.options, SignMethod.sessionSettle.responseOptions)
            // The wallet did not irn_subscribe the session topic (the composite call did).
            let walletID = await wallet.relay.clientID
            #expect(await hub.subscribeCalls.filter { $0.clientID == walletID && $0.topic == walletSession.topic }.isEmpty)
            // Both pairings are active after the exchange.
            #expect(await wallet.pairing.pairing(topic: walletSession.pairingTopic)?.active == true)
            #expect(await dapp.pairing.pairing(topic: walletSession.pairingTopic)?.active == true)
        }
    }

    @Test("approve through classic irn_publish + irn_subscribe")
    func approveClassic() async throws {
        let classic = SignEngineOptions(requestQueueReleaseDelay: .zero, approveStyle: .publish, proposeStyle: .publish)
        try await Self.withPair(dappOptions: classic, walletOptions: classic) { hub, dapp, wallet in
            let (dappSession, walletSession) = try await EngineFixture.settle(dapp: dapp, wallet: wallet)
            #expect(dappSession.topic == walletSession.topic)
            #expect(await hub.approveSessionCalls.isEmpty)
            #expect(await hub.proposeSessionCalls.isEmpty)
            let publishes = await hub.publishes
            #expect(publishes.allSatisfy { $0.kind == .publish })
            let tags = publishes.map(\.options.tag)
            #expect(tags == [1100, 1101, 1102, 1103])
            Self.expect(publishes[0].options, SignMethod.sessionPropose.requestOptions)
            Self.expect(publishes[1].options, SignMethod.sessionPropose.responseOptions)
            Self.expect(publishes[2].options, SignMethod.sessionSettle.requestOptions)
            let walletID = await wallet.relay.clientID
            #expect(await !hub.subscribeCalls.filter { $0.clientID == walletID && $0.topic == walletSession.topic }.isEmpty)
        }
    }

    @Test("reject: approval() throws the wallet's reason, tag 1120, the proposal is gone on both sides")
    func reject() async throws {
        try await Self.withPair { hub, dapp, wallet in
            let connection = try await dapp.engine.connect(optionalNamespaces: EngineFixture.optionalNamespaces)
            try await wallet.engine.pair(uri: try #require(connection.uri))
            _ = try await wallet.next { if case .sessionProposal = $0 { return true } else { return false } }
            try await wallet.engine.rejectSession(proposalID: connection.proposalID, reason: .sdk(.unsupportedChains))
            let error = await #expect(throws: SDKError.self) { try await BoundedWait.run { try await connection.approval() } }
            #expect(error?.code == .unsupportedChains)
            #expect(error?.message == "Unsupported chains.")
            #expect(await wallet.engine.pendingSessionProposals().isEmpty)
            #expect(await dapp.engine.pendingSessionProposals().isEmpty)
            let rejection = try #require(await hub.publishes.last)
            Self.expect(rejection.options, SignMethod.sessionPropose.rejectOptions)
            #expect(await wallet.engine.activeSessions().isEmpty)
            #expect(await dapp.engine.activeSessions().isEmpty)
            // A second reject of the same id fails validation: the proposal was deleted.
            await #expect(throws: SDKError.internal(.missingOrInvalid, context: "Record was recently deleted - proposal: \(connection.proposalID)")) {
                try await wallet.engine.rejectSession(proposalID: connection.proposalID)
            }
        }
    }

    @Test("an invalid proposal is auto-rejected with tag 1121 and never announced")
    func autoReject() async throws {
        try await Self.withPair { hub, dapp, wallet in
            // A raw proposal whose optional namespaces have no chains (bypassing the dapp engine's connect checks).
            let created = try await dapp.pairing.create(subscribe: true)
            try await wallet.engine.pair(uri: created.uri)
            let proposer = Participant(publicKey: try await dapp.crypto.generateKeyPair(), metadata: EngineClient.dappMetadata)
            let params = SessionProposeParams(
                optionalNamespaces: ["eip155": ProposalNamespace(chains: [], methods: ["personal_sign"])], proposer: proposer,
                pairingTopic: created.topic)
            let id: Int64 = 1_700_000_000_000_001
            let request = JSONRPCRequest(id: RPCID(id), method: "wc_sessionPropose", params: try JSONValue(encoding: params))
            let publishes = hub.publishEvents()
            try await dapp.relay.publish(
                topic: created.topic, message: try await dapp.crypto.encode(topic: created.topic, payload: WireJSON.string(request)),
                options: PublishOptions(ttl: 300, tag: 1100, prompt: true))
            let reply = try await BoundedWait.first(in: publishes) { $0.options.tag != 1100 }
            Self.expect(reply.options, SignMethod.sessionPropose.autoRejectOptions)
            let text = try await dapp.crypto.decode(topic: created.topic, encoded: reply.message)
            guard case .response(let response) = try JSONRPCMessage.decode(text) else {
                Issue.record("expected a response")
                return
            }
            #expect(response.id == RPCID(id))
            #expect(response.error?.code == SDKErrorCode.unsupportedChains.rawValue)
            #expect(await wallet.engine.pendingSessionProposals().isEmpty)
        }
    }

    @Test("scanning the URI of a stored inactive pairing announces its proposal again")
    func rescanAnnouncesAgain() async throws {
        try await Self.withPair { _, dapp, wallet in
            let connection = try await dapp.engine.connect(optionalNamespaces: EngineFixture.optionalNamespaces)
            let uri = try #require(connection.uri)
            try await wallet.engine.pair(uri: uri)
            _ = try await wallet.next { if case .sessionProposal = $0 { return true } else { return false } }
            try await wallet.engine.pair(uri: uri)
            let again = try await wallet.next { if case .sessionProposal = $0 { return true } else { return false } }
            guard case .sessionProposal(let proposal, let verify) = again else { return }
            #expect(proposal.id == connection.proposalID)
            #expect(verify?.verified.validation == .unknown)
            #expect(verify?.verified.origin == EngineClient.dappMetadata.url)
        }
    }

    @Test("approve validation: unknown id and non-conforming namespaces throw the JS messages")
    func approveValidation() async throws {
        try await Self.withPair { _, dapp, wallet in
            await #expect(throws: SDKError.internal(.noMatchingKey, context: "proposal id doesn't exist: 42")) {
                _ = try await wallet.engine.approveSession(proposalID: 42, namespaces: EngineFixture.namespaces)
            }
            let connection = try await dapp.engine.connect(optionalNamespaces: EngineFixture.optionalNamespaces)
            try await wallet.engine.pair(uri: try #require(connection.uri))
            _ = try await wallet.next { if case .sessionProposal = $0 { return true } else { return false } }
            await #expect(throws: SDKError.internal(.missingOrInvalid, context: "approve(), namespaces should be an object with data")) {
                _ = try await wallet.engine.approveSession(proposalID: connection.proposalID, namespaces: [:])
            }
            // Nothing was stored by the failed attempts; a valid approval still works.
            #expect(await wallet.engine.activeSessions().isEmpty)
            _ = try await wallet.engine.approveSession(proposalID: connection.proposalID, namespaces: EngineFixture.namespaces)
            _ = try await BoundedWait.run { try await connection.approval() }
        }
    }

    @Test("a failed wc_approveSession keeps nothing and can be retried")
    func approveFailureRollsBack() async throws {
        try await Self.withPair { hub, dapp, wallet in
            let connection = try await dapp.engine.connect(optionalNamespaces: EngineFixture.optionalNamespaces)
            try await wallet.engine.pair(uri: try #require(connection.uri))
            _ = try await wallet.next { if case .sessionProposal = $0 { return true } else { return false } }
            await hub.failNextPublish()
            await #expect(throws: InMemoryRelayError.self) {
                _ = try await wallet.engine.approveSession(proposalID: connection.proposalID, namespaces: EngineFixture.namespaces)
            }
            #expect(await wallet.engine.activeSessions().isEmpty)
            #expect(await wallet.engine.pendingSessionProposals().count == 1)
            let session = try await wallet.engine.approveSession(proposalID: connection.proposalID, namespaces: EngineFixture.namespaces)
            let settled = try await BoundedWait.run { try await connection.approval() }
            #expect(settled.topic == session.topic)
        }
    }

    /// A resolver that records its inputs and answers VALID.
    final class RecordingVerifier: SignVerifyResolver {
        let calls = Locked<[(attestation: String?, encrypted: String, decrypted: String, url: String)]>([])

        func verifyContext(
            attestation: String?, encryptedMessage: String, decryptedMessage: String, metadata: Metadata
        ) async -> VerifyContext {
            calls.withLock { $0.append((attestation, encryptedMessage, decryptedMessage, metadata.url)) }
            return VerifyContext(origin: metadata.url, validation: .valid, verifyUrl: "https://verify.example")
        }
    }

    @Test("a Verify resolver decides the context of proposals and requests")
    func verifyResolver() async throws {
        let hub = InMemoryRelayHub()
        let verifier = RecordingVerifier()
        let dapp = try await EngineClient.make(name: "dapp", relay: hub.makeClient())
        let wallet = try await EngineClient.make(name: "wallet", relay: hub.makeClient(), verifier: verifier)
        do {
            let connection = try await dapp.engine.connect(optionalNamespaces: EngineFixture.optionalNamespaces)
            try await wallet.engine.pair(uri: try #require(connection.uri))
            let event = try await wallet.next { if case .sessionProposal = $0 { return true } else { return false } }
            guard case .sessionProposal(let proposal, let context) = event else { return }
            #expect(context == VerifyContext(origin: EngineClient.dappMetadata.url, validation: .valid, verifyUrl: "https://verify.example"))
            let session = try await wallet.engine.approveSession(proposalID: proposal.id, namespaces: EngineFixture.namespaces)
            _ = try await BoundedWait.run { try await connection.approval() }
            let (response, pending) = try await EngineRequestTests.send(dapp, wallet, topic: session.topic)
            #expect(pending.verifyContext?.verified.validation == .valid)
            try await wallet.engine.respondSessionRequest(
                topic: session.topic, response: JSONRPCResponse(id: RPCID(pending.id), result: true))
            _ = try await response.boundedValue()
            let calls = verifier.calls.withLock { $0 }
            #expect(calls.count == 2)
            #expect(calls.allSatisfy { $0.url == EngineClient.dappMetadata.url })
            let proposalMessage = try #require(await hub.publishes.first { $0.options.tag == 1100 })
            #expect(calls.first?.encrypted == proposalMessage.message)
            #expect(calls.first?.decrypted.contains("\"method\":\"wc_sessionPropose\"") == true)
            #expect(calls.last?.decrypted.contains("\"method\":\"wc_sessionRequest\"") == true)
        } catch {
            await dapp.stop()
            await wallet.stop()
            throw error
        }
        await dapp.stop()
        await wallet.stop()
    }
}
