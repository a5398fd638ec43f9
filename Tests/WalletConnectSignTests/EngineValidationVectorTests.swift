import Foundation
import Testing
import WalletConnectCore
import WalletConnectSign
import WalletKitTesting

/// Every case of sign-engine-validation.json run through a live wallet engine: the placeholders are a real
/// session, pairing and proposal the engine received over the in-memory relay, and the check is the engine's
/// own entry point (``SignEngine/validate(_:params:)``), the one each typed API method calls first.
@Suite(
    "Sign engine: API validation vectors against a live engine",
    .enabled(if: SharedVectors.isAvailable, SharedVectors.skipNote), .timeLimit(.minutes(1)))
struct EngineValidationVectorTests {
    static let account = "0x3c582121909DE92Dc89A36898633C1aE4790382b"
    static let methods = ["eth_sendTransaction", "eth_signTransaction", "personal_sign", "eth_signTypedData"]
    static let events = ["chainChanged", "accountsChanged"]

    /// `TEST_REQUIRED_NAMESPACES` of the JS tests (sent as a legacy proposal's required namespaces).
    static let required: ProposalNamespaces = [
        "eip155": ProposalNamespace(chains: ["eip155:1", "eip155:42161"], methods: methods, events: events)
    ]

    /// `TEST_NAMESPACES` of the JS tests.
    static let namespaces: SessionNamespaces = [
        "eip155": SessionNamespace(
            chains: ["eip155:1", "eip155:42161"], accounts: ["eip155:1:\(account)", "eip155:42161:\(account)"],
            methods: methods, events: events)
    ]

    struct Live: Sendable {
        var sessionTopic: String
        var pairingTopic: String
        var proposalID: Int64
    }

    /// A raw `wc_sessionPropose` with legacy required namespaces, published by the dapp's relay client.
    static func propose(from dapp: EngineClient, pairingTopic: String, id: Int64) async throws {
        let proposer = Participant(publicKey: try await dapp.crypto.generateKeyPair(), metadata: EngineClient.dappMetadata)
        let params = SessionProposeParams(
            requiredNamespaces: required, optionalNamespaces: required, proposer: proposer,
            expiryTimestamp: WallClock.system.nowSeconds + 300, pairingTopic: pairingTopic, id: id)
        let request = JSONRPCRequest(id: RPCID(id), method: "wc_sessionPropose", params: try JSONValue(encoding: params))
        try await dapp.relay.publish(
            topic: pairingTopic, message: try await dapp.crypto.encode(topic: pairingTopic, payload: WireJSON.string(request)),
            options: PublishOptions(ttl: 300, tag: 1100, prompt: true))
    }

    /// The wallet with one approved session (legacy required namespaces), its pairing, and one pending proposal.
    static func prepare(_ dapp: EngineClient, _ wallet: EngineClient) async throws -> Live {
        let created = try await dapp.pairing.create(subscribe: true)
        try await wallet.engine.pair(uri: created.uri)
        let firstID: Int64 = 1_700_000_000_000_100
        try await propose(from: dapp, pairingTopic: created.topic, id: firstID)
        _ = try await wallet.next { if case .sessionProposal(let p, _) = $0 { return p.id == firstID } else { return false } }
        let session = try await wallet.engine.approveSession(proposalID: firstID, namespaces: namespaces)
        let secondID: Int64 = 1_700_000_000_000_200
        try await propose(from: dapp, pairingTopic: created.topic, id: secondID)
        _ = try await wallet.next { if case .sessionProposal(let p, _) = $0 { return p.id == secondID } else { return false } }
        return Live(sessionTopic: session.topic, pairingTopic: created.topic, proposalID: secondID)
    }

    static func substitute(_ value: OrderedJSON, _ live: Live) -> OrderedJSON {
        switch value {
        case .string("<sessionTopic>"): return .string(live.sessionTopic)
        case .string("<pairingTopic>"): return .string(live.pairingTopic)
        case .string("<proposalId>"): return .number(String(live.proposalID))
        case .array(let items): return .array(items.map { substitute($0, live) })
        case .object(let members): return .object(members.map { .init(key: $0.key, value: substitute($0.value, live)) })
        default: return value
        }
    }

    @Test("each case throws the JS message from the live engine")
    func allCases() async throws {
        let cases = SignVector.load("sign-engine-validation.json", "cases")
        #expect(cases.count == 96)
        try await EngineFixture.withPair { _, dapp, wallet in
            let live = try await Self.prepare(dapp, wallet)
            var checked = 0
            for vector in cases {
                let json = vector.json
                let api = try #require(json["api"]?.string.flatMap(SignAPICall.init(rawValue:)), "\(vector)")
                let expected = try #require(json["expected_error"]?.string)
                let params = json["params_absent"]?.bool == true ? nil : json["params"].map { Self.substitute($0, live) }?.jsonValue
                let staleSkippedCase = json["skipped_in_source"]?.bool == true && expected.contains("methods don't satisfy")
                do {
                    try await wallet.engine.validate(api, params: params)
                    Issue.record("\(vector): no error thrown")
                } catch let error as SDKError {
                    if staleSkippedCase {
                        // it.skip JS test with a stale text: 2.23.9 names the chain (see SignEngineValidationTests).
                        #expect(error.message.hasPrefix("Non conforming namespaces. update() namespaces methods"), "\(vector)")
                    } else {
                        #expect(error.message == expected, "\(vector)")
                    }
                }
                checked += 1
            }
            #expect(checked == cases.count)
            // Validation changed nothing: the live records are intact.
            #expect(await wallet.engine.activeSessions()[live.sessionTopic] != nil)
            #expect(await wallet.engine.pendingSessionProposals().map(\.id) == [live.proposalID])
        }
    }

    @Test("the typed API reaches the same checks: expiry bounds, unknown topics, reject reasons")
    func typedCalls() async throws {
        try await EngineFixture.withPair { _, dapp, wallet in
            let live = try await Self.prepare(dapp, wallet)
            await #expect(throws: SDKError.internal(.noMatchingKey, context: "session topic doesn't exist: none")) {
                _ = try await wallet.engine.extendSession(topic: "none")
            }
            await #expect(throws: SDKError.internal(.missingOrInvalid, context: "session topic should be a string: ")) {
                _ = try await wallet.engine.updateSession(topic: "", namespaces: Self.namespaces)
            }
            await #expect(throws: SDKError.internal(.noMatchingKey, context: "session or pairing topic doesn't exist: none")) {
                try await wallet.engine.disconnect(topic: "none")
            }
            await #expect(
                throws: SDKError.internal(.missingOrInvalid, context: #"reject() reason: {"code":0,"message":"GENERIC"}"#)
            ) {
                try await wallet.engine.rejectSession(proposalID: live.proposalID, reason: SDKError(code: SDKErrorCode(0), message: "GENERIC"))
            }
            await #expect(throws: SDKError.internal(.missingOrInvalid, context: "emit() chainId: eip000:0")) {
                try await wallet.engine.emitSessionEvent(
                    topic: live.sessionTopic, event: .init(name: "chainChanged", data: 1), chainID: "eip000:0")
            }
            await #expect(throws: SDKError.internal(.missingOrInvalid, context: "request() method: unknown")) {
                _ = try await wallet.engine.request(topic: live.sessionTopic, chainID: "eip155:1", method: "unknown", params: [])
            }
        }
    }
}
