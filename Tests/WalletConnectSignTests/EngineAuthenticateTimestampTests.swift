import Foundation
import Testing
@testable import WalletConnectSign

/// The `iat` of an authenticate request: JS `Date.prototype.toISOString()` of the injected wall time.
@Suite("Sign engine: one-click auth iat timestamps")
struct EngineAuthenticateTimestampTests {
    @Test(
        "formats Unix milliseconds like toISOString()",
        arguments: [
            (Int64(0), "1970-01-01T00:00:00.000Z"),
            (1_735_689_600_123, "2025-01-01T00:00:00.123Z"),
            (951_782_400_000, "2000-02-29T00:00:00.000Z"),
            (4_107_542_399_999, "2100-02-28T23:59:59.999Z"),
            (1_709_251_199_005, "2024-02-29T23:59:59.005Z"),
            (-1, "1969-12-31T23:59:59.999Z"),
        ])
    func knownValues(_ milliseconds: Int64, _ expected: String) {
        #expect(ISO8601Timestamp.string(milliseconds: milliseconds) == expected)
    }

    @Test("agrees with Foundation's ISO 8601 formatter over a spread of instants")
    func agreesWithFoundation() {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        // A fixed linear congruential sequence: the same instants on every run.
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<2000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let milliseconds = Int64(state >> 22) % 4_102_444_800_000
            let date = Date(timeIntervalSince1970: Double(milliseconds) / 1000)
            #expect(ISO8601Timestamp.string(milliseconds: milliseconds) == formatter.string(from: date))
        }
    }
}
