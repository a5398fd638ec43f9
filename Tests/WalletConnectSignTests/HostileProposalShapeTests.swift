import Foundation
import Testing
import WalletConnectCore
import WalletConnectSign
import WalletKitTesting

/// Proposals anyone who saw a pairing URI can send: a proposer key that cannot make a session key, and namespaces
/// too large to approve in reasonable time. Each is answered to the dapp with an error (auto-reject tag 1121), is
/// not stored, and the wallet then settles a good proposal as usual.
@Suite("Hostile peers: proposer keys and oversized proposals (in-memory relay)", .timeLimit(.minutes(1)))
struct HostileProposalShapeTests {
    static func proposal(
        id: Int64, pairingTopic: String, proposerKey: String,
        optional: ProposalNamespaces = EngineFixture.optionalNamespaces
    ) throws -> String {
        let params = SessionProposeParams(
            optionalNamespaces: optional,
            proposer: Participant(publicKey: proposerKey, metadata: EngineClient.dappMetadata),
            expiryTimestamp: WallClock.system.nowSeconds + 300, pairingTopic: pairingTopic, id: id)
        return HostileJSON.request(id: id, method: "wc_sessionPropose", params: try WireJSON.string(params))
    }

    /// Injects `json` on a fresh pairing and returns the wallet's error answers (decrypted by the dapp).
    static func injectProposal(
        _ world: HostileWorld, _ make: (String) throws -> String
    ) async throws -> [(publish: InMemoryRelayHub.RecordedPublish, id: Int64, error: JSONRPCError)] {
        let topic = try await HostileProposalTests.pair(world)
        let before = await HostileSnapshot.of(world.wallet)
        let start = await world.hub.publishes.count
        try await world.inject(try make(topic), topic: topic, sealedBy: world.dapp)
        try await world.barrier(victim: world.wallet, topic: topic)
        let errors = try await HostileWorld.errors(in: world.publishes(by: world.wallet, since: start), readBy: world.dapp)
        let after = await HostileSnapshot.of(world.wallet)
        #expect(after.proposals == before.proposals, "the hostile proposal must not be stored")
        return errors
    }

    /// `"zz"`, 31 bytes, 33 bytes, all zero, and low-order points (u = 1, an order-8 point, p − 1).
    static let badKeys: [(key: String, reason: String)] = [
        ("zz", "not 32 bytes of hex"),
        (String(repeating: "ab", count: 31), "not 32 bytes of hex"),
        (String(repeating: "ab", count: 33), "not 32 bytes of hex"),
        (String(repeating: "00", count: 32), "a low-order X25519 point"),
        ("01" + String(repeating: "00", count: 31), "a low-order X25519 point"),
        ("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800", "a low-order X25519 point"),
        ("ec" + String(repeating: "ff", count: 30) + "7f", "a low-order X25519 point"),
    ]

    @Test("generated X25519 public keys pass the proposer key check; each bad key fails it without crypto errors")
    func proposerKeyCheck() throws {
        for _ in 0..<64 {
            let key = Hex.encode(try X25519.generateKeyPair().publicKey)
            #expect(SignValidation.proposerKeyError(key) == nil, "\(key)")
            #expect(SignValidation.proposerKeyError(key.uppercased()) == nil)
        }
        for (key, reason) in Self.badKeys {
            #expect(SignValidation.proposerKeyError(key)?.message == "Missing or invalid. proposer public key: \(reason)")
        }
        #expect(SignValidation.proposerKeyError(String(repeating: "a", count: 1 << 20)) != nil)
    }

    @Test("the pure receipt check: shape first, then the params' pairing topic, then the connect() rules")
    func receivedProposalError() throws {
        let topic = String(repeating: "7f", count: 32)
        let other = String(repeating: "6e", count: 32)
        let now: Int64 = 1_700_000_000_000
        let state = SignValidationState(nowMilliseconds: now)
        func params(key: String = String(repeating: "ab", count: 32), pairingTopic: String?, chains: [String] = ["eip155:1"])
            -> SessionProposeParams
        {
            SessionProposeParams(
                optionalNamespaces: ["eip155": ProposalNamespace(chains: chains, methods: ["personal_sign"], events: [])],
                proposer: Participant(publicKey: key, metadata: EngineClient.dappMetadata),
                expiryTimestamp: now / 1000 + 300, pairingTopic: pairingTopic, id: 1)
        }
        // The arrival pairing counts as known even when the state does not list it.
        #expect(SignValidation.receivedProposalError(params(pairingTopic: topic), pairingTopic: topic, state: state) == nil)
        #expect(SignValidation.receivedProposalError(params(pairingTopic: nil), pairingTopic: topic, state: state) == nil)
        let mismatched = SignValidation.receivedProposalError(params(pairingTopic: other), pairingTopic: topic, state: state)
        #expect(mismatched?.code == .mismatchedTopic)
        // A bad key or an oversized proposal is refused before the topic is looked at.
        let badKey = SignValidation.receivedProposalError(
            params(key: "zz", pairingTopic: other), pairingTopic: topic, state: state)
        #expect(badKey?.message == "Missing or invalid. proposer public key: not 32 bytes of hex")
        let oversized = SignValidation.receivedProposalError(
            params(pairingTopic: other, chains: (0..<1_001).map { "eip155:\($0)" }), pairingTopic: topic, state: state)
        #expect(oversized?.code == .unsupportedChains)
        let invalid = SignValidation.receivedProposalError(params(pairingTopic: topic, chains: ["eip155"]), pairingTopic: topic, state: state)
        #expect(invalid?.code == .unsupportedChains)
        // An expired arrival pairing the state knows is not replaced by the default.
        let expired = SignValidationState(nowMilliseconds: now, pairingExpiries: [topic: now / 1000 - 1])
        #expect(SignValidation.receivedProposalError(params(pairingTopic: nil), pairingTopic: topic, state: expired) == nil)
        #expect(SignValidation.receivedProposalError(params(pairingTopic: topic), pairingTopic: topic, state: expired)?.code == .expired)
    }

    @Test("a proposer key that is not a usable X25519 key is refused to the dapp; a good proposal then settles",
        arguments: badKeys.indices)
    func badProposerKey(index: Int) async throws {
        let (key, reason) = Self.badKeys[index]
        try await HostileWorld.run(settled: false) { world, _ in
            let id = HostileWorld.freshID()
            let errors = try await Self.injectProposal(world) { topic in
                try Self.proposal(id: id, pairingTopic: topic, proposerKey: key)
            }
            #expect(errors.map(\.id) == [id])
            #expect(errors.first?.error.code == SDKErrorCode.missingOrInvalid.rawValue)
            #expect(errors.first?.error.message == "Missing or invalid. proposer public key: \(reason)")
            #expect(errors.first?.publish.options.tag == SignMethod.sessionPropose.autoRejectOptions.tag)
            // The wallet goes on: the next proposal (a real dapp's) is approved and settles on both sides.
            let settled = try await EngineFixture.settle(dapp: world.dapp.client, wallet: world.wallet.client)
            #expect(settled.dapp.topic == settled.wallet.topic)
        }
    }

    @Test("a proposal with 50,000 chains is refused at once with 5100 naming the limit; a good proposal then settles")
    func tooManyChains() async throws {
        try await HostileWorld.run(settled: false) { world, _ in
            let id = HostileWorld.freshID()
            let chains = (1...50_000).map { "eip155:\($0)" }
            let huge: ProposalNamespaces = [
                "eip155": ProposalNamespace(chains: chains, methods: ["personal_sign"], events: [])
            ]
            let errors = try await Self.injectProposal(world) { topic in
                try Self.proposal(id: id, pairingTopic: topic, proposerKey: HostileProposalTests.dappKey, optional: huge)
            }
            #expect(errors.map(\.id) == [id])
            #expect(errors.first?.error.code == SDKErrorCode.unsupportedChains.rawValue)
            #expect(errors.first?.error.message.contains("50000 chains") == true, "\(errors.first?.error.message ?? "")")
            let settled = try await EngineFixture.settle(dapp: world.dapp.client, wallet: world.wallet.client)
            #expect(settled.dapp.topic == settled.wallet.topic)
        }
    }

    @Test("an update with 10,500 accounts from the controller is answered 5103 naming the limit; the dapp keeps its namespaces")
    func oversizedUpdate() async throws {
        try await HostileWorld.run { world, session in
            let session = try #require(session)
            var huge = session.namespaces
            huge["eip155"]?.accounts = (1...10_500).map { "eip155:1:0x\(String(format: "%040x", $0))" }
            let id = HostileWorld.freshID()
            let json = HostileJSON.request(
                id: id, method: "wc_sessionUpdate", params: #"{"namespaces":\#(try HostileJSON.namespaces(huge))}"#)
            try await world.drainEvents(of: world.dapp, topic: session.topic)
            let before = await HostileSnapshot.of(world.dapp)
            let start = await world.hub.publishes.count
            try await world.inject(json, topic: session.topic, sealedBy: world.wallet)
            try await world.barrier(victim: world.dapp, topic: session.topic)
            let published = await world.publishes(by: world.dapp, since: start).filter { $0.options.tag != 1115 }
            let errors = try await HostileWorld.errors(in: published, readBy: world.wallet)
            #expect(errors.map(\.id) == [id])
            #expect(errors.first?.error.code == SDKErrorCode.unsupportedAccounts.rawValue)
            #expect(
                errors.first?.error.message
                    == "Unsupported accounts. namespace eip155: 10500 accounts, more than the limit of 10000")
            #expect(await HostileSnapshot.of(world.dapp) == before)
        }
    }

    @Test("an authenticate request whose requester key is a low-order point is dropped; a usable key is stored")
    func lowOrderRequester() async throws {
        try await HostileWorld.run(settled: false) { world, _ in
            let topic = try await HostileProposalTests.pair(world)
            let payload = AuthPayload(
                chains: ["eip155:1"], statement: "Sign in", aud: "https://dapp.example/login", domain: "dapp.example",
                nonce: "n0nce-\(UInt32.random(in: 1...UInt32.max))", iat: "2026-12-07T00:00:00.000Z")
            func request(requesterKey: String) throws -> (id: Int64, json: String) {
                let params = SessionAuthenticateParams(
                    requester: Participant(publicKey: requesterKey, metadata: EngineClient.dappMetadata),
                    authPayload: try payload.jsonValue(), expiryTimestamp: WallClock.system.nowSeconds + 3600)
                let id = HostileWorld.freshID()
                return (id, HostileJSON.request(id: id, method: "wc_sessionAuthenticate", params: try WireJSON.string(params)))
            }
            let before = await HostileSnapshot.of(world.wallet)
            for (key, reason) in Self.badKeys where reason.hasPrefix("a low-order") {
                try await world.inject(try request(requesterKey: key).json, topic: topic, sealedBy: world.dapp)
            }
            let usable = try request(requesterKey: Hex.encode(try X25519.generateKeyPair().publicKey))
            try await world.inject(usable.json, topic: topic, sealedBy: world.dapp)
            try await world.barrier(victim: world.wallet, topic: topic)
            let after = await HostileSnapshot.of(world.wallet)
            #expect(after.authRequests.map(\.id) == before.authRequests.map(\.id) + [usable.id])
        }
    }
}
