import Foundation
import Testing
import WalletConnectCore

/// Inputs the libFuzzer targets in Tests/Fuzz crashed on, kept as unit tests (Docs/Security.md lists them).
@Suite("Fuzz regressions (core)")
struct FuzzRegressionTests {
    static let topic = "7f6e504bfad60b485450578e05678ed3e8e8c4751d3c6160be17160d63ec90f9"
    static let symKey = "587d5484ce2a2a6ee3ba1962fdd7e8588e06200c46823bd18fbd67def96ad303"

    static func uri(expiry: String) -> String {
        "wc:\(topic)@2?symKey=\(symKey)&relay-protocol=irn&expiryTimestamp=\(expiry)"
    }

    /// PairingURIParse, crash 1: `expiryTimestamp × 1000` overflowed and trapped inside `validateForPairing`.
    @Test("pair() validation with an expiry beyond Int64 milliseconds: far future, no trap")
    func hugeExpiryIsFuture() throws {
        for expiry in [Int64.max, Int64.max / 1000 + 1, 9_300_000_000_000_000] {
            let uri = try PairingURI.validateForPairing(Self.uri(expiry: String(expiry)), nowMilliseconds: 1_700_000_000_000)
            #expect(uri.expiryTimestamp == expiry)
            #expect(uri.symKey == Self.symKey)
        }
    }

    @Test("pair() validation with an expiry far below Int64 milliseconds: expired, no trap")
    func hugeNegativeExpiryIsExpired() {
        for expiry in [Int64.min, Int64.min / 1000 - 1] {
            #expect(throws: PairingURIError.self) {
                try PairingURI.validateForPairing(Self.uri(expiry: String(expiry)), nowMilliseconds: 0)
            }
        }
    }

    @Test("expiry arithmetic saturates instead of trapping")
    func saturatingExpiry() {
        #expect(Expiry.milliseconds(fromSeconds: 1_700_000_000) == 1_700_000_000_000)
        #expect(Expiry.milliseconds(fromSeconds: -2) == -2000)
        #expect(Expiry.milliseconds(fromSeconds: .max) == .max)
        #expect(Expiry.milliseconds(fromSeconds: .min) == .min)
        #expect(!Expiry.isExpired(expirySeconds: .max, nowMilliseconds: .max - 1))
        #expect(Expiry.isExpired(expirySeconds: .min, nowMilliseconds: .min))
        #expect(Expiry.isExpired(expirySeconds: 10, nowMilliseconds: 10_000))
        #expect(!Expiry.isExpired(expirySeconds: 10, nowMilliseconds: 9_999))
        #expect(!ExpirerEntry(target: "id:1", expiry: .max).isExpired(nowMilliseconds: 1_700_000_000_000))
        #expect(ExpirerEntry(target: "id:1", expiry: .min).isExpired(nowMilliseconds: 0))
    }

    /// JSONRPCDecode, finding 2: a double at or above 2^63 with an integral value (`10000000000000000000.12`)
    /// decodes as `.double(1e19)` and re-encodes as `1e+19`, which decodes as `.uint`; JS writes
    /// `10000000000000000000`. Same number, but re-serialized text (e.g. a Verify hash input) differs from JS.
    @Test("large integral doubles re-encode as JS writes them")
    func largeDoubleEncoding() throws {
        let value = try JSONDecoder().decode(JSONValue.self, from: Data("[10000000000000000000.12]".utf8))
        let text = try WireJSON.string(value)
        withKnownIssue("JSONValue encodes 1e19 as 1e+19 (JS: 10000000000000000000); report to the JSONValue owner") {
            #expect(text == "[10000000000000000000]")
        }
        let again = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        #expect(again == [.uint(10_000_000_000_000_000_000)])
    }
}
