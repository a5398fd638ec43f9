import Foundation
import Testing
import WalletConnectCore
import WalletConnectSign
import WalletKitTesting

/// Hostile proposals, pairings and controller messages over the in-memory relay (sign.md §3.2, §3.6, §7).
///
/// The cases where a peer-chosen expiry overflows `expiry * 1000` would trap and kill the test process, so they
/// run as exit tests (a child process) and expect a clean exit.
@Suite("Hostile peers: proposals, pairings, expiries (in-memory relay)", .timeLimit(.minutes(1)))
struct HostileProposalTests {
    static let dappKey = String(repeating: "ab", count: 32)

    static func proposal(
        id: Int64, pairingTopic: String, optional: ProposalNamespaces = EngineFixture.optionalNamespaces,
        expiry: Int64? = nil
    ) throws -> String {
        let params = SessionProposeParams(
            optionalNamespaces: optional,
            proposer: Participant(publicKey: dappKey, metadata: EngineClient.dappMetadata),
            expiryTimestamp: expiry ?? WallClock.system.nowSeconds + 300, pairingTopic: pairingTopic, id: id)
        return HostileJSON.request(id: id, method: "wc_sessionPropose", params: try WireJSON.string(params))
    }

    /// A pairing created by the dapp and paired by the wallet, with nothing proposed on it yet.
    static func pair(_ world: HostileWorld) async throws -> String {
        let (topic, uri) = try await world.dapp.client.pairing.create()
        try await world.wallet.engine.pair(uri: uri)
        return topic
    }

    @Test("a proposal with invalid namespaces is auto-rejected (tag 1121) with the validator's code and not stored")
    func invalidNamespaces() async throws {
        try await HostileWorld.run(settled: false) { world, _ in
            let topic = try await Self.pair(world)
            let id = HostileWorld.freshID()
            let bad: ProposalNamespaces = ["eip155": ProposalNamespace(chains: ["eip155"], methods: ["personal_sign"], events: [])]
            let json = try Self.proposal(id: id, pairingTopic: topic, optional: bad)
            // The code the pure validator gives for these params (what the wire must carry).
            let params = try JSONDecoder().decode(JSONRPCRequest.self, from: Data(json.utf8)).params.decode(as: SessionProposeParams.self)
            let state = SignValidationState(nowMilliseconds: WallClock.system.nowMilliseconds, pairingExpiries: [topic: .max / 1000])
            let expected = try #require(#expect(throws: SDKError.self) { try SignValidation.receivedProposal(params, state: state) })

            let before = await HostileSnapshot.of(world.wallet)
            let start = await world.hub.publishes.count
            try await world.inject(json, topic: topic, sealedBy: world.dapp)
            try await world.barrier(victim: world.wallet, topic: topic)
            let errors = try await HostileWorld.errors(in: world.publishes(by: world.wallet, since: start), readBy: world.dapp)
            #expect(errors.map(\.id) == [id])
            #expect(errors.first?.error.code == expected.code.rawValue)
            #expect(errors.first?.error.message == expected.message)
            #expect(errors.first?.publish.options.tag == SignMethod.sessionPropose.autoRejectOptions.tag)
            #expect(await HostileSnapshot.of(world.wallet) == before)
        }
    }

    @Test("an update with invalid namespaces from the controller is answered with the validator's error; dapp unchanged")
    func invalidUpdateNamespaces() async throws {
        try await HostileWorld.run { world, session in
            let session = try #require(session)
            var bad = session.namespaces
            bad["eip155"]?.accounts = ["eip155:1"]
            let expected = try #require(
                NamespaceValidator.validateSessionNamespaces(bad, method: "onSessionUpdateRequest()"))
            let id = HostileWorld.freshID()
            let json = HostileJSON.request(
                id: id, method: "wc_sessionUpdate", params: #"{"namespaces":\#(try HostileJSON.namespaces(bad))}"#)
            try await world.drainEvents(of: world.dapp, topic: session.topic)
            let before = await HostileSnapshot.of(world.dapp)
            let start = await world.hub.publishes.count
            try await world.inject(json, topic: session.topic, sealedBy: world.wallet)
            try await world.barrier(victim: world.dapp, topic: session.topic)
            let log = EventLog()
            try await log.read(world.dapp.client) { $0.isSessionPing }
            let published = await world.publishes(by: world.dapp, since: start).filter { $0.options.tag != 1115 }
            let errors = try await HostileWorld.errors(in: published, readBy: world.wallet)
            #expect(errors.map(\.id) == [id])
            #expect(errors.first?.error.code == expected.code.rawValue)
            #expect(log.events.filter(\.isPeerDriven).isEmpty)
            #expect(await HostileSnapshot.of(world.dapp) == before)
        }
    }

    // MARK: - Peer-chosen expiries (exit tests)

    /// Wallet receives a proposal whose `expiryTimestamp` is `Int64.max`; it must survive and answer a ping.
    static func proposalWithHugeExpiry() async throws {
        try await HostileWorld.run(settled: false) { world, _ in
            let topic = try await pair(world)
            try await world.inject(
                try proposal(id: HostileWorld.freshID(), pairingTopic: topic, expiry: .max), topic: topic,
                sealedBy: world.dapp)
            try await world.barrier(victim: world.wallet, topic: topic)
        }
    }

    /// Wallet receives a session request whose `expiryTimestamp` is `Int64.max`.
    static func requestWithHugeExpiry() async throws {
        try await HostileWorld.run { world, session in
            guard let session else { throw EngineFixture.FixtureError.unexpected }
            try await world.inject(
                HostileJSON.sessionRequest(id: HostileWorld.freshID(), expiry: .max), topic: session.topic,
                sealedBy: world.dapp)
            try await world.barrier(victim: world.wallet, topic: session.topic)
        }
    }

    /// Wallet pairs a URI with `expiryTimestamp=9223372036854775807`, then a proposal arrives on it.
    static func pairingWithHugeExpiry() async throws {
        try await HostileWorld.run(settled: false) { world, _ in
            let (topic, uri) = try await world.dapp.client.pairing.create()
            var parsed = try PairingURI.parse(uri)
            parsed.expiryTimestamp = .max
            try await world.wallet.engine.pair(uri: parsed.absoluteString)
            try await world.inject(
                try proposal(id: HostileWorld.freshID(), pairingTopic: topic), topic: topic, sealedBy: world.dapp)
            try await world.barrier(victim: world.wallet, topic: topic)
        }
    }

    @Test("a proposal with expiryTimestamp Int64.max does not crash the wallet")
    func hugeProposalExpiry() async {
        await #expect(processExitsWith: .success) { try await HostileProposalTests.proposalWithHugeExpiry() }
    }

    @Test("a session request with expiryTimestamp Int64.max does not crash the wallet")
    func hugeRequestExpiry() async {
        await #expect(processExitsWith: .success) { try await HostileProposalTests.requestWithHugeExpiry() }
    }

    @Test("a pairing URI with expiryTimestamp Int64.max, then a proposal on it, does not crash the wallet")
    func hugePairingExpiry() async {
        await #expect(processExitsWith: .success) { try await HostileProposalTests.pairingWithHugeExpiry() }
    }
}
