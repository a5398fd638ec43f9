import Foundation
import Testing
import WalletConnectCore
import WalletConnectSign
import WalletKitTesting

/// Ordered-entry conversions for namespace vectors.
enum NamespaceJSON {
    static func proposal(_ json: OrderedJSON?) throws -> NamespaceEntries<ProposalNamespace> {
        try (json?.members ?? []).map { (key: $0.key, value: try $0.value.decode(ProposalNamespace.self)) }
    }

    static func session(_ json: OrderedJSON?) throws -> NamespaceEntries<SessionNamespace> {
        try (json?.members ?? []).map { (key: $0.key, value: try $0.value.decode(SessionNamespace.self)) }
    }

    /// Expected output object → (key, value) list; `chains`/`accounts` kept as given.
    static func expectEqual<V: Equatable>(
        _ actual: NamespaceEntries<V>, _ expected: NamespaceEntries<V>, exactKeyOrder: Bool,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        if exactKeyOrder {
            #expect(actual.map(\.key) == expected.map(\.key), sourceLocation: sourceLocation)
        } else {
            #expect(Set(actual.map(\.key)) == Set(expected.map(\.key)), sourceLocation: sourceLocation)
        }
        for (key, value) in expected {
            #expect(actual.first { $0.key == key }?.value == value, "\(key)", sourceLocation: sourceLocation)
        }
    }

    static func error(_ error: SDKError?, matches expected: OrderedJSON?, sourceLocation: SourceLocation = #_sourceLocation) {
        if let expected, !expected.isNull {
            #expect(error?.message == expected["message"]?.string, sourceLocation: sourceLocation)
            #expect(error.map { Int64($0.code.rawValue) } == expected["code"]?.int, sourceLocation: sourceLocation)
        } else {
            #expect(error == nil, sourceLocation: sourceLocation)
        }
    }
}

@Suite("Namespaces (sign-namespaces.json)", .enabled(if: SharedVectors.isAvailable, SharedVectors.skipNote))
struct SignNamespaceTests {
    static let file = "sign-namespaces.json"

    @Test("isSessionCompatible", arguments: SignVector.load(file, "isSessionCompatible"))
    func sessionCompatible(vector: SignVector) throws {
        let session = Namespaces.dictionary(try NamespaceJSON.session(vector.json["session_namespaces"]))
        let required = Namespaces.dictionary(try NamespaceJSON.proposal(vector.json["requiredNamespaces"]))
        let expected = try #require(vector.json["expected"]?.bool as Bool?)
        #expect(NamespaceValidator.isSessionCompatible(session, requiredNamespaces: required) == expected)
    }

    @Test("isConformingNamespaces", arguments: SignVector.load(file, "isConformingNamespaces"))
    func conforming(vector: SignVector) throws {
        let error = NamespaceValidator.conformingError(
            required: try NamespaceJSON.proposal(vector.json["required"]),
            approved: try NamespaceJSON.session(vector.json["approved"]),
            context: try #require(vector.json["context"]?.string))
        NamespaceJSON.error(error, matches: vector.json["expected"])
    }

    @Test("buildApprovedNamespaces", arguments: SignVector.load(file, "buildApprovedNamespaces"))
    func buildApproved(vector: SignVector) throws {
        try Self.checkBuild(vector.json)
    }

    static func checkBuild(_ json: OrderedJSON) throws {
        let proposal = try #require(json["proposal"])
        let required = try NamespaceJSON.proposal(proposal["requiredNamespaces"])
        let optional = try NamespaceJSON.proposal(proposal["optionalNamespaces"])
        let supported = try NamespaceJSON.session(json["supportedNamespaces"])
        if let message = json["expected_throws"]?.string {
            do {
                let built = try Namespaces.buildApprovedNamespaces(required: required, optional: optional, supported: supported)
                Issue.record("expected a throw, got \(built.map(\.key))")
            } catch {
                #expect(String(describing: error) == message)
            }
            return
        }
        let built = try Namespaces.buildApprovedNamespaces(required: required, optional: optional, supported: supported)
        if let exact = json["expected_exact_order_js"] {
            NamespaceJSON.expectEqual(built, try NamespaceJSON.session(exact), exactKeyOrder: true)
        }
        NamespaceJSON.expectEqual(built, try NamespaceJSON.session(json["expected"]), exactKeyOrder: false)
    }

    @Test("mergeRequiredAndOptionalNamespaces", arguments: SignVector.load(file, "mergeRequiredAndOptionalNamespaces"))
    func merge(vector: SignVector) throws {
        let merged = Namespaces.mergeRequiredAndOptional(
            required: try NamespaceJSON.proposal(vector.json["required"]),
            optional: try NamespaceJSON.proposal(vector.json["optional"]))
        if let exact = vector.json["expected_exact_order_js"] {
            NamespaceJSON.expectEqual(merged, try NamespaceJSON.proposal(exact), exactKeyOrder: true)
        }
        NamespaceJSON.expectEqual(merged, try NamespaceJSON.proposal(vector.json["expected"]), exactKeyOrder: false)
    }

    @Test("computed cases", arguments: SignVector.load(file, "computed_cases", "cases"))
    func computed(vector: SignVector) throws {
        let json = vector.json
        let args = json["args"]?.items ?? []
        let expected = json["expected"]
        switch json["fn"]?.string {
        case "normalizeNamespaces":
            let result = Namespaces.normalize(ordered: try NamespaceJSON.proposal(args.first))
            NamespaceJSON.expectEqual(result, try NamespaceJSON.proposal(expected), exactKeyOrder: true)
        case "mergeRequiredAndOptionalNamespaces":
            let result = Namespaces.mergeRequiredAndOptional(
                required: try NamespaceJSON.proposal(args.first), optional: try NamespaceJSON.proposal(args[1]))
            NamespaceJSON.expectEqual(result, try NamespaceJSON.proposal(expected), exactKeyOrder: true)
        case "buildApprovedNamespaces":
            let input = try #require(args.first)
            let proposal = try #require(input["proposal"])
            let result = try Namespaces.buildApprovedNamespaces(
                required: try NamespaceJSON.proposal(proposal["requiredNamespaces"]),
                optional: try NamespaceJSON.proposal(proposal["optionalNamespaces"]),
                supported: try NamespaceJSON.session(input["supportedNamespaces"]))
            NamespaceJSON.expectEqual(result, try NamespaceJSON.session(expected), exactKeyOrder: true)
        case "isValidChainId":
            #expect(NamespaceValidator.isValidChainID(args.first?.jsonValue) == expected?.bool)
            #expect((ChainID(args.first?.string ?? "") != nil) == expected?.bool)
        case "isValidAccountId":
            #expect(NamespaceValidator.isValidAccountID(args.first?.jsonValue) == expected?.bool)
            #expect((AccountID(args.first?.string ?? "") != nil) == expected?.bool)
        case "isValidNamespaces":
            let error = NamespaceValidator.validateSessionNamespaces(args.first?.jsonValue, method: args[1].string ?? "")
            NamespaceJSON.error(error, matches: expected)
        case "isValidRequiredNamespaces":
            let error = NamespaceValidator.validateProposalNamespaces(
                args.first?.jsonValue, method: args[1].string ?? "", type: args[2].string ?? "")
            NamespaceJSON.error(error, matches: expected)
        case "isConformingNamespaces":
            let error = NamespaceValidator.conformingError(
                required: try NamespaceJSON.proposal(args.first), approved: try NamespaceJSON.session(args[1]),
                context: args[2].string ?? "")
            NamespaceJSON.error(error, matches: expected)
        case "isValidNamespacesChainId":
            let namespaces = Namespaces.dictionary(try NamespaceJSON.session(args.first))
            #expect(NamespaceValidator.isValidNamespacesChainID(namespaces, chainID: args[1].string ?? "") == expected?.bool)
        case "isValidNamespacesRequest":
            let namespaces = Namespaces.dictionary(try NamespaceJSON.session(args.first))
            let valid = NamespaceValidator.isValidNamespacesRequest(
                namespaces, chainID: args[1].string ?? "", method: args[2].string ?? "")
            #expect(valid == expected?.bool)
        case "isValidNamespacesEvent":
            let namespaces = Namespaces.dictionary(try NamespaceJSON.session(args.first))
            let valid = NamespaceValidator.isValidNamespacesEvent(
                namespaces, chainID: args[1].string ?? "", event: args[2].string ?? "")
            #expect(valid == expected?.bool)
        case "isValidRequestExpiry":
            let bounds = try #require(args[1]["min"]?.int)...(try #require(args[1]["max"]?.int))
            #expect(NamespaceValidator.isValidRequestExpiry(try #require(args.first?.int), bounds: bounds) == expected?.bool)
        case "isValidErrorReason":
            #expect(NamespaceValidator.isValidErrorReason(args.first?.jsonValue) == expected?.bool)
        case "buildNamespacesFromAuth":
            let result = Namespaces.fromAuth(methods: args.first?.strings ?? [], accounts: args[1].strings)
            NamespaceJSON.expectEqual(result, try NamespaceJSON.session(expected), exactKeyOrder: true)
        case let other:
            Issue.record("unhandled function \(other ?? "nil")")
        }
    }

    @Test("dictionary API agrees with the ordered API")
    func dictionaryAPI() throws {
        let proposal = Proposal(
            id: 1, expiryTimestamp: 0,
            proposer: Participant(publicKey: "00", metadata: Metadata(name: "", description: "", url: "", icons: [])),
            optionalNamespaces: ["eip155": ProposalNamespace(chains: ["eip155:137", "eip155:1"], methods: ["personal_sign"])],
            pairingTopic: "t")
        let supported: SessionNamespaces = [
            "eip155": SessionNamespace(
                chains: ["eip155:1", "eip155:137"], accounts: ["eip155:1:0xa", "eip155:137:0xa"],
                methods: ["personal_sign", "eth_sendTransaction"], events: ["chainChanged"])
        ]
        let approved = try Namespaces.buildApprovedNamespaces(proposal: proposal, supportedNamespaces: supported)
        #expect(
            approved == [
                "eip155": SessionNamespace(
                    chains: ["eip155:137", "eip155:1"], accounts: ["eip155:137:0xa", "eip155:1:0xa"],
                    methods: ["personal_sign"], events: [])
            ])
        #expect(Namespaces.approvedChains(approved) == ["eip155:137", "eip155:1"])
        #expect(NamespaceValidator.validateSessionNamespaces(approved, method: "approve()") == nil)
        #expect(NamespaceValidator.conformingError(required: [:], approved: approved, context: "approve()") == nil)
    }
}
