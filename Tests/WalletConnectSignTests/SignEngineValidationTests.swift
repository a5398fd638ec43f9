import Foundation
import Testing
import WalletConnectCore
import WalletConnectSign
import WalletKitTesting

/// Fixture state for sign-engine-validation.json: one session, one pairing, one proposal.
enum ValidationFixture {
    static let now: Int64 = 1_700_000_000
    static let sessionTopic = String(repeating: "a1", count: 32)
    static let pairingTopic = String(repeating: "b2", count: 32)
    static let proposalID: Int64 = 1_700_000_000_000_123
    static let account = "0x3c582121909DE92Dc89A36898633C1aE4790382b"
    static let methods = ["eth_sendTransaction", "eth_signTransaction", "personal_sign", "eth_signTypedData"]
    static let events = ["chainChanged", "accountsChanged"]
    static let wallet = Participant(
        publicKey: String(repeating: "c3", count: 32), metadata: Metadata(name: "wallet", description: "", url: "", icons: []))
    static let dapp = Participant(
        publicKey: String(repeating: "d4", count: 32), metadata: Metadata(name: "dapp", description: "", url: "", icons: []))

    /// `TEST_NAMESPACES` of the JS tests.
    static let namespaces: SessionNamespaces = [
        "eip155": SessionNamespace(
            chains: ["eip155:1", "eip155:42161"], accounts: ["eip155:1:\(account)", "eip155:42161:\(account)"],
            methods: methods, events: events)
    ]

    /// `TEST_REQUIRED_NAMESPACES` (what sessions carried before required namespaces were deprecated).
    static let legacyRequired: ProposalNamespaces = [
        "eip155": ProposalNamespace(chains: ["eip155:1", "eip155:42161"], methods: methods, events: events)
    ]

    static func state(legacyRequiredNamespaces: Bool) -> SignValidationState {
        let session = Session(
            topic: sessionTopic, pairingTopic: pairingTopic, expiry: now + SignLifetimes.session, acknowledged: true,
            controller: wallet.publicKey, namespaces: namespaces,
            requiredNamespaces: legacyRequiredNamespaces ? legacyRequired : [:], optionalNamespaces: legacyRequired,
            selfParticipant: wallet, peer: dapp)
        let proposal = Proposal(
            id: proposalID, expiryTimestamp: now + 300, proposer: dapp, optionalNamespaces: legacyRequired,
            pairingTopic: pairingTopic)
        return SignValidationState(
            nowMilliseconds: now * 1000, sessions: [sessionTopic: session], pairingExpiries: [pairingTopic: now + 300],
            proposals: [proposalID: proposal], topicsWithSymKey: [sessionTopic, pairingTopic])
    }

    /// Replaces the `<sessionTopic>` / `<pairingTopic>` / `<proposalId>` placeholders.
    static func substitute(_ value: OrderedJSON) -> OrderedJSON {
        switch value {
        case .string("<sessionTopic>"): return .string(sessionTopic)
        case .string("<pairingTopic>"): return .string(pairingTopic)
        case .string("<proposalId>"): return .number(String(proposalID))
        case .array(let items): return .array(items.map(substitute))
        case .object(let members): return .object(members.map { .init(key: $0.key, value: substitute($0.value)) })
        default: return value
        }
    }
}

@Suite("Sign API validation (sign-engine-validation.json)", .enabled(if: SharedVectors.isAvailable, SharedVectors.skipNote))
struct SignEngineValidationTests {
    static func run(api: String, params: JSONValue?, state: SignValidationState) throws {
        switch api {
        case "connect": try SignValidation.connect(params, state: state)
        case "approve": _ = try SignValidation.approve(params, state: state)
        case "reject": _ = try SignValidation.reject(params, state: state)
        case "update": _ = try SignValidation.update(params, state: state)
        case "extend": _ = try SignValidation.extend(params, state: state)
        case "request": _ = try SignValidation.request(params, state: state)
        case "respond": _ = try SignValidation.respond(params, state: state)
        case "ping": _ = try SignValidation.ping(params, state: state)
        case "emit": _ = try SignValidation.emit(params, state: state)
        case "disconnect": _ = try SignValidation.disconnect(params, state: state)
        default: Issue.record("unknown api \(api)")
        }
    }

    @Test(
        "API input validation throws the JS message",
        arguments: SignVector.load(
            "sign-engine-validation.json", "cases",
            name: { item, _ in "\(item["api"]?.string ?? "?"): \(item["test"]?.string ?? "?")" }))
    func validation(vector: SignVector) throws {
        let json = vector.json
        let api = try #require(json["api"]?.string)
        let expected = try #require(json["expected_error"]?.string)
        let params = json["params_absent"]?.bool == true ? nil : json["params"].map(ValidationFixture.substitute)?.jsonValue
        let skipped = json["skipped_in_source"]?.bool == true
        let state = ValidationFixture.state(legacyRequiredNamespaces: skipped)

        let check = {
            #expect(throws: SDKError.self) { try Self.run(api: api, params: params, state: state) }
            do {
                try Self.run(api: api, params: params, state: state)
            } catch let error as SDKError {
                #expect(error.message == expected)
            }
        }
        if skipped && expected.contains("methods don't satisfy") {
            // it.skip test with a stale message: 2.23.9 names the required chain ("for eip155:1"),
            // as the evaluated isConformingNamespaces vectors in sign-namespaces.json show.
            withKnownIssue("stale expectation of an it.skip JS test (2.23.9 reports the chain, not the key)") {
                try check()
            }
        } else {
            try check()
        }
    }

    @Test("valid calls pass and return the stored records")
    func validCalls() throws {
        let state = ValidationFixture.state(legacyRequiredNamespaces: false)
        let topic = JSONValue.string(ValidationFixture.sessionTopic)
        let namespaces = try JSONValue(encoding: ValidationFixture.namespaces)
        let proposal = try SignValidation.approve(
            ["id": .int(ValidationFixture.proposalID), "namespaces": namespaces], state: state)
        #expect(proposal.id == ValidationFixture.proposalID)
        _ = try SignValidation.reject(
            ["id": .int(ValidationFixture.proposalID), "reason": ["code": 5000, "message": "User rejected."]], state: state)
        #expect(try SignValidation.update(["topic": topic, "namespaces": namespaces], state: state).topic == ValidationFixture.sessionTopic)
        _ = try SignValidation.extend(["topic": topic], state: state)
        _ = try SignValidation.request(
            ["topic": topic, "chainId": "eip155:42161", "request": ["method": "personal_sign", "params": []], "expiry": 300],
            state: state)
        _ = try SignValidation.respond(["topic": topic, "response": ["id": 1, "jsonrpc": "2.0", "result": true]], state: state)
        _ = try SignValidation.emit(
            ["topic": topic, "chainId": "eip155:1", "event": ["name": "chainChanged", "data": 1]], state: state)
        #expect(try SignValidation.ping(["topic": topic], state: state) == .session(try #require(state.sessions[ValidationFixture.sessionTopic])))
        #expect(try SignValidation.disconnect(["topic": .string(ValidationFixture.pairingTopic)], state: state) == .pairing(ValidationFixture.pairingTopic))
        try SignValidation.connect(
            ["pairingTopic": .string(ValidationFixture.pairingTopic), "optionalNamespaces": try JSONValue(encoding: ValidationFixture.legacyRequired),
             "scopedProperties": ["eip155": ["x": 1]]],
            state: state)
    }

    @Test("state-driven failures: expiry, keychain, controller, recently deleted, mismatched topic")
    func stateFailures() throws {
        var state = ValidationFixture.state(legacyRequiredNamespaces: false)
        let topic = JSONValue.string(ValidationFixture.sessionTopic)
        let later = state
        var expired = later
        expired.nowMilliseconds = (ValidationFixture.now + SignLifetimes.session) * 1000
        #expect(throws: SDKError.internal(.expired, context: "session topic: \(ValidationFixture.sessionTopic)")) {
            try SignValidation.extend(["topic": topic], state: expired)
        }
        #expect(throws: SDKError.internal(.expired, context: "proposal id: \(ValidationFixture.proposalID)")) {
            try SignValidation.reject(["id": .int(ValidationFixture.proposalID), "reason": ["code": 1, "message": "x"]], state: expired)
        }
        var keyless = later
        keyless.topicsWithSymKey = []
        #expect(
            throws: SDKError.internal(
                .missingOrInvalid, context: "session topic does not exist in keychain: \(ValidationFixture.sessionTopic)")
        ) { try SignValidation.extend(["topic": topic], state: keyless) }
        var deleted = later
        deleted.recentlyDeleted = [ValidationFixture.sessionTopic]
        #expect(
            throws: SDKError.internal(.missingOrInvalid, context: "Record was recently deleted - session: \(ValidationFixture.sessionTopic)")
        ) { try SignValidation.extend(["topic": topic], state: deleted) }

        state.sessions[ValidationFixture.sessionTopic]?.controller = ValidationFixture.dapp.publicKey
        #expect(throws: SDKError.sdk(.unauthorizedUpdateRequest)) {
            try SignValidation.update(["topic": topic, "namespaces": try JSONValue(encoding: ValidationFixture.namespaces)], state: state)
        }

        var pending = later
        pending.pendingRequests[7] = PendingRequest(
            id: 7, topic: "other",
            params: SessionRequestParams(request: .init(method: "personal_sign", params: []), chainID: "eip155:1"))
        let mismatch = #expect(throws: SDKError.self) {
            try SignValidation.respond(["topic": topic, "response": ["id": 7, "jsonrpc": "2.0", "result": true]], state: pending)
        }
        #expect(mismatch?.code == .mismatchedTopic)
        #expect(throws: SDKError.self) {
            try SignValidation.approve(
                ["id": .int(ValidationFixture.proposalID), "namespaces": try JSONValue(encoding: ValidationFixture.namespaces),
                 "scopedProperties": ["solana": [:]]], state: later)
        }
    }
}
