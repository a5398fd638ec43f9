import Testing
import WalletConnectSign
import WalletKit

@Suite("Verify decision helpers")
struct VerifyDecisionTests {
    @Test("web origin of a URL", arguments: [
        ("https://app.example.com/path?x=1", "https://app.example.com"),
        ("https://App.Example.COM:443/", "https://app.example.com"),
        ("http://app.example.com:80", "http://app.example.com"),
        ("https://app.example.com:8443/a", "https://app.example.com:8443"),
        ("http://localhost:3000", "http://localhost:3000"),
        ("http://[::1]:8080/x", "http://[::1]:8080"),
        ("myapp://open", "null"),
    ])
    func origin(url: String, expected: String) {
        #expect(VerifyDecision.origin(of: url) == expected)
    }

    @Test("no origin for text that is not an absolute URL", arguments: ["", "app.example.com", "https://"])
    func noOrigin(url: String) {
        #expect(VerifyDecision.origin(of: url) == nil)
    }

    @Test("lookups go to the dApp's verifyUrl only when it is trusted")
    func lookupServer() {
        #expect(VerifyDecision.lookupServer(metadataVerifyURL: "https://verify.walletconnect.com", fallback: "F")
            == "https://verify.walletconnect.com")
        #expect(VerifyDecision.lookupServer(metadataVerifyURL: "https://my-verify.example", fallback: "F") == "F")
        #expect(VerifyDecision.lookupServer(metadataVerifyURL: nil, fallback: "F") == "F")
    }

    @Test("an unparsable metadata URL keeps UNKNOWN but reports the attested origin")
    func unparsableMetadataURL() {
        let context = VerifyDecision.context(
            metadataURL: "not a url", metadataVerifyURL: nil, result: VerifyResult(origin: "https://a.example", isScam: true)
        )
        #expect(context == VerifyContext(origin: "https://a.example", validation: .unknown,
                                         verifyUrl: VerifyDecision.defaultVerifyURL, isScam: true))
    }

    @Test("link mode: a universal link on another origin is INVALID")
    func linkModeInvalid() {
        let context = VerifyDecision.linkModeContext(
            metadataURL: "https://app.example.com", metadataVerifyURL: nil, universalLink: "https://evil.example/wc"
        )
        #expect(context.verified.validation == .invalid)
        #expect(VerifyDecision.linkModeContext(metadataURL: "https://app.example.com", metadataVerifyURL: nil,
                                               universalLink: nil).verified.validation == .invalid)
    }
}
