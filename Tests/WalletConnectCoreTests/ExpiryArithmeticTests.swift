import Testing
import WalletConnectCore

/// Expiry arithmetic saturates instead of trapping on values near the `Int64` limits.
@Suite("Expiry arithmetic at the Int64 limits", .timeLimit(.minutes(1)))
struct ExpiryArithmeticTests {
    @Test("calc with a huge or hugely negative ttl saturates (floor of the saturated milliseconds)")
    func calcSaturates() {
        #expect(Expiry.calc(ttlSeconds: .max, nowMilliseconds: 1_700_000_000_000) == Int64.max / 1000)
        #expect(Expiry.calc(ttlSeconds: .min, nowMilliseconds: 0) == Int64.min / 1000 - 1)
        #expect(Expiry.calc(ttlSeconds: 300, nowMilliseconds: .max) == Int64.max / 1000)
        #expect(Expiry.calc(ttlSeconds: 300, nowMilliseconds: 1_700_000_000_500) == 1_700_000_300)
        #expect(Expiry.calc(ttlSeconds: -1, nowMilliseconds: 500) == -1)
    }
}
