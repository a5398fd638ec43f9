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
    /// decodes as `.double(1e19)` and re-encoded as `1e+19`, where JS writes `10000000000000000000`. Fixed:
    /// doubles are written as JS writes them (`JSNumberText`).
    @Test("large integral doubles re-encode as JS writes them")
    func largeDoubleEncoding() throws {
        let value = try JSONDecoder().decode(JSONValue.self, from: Data("[10000000000000000000.12]".utf8))
        let text = try WireJSON.string(value)
        #expect(text == "[10000000000000000000]")
        let again = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        #expect(again == [.uint(10_000_000_000_000_000_000)])
    }

    /// Number layout as JavaScript's `String(x)` writes it (ECMA-262 Number::toString), known outputs of node.
    @Test(
        "doubles are written as JavaScript writes them",
        arguments: [
            (1e19, "10000000000000000000"), (1e20, "100000000000000000000"), (1e21, "1e+21"),
            (9_223_372_036_854_775_808, "9223372036854776000"), (1.2345678901234568e20, "123456789012345680000"),
            (0.1, "0.1"), (1.5, "1.5"), (123.456, "123.456"), (100, "100"), (-0.0, "0"), (0.000001, "0.000001"),
            (1e-7, "1e-7"), (-2.5e-8, "-2.5e-8"), (1.7976931348623157e308, "1.7976931348623157e+308"),
            (Double.leastNonzeroMagnitude, "5e-324"), (-1e19, "-10000000000000000000"), (1.2345e25, "1.2345e+25"),
        ] as [(Double, String)])
    func javaScriptNumberText(value: Double, expected: String) {
        #expect(JSNumberText.format(value) == expected)
    }

    @Test("non-finite doubles are null, and wire JSON uses the JS layout beyond UInt64")
    func wireDoubles() throws {
        #expect(JSNumberText.format(.nan) == "null")
        #expect(JSNumberText.format(-.infinity) == "null")
        #expect(try WireJSON.string(JSONValue.array([.double(1e20), .double(-1e19), .double(0.5)]))
            == "[100000000000000000000,-10000000000000000000,0.5]")
    }
}
