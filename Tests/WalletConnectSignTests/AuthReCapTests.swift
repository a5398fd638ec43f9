import Foundation
import Testing
import WalletConnectSign
import WalletKitTesting

/// `auth-recaps.json`: every case of `cases` and `computed_cases` dispatched on its `fn`, and both
/// `statement_divergence` cases (we follow JS, sign.md §9.5).
@Suite("ReCaps (auth-recaps.json)")
struct AuthReCapTests {
    @Test(
        .enabled(if: SharedVectors.isAvailable, SharedVectors.skipNote),
        arguments: AuthVector.load("auth-recaps.json", group: "cases")
            + AuthVector.load("auth-recaps.json", group: "computed_cases"))
    func function(vector: AuthVector) throws {
        let json = try vector.ordered()
        let fn = try #require(json["fn"]?.string)
        let args = try #require(json["args"]?.elements)
        if let message = json["expected_throws"]?.string {
            let error = #expect(throws: AuthError.self) { _ = try Self.run(fn, args) }
            #expect(error?.message == message)
            return
        }
        let expected = try #require(json["expected"])
        let actual = try Self.run(fn, args)
        if fn == "populateAuthPayload" {
            // A payload object's key order is not part of any signed bytes: compare members.
            #expect(actual.isEquivalent(to: expected), "\(actual.jsonString) != \(expected.jsonString)")
        } else {
            // Order-sensitive: JS key order is part of the encoded bytes.
            #expect(actual == expected, "\(fn): \(actual.jsonString) != \(expected.jsonString)")
        }
    }

    /// Runs one JS function by name on ordered JSON arguments and returns its result as JSON.
    static func run(_ fn: String, _ args: [AuthJSON]) throws -> AuthJSON {
        func string(_ index: Int) throws -> String { try #require(args[index].string) }
        func strings(_ index: Int) throws -> [String] { try #require(args[index].stringArray) }
        func recapJSON(_ value: AuthJSON) throws -> AuthJSON { try ReCap(json: value).json }
        switch fn {
        case "createRecap":
            return try ReCap.create(resource: string(0), ability: string(1), actions: strings(2)).json
        case "createEncodedRecap":
            return .string(try ReCap.create(resource: string(0), ability: string(1), actions: strings(2)).encoded)
        case "encodeRecap":
            return .string(try ReCap(json: args[0]).encoded)
        case "decodeRecap":
            return try ReCap(encoded: string(0)).json
        case "isValidRecap":
            try ReCap.validate(args[0])
            return .bool(true)
        case "mergeRecaps":
            return try ReCap(json: args[0]).merging(ReCap(json: args[1])).json
        case "mergeEncodedRecaps":
            return .string(try ReCap.mergeEncoded(string(0), string(1)))
        case "getMethodsFromRecap":
            return .array(try ReCap(encoded: string(0)).methods.map(AuthJSON.string))
        case "getChainsFromRecap":
            return .array(try ReCap(encoded: string(0)).chains.map(AuthJSON.string))
        case "getCommonValuesInArrays":
            return .array(OneClickAuth.commonValues(try strings(0), try strings(1)).map(AuthJSON.string))
        case "getRecapFromResources":
            return ReCap.encodedReCap(in: try strings(0)).map(AuthJSON.string) ?? .null
        case "getDecodedRecapFromResources":
            return try ReCap.decoded(from: strings(0))?.json ?? .null
        case "buildRecapStatement":
            return .string(try ReCap.buildStatement(string(0), encodedReCap: string(1)))
        case "populateAuthPayload":
            let input = args[0]
            let payload = try authDecode(AuthPayload.self, from: #require(input["authPayload"]))
            let result = try OneClickAuth.populateAuthPayload(
                authPayload: payload, chains: #require(input["chains"]?.stringArray),
                methods: #require(input["methods"]?.stringArray))
            return try authOrderedJSON(result)
        default:
            Issue.record("unknown fn \(fn)")
            return .null
        }
    }

    @Test(
        .enabled(if: SharedVectors.isAvailable, SharedVectors.skipNote),
        arguments: AuthVector.load("auth-recaps.json", group: "statement_divergence"))
    func statementFollowsJS(vector: AuthVector) throws {
        let json = try vector.ordered()
        let recap = try ReCap(encoded: #require(json["recap_urn"]?.string))
        let js = try #require(json["js_2_23_9"]?.string)
        #expect(recap.statement == js)
        if let swift = json["expected_reown_swift"]?.string ?? json["reown_swift_algorithm"]?.string {
            #expect(recap.statement != swift)
        }
        if let text = json["recap_json"]?.string {
            #expect(recap.json == (try AuthJSON(parsing: text)))
        }
    }

    @Test func decodeAcceptsBase64URLAlphabetAndPadding() throws {
        // This resource name makes the standard base64 contain both "+" and "/" and need "==".
        let recap = try ReCap.create(resource: "https://x.example/?q=>>>???", ability: "a", actions: ["b"])
        let standard = recap.encoded
        let body = standard.dropFirst(ReCap.prefix.count)
        #expect(body.contains("+") && body.contains("/"))
        #expect(!body.hasSuffix("="))
        let url = ReCap.prefix
            + body.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        #expect(try ReCap(encoded: url) == recap)
        let padded = standard + "=="
        #expect(try ReCap(encoded: padded) == recap)
    }

    @Test func malformedResourcesThrow() {
        for bad in ["urn:recap:!!!!", "https://example.com", "urn:recap:" + Data("[1]".utf8).base64EncodedString()] {
            #expect(throws: AuthError.self) { try ReCap(encoded: bad) }
        }
    }

    /// Expected orders produced by `[...a].sort((x, y) => x.localeCompare(y))` under Node (ICU 78.2, en-US).
    @Test(arguments: [
        (["b", "A", "a", "B"], ["a", "A", "b", "B"]),
        (["eth_sign", "eth1", "ethA", "eth-x"], ["eth_sign", "eth-x", "eth1", "ethA"]),
        (["request/personal_sign", "push/x"], ["push/x", "request/personal_sign"]),
        (
            ["a_b", "a-b", "a.b", "a/b", "a1", "aB", "ab", "a b", "a~b", "a$b", "a+b", "a@b", "a#b", "a:b"],
            ["a b", "a_b", "a-b", "a:b", "a.b", "a@b", "a/b", "a#b", "a+b", "a~b", "a$b", "a1", "ab", "aB"]
        ),
        (["Eth", "eth", "ETH", "eTh"], ["eth", "eTh", "Eth", "ETH"]),
        (["x10", "x9", "x_1", "X1"], ["x_1", "X1", "x10", "x9"]),
    ])
    func collationMatchesLocaleCompare(input: [String], expected: [String]) {
        #expect(JSCollationProbe.sorted(input) == expected)
    }
}

/// Observes the collation through the public API: `createRecap` sorts actions with it.
enum JSCollationProbe {
    static func sorted(_ values: [String]) -> [String] {
        guard let recap = try? ReCap.create(resource: "r", ability: "a", actions: values) else { return [] }
        return recap.attenuations.first?.abilities.map { String($0.key.dropFirst(2)) } ?? []
    }
}
