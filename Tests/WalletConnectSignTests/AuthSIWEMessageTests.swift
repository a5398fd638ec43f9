import Foundation
import Testing
import WalletConnectSign
import WalletKitTesting

/// `auth-siwe-messages.json`: every case formats byte-exactly to the JS 2.23.9 string, except the
/// line-break case, which follows the 2.23.10 rule (sign.md §9.3, §15.2) and must throw.
@Suite("SIWE / CAIP-122 message formatting (auth-siwe-messages.json)")
struct AuthSIWEMessageTests {
    @Test(
        .enabled(if: SharedVectors.isAvailable, SharedVectors.skipNote),
        arguments: AuthVector.load("auth-siwe-messages.json", group: "cases")
            + AuthVector.load("auth-siwe-messages.json", group: "computed_cases"))
    func formatsLikeJS(vector: AuthVector) throws {
        let json = try vector.ordered()
        let request = try authDecode(AuthPayload.self, from: #require(json["request"]))
        let iss = try #require(json["iss"]?.string)
        // JS is what dapps verify against, so its output is the expectation wherever it is given.
        let expected = try #require(json["js_2_23_9"] ?? json["expected"])

        if let message = expected["throws"]?.string {
            let error = #expect(throws: AuthError.self) { try SIWEMessage.format(request: request, iss: iss) }
            #expect(error?.message == message)
            return
        }
        let expectedText = try #require(expected.string)

        if request.statement.map({ $0.contains("\n") || $0.contains("\r") }) == true {
            // 2.23.9 would sign `expectedText` (a statement that forges a `URI:` line); 2.23.10 rejects it.
            #expect(expectedText.contains("\nURI: https://evil.example\n"))
            let error = #expect(throws: AuthError.self) { try SIWEMessage.format(request: request, iss: iss) }
            #expect(error?.kind == .statementContainsLineBreak)
            #expect(error?.message == "Statement must not contain line breaks (`\\r` or `\\n`)")
            return
        }

        let message = try SIWEMessage.format(request: request, iss: iss)
        #expect(message == expectedText)
        #expect(try OneClickAuth.formatAuthMessage(request: request, iss: iss) == expectedText)
        for fragment in json["must_include"]?.stringArray ?? [] {
            #expect(message.contains(fragment), "must include \(fragment)")
        }
        for fragment in json["must_not_include"]?.stringArray ?? [] {
            #expect(!message.contains(fragment), "must not include \(fragment)")
        }
        if json["js_matches_swift"] == .bool(false), let swift = json["expected_reown_swift"]?.string {
            // Documented divergence: we follow JS, not reown-swift.
            #expect(message != swift)
        }
    }

    @Test func headerNamesFollowJS() {
        #expect(SIWEMessage.chainName("eip155") == "Ethereum")
        #expect(SIWEMessage.chainName("solana") == "Solana")
        #expect(SIWEMessage.chainName("bip122") == "Bitcoin")
        #expect(SIWEMessage.chainName("cosmos") == "cosmos")
    }

    static let base = AuthPayload(
        chains: ["eip155:1"], aud: "https://example.com", domain: "example.com", nonce: "n",
        iat: "2024-01-01T00:00:00Z")
    static let iss = "did:pkh:eip155:1:0xab16a96D359eC26a11e2C2b3d8f8B8942d5Bfcdb"

    @Test(arguments: ["a\rb", "a\r\nb", "\n", "trailing\n"])
    func statementLineBreaksAreRejected(statement: String) {
        var request = Self.base
        request.statement = statement
        let error = #expect(throws: AuthError.self) { try SIWEMessage.format(request: request, iss: Self.iss) }
        #expect(error?.kind == .statementContainsLineBreak)
    }

    /// Hardening beyond JS: no other field may smuggle in a line either.
    @Test(arguments: ["domain", "aud", "nonce", "iat", "exp", "nbf", "requestId", "resources", "version"])
    func otherFieldLineBreaksAreRejected(field: String) {
        var request = Self.base
        let evil = "x\nURI: https://evil.example"
        switch field {
        case "domain": request.domain = evil
        case "aud": request.aud = evil
        case "nonce": request.nonce = evil
        case "iat": request.iat = evil
        case "exp": request.exp = evil
        case "nbf": request.nbf = evil
        case "requestId": request.requestID = evil
        case "resources": request.resources = ["https://ok.example", evil]
        default: request.version = evil
        }
        let error = #expect(throws: AuthError.self) { try SIWEMessage.format(request: request, iss: Self.iss) }
        #expect(error?.kind == .fieldContainsLineBreak)
    }

    @Test(arguments: ["did:pkh:eip155:1", "eip155:1", "did:pkh:eip155::0xab", "did:key:eip155:1:0xab", "did:key:z6Mk", "", "a:b:c:d"])
    func malformedIssuersAreRejected(iss: String) {
        let error = #expect(throws: AuthError.self) { try SIWEMessage.format(request: Self.base, iss: iss) }
        #expect(error?.kind == .invalidIssuer)
    }

    @Test func audWinsOverUri() throws {
        var request = Self.base
        request.uri = "https://other.example"
        #expect(try SIWEMessage.format(request: request, iss: Self.iss).contains("\nURI: https://example.com\n"))
        request.aud = nil
        #expect(try SIWEMessage.format(request: request, iss: Self.iss).contains("\nURI: https://other.example\n"))
    }
}
