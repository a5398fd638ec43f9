/// Expiry arithmetic (spec conventions: expiries in Unix seconds, "now" in milliseconds).
package enum Expiry {
    /// `floor((nowMilliseconds + ttlSeconds × 1000) / 1000)`, the JS `calcExpiry`; the product and the sum
    /// saturate to the `Int64` range instead of trapping.
    package static func calc(ttlSeconds: Int64, nowMilliseconds: Int64) -> Int64 {
        let total = saturatingSum(nowMilliseconds, milliseconds(fromSeconds: ttlSeconds))
        let quotient = total / 1000
        return total % 1000 < 0 ? quotient - 1 : quotient
    }

    /// `a + b`, saturated to the `Int64` range. Use it for every sum with a number a peer, a token or a URI chose
    /// (an expiry plus a leeway, a time plus a ttl): `+` traps on overflow.
    package static func saturatingSum(_ a: Int64, _ b: Int64) -> Int64 {
        let (sum, overflow) = a.addingReportingOverflow(b)
        guard overflow else { return sum }
        return b < 0 ? .min : .max
    }

    /// Whether an expiry has passed: `nowMilliseconds >= expirySeconds × 1000` (the product saturates, so a
    /// hostile expiry such as `Int64.max` counts as never expiring instead of trapping).
    package static func isExpired(expirySeconds: Int64, nowMilliseconds: Int64) -> Bool {
        nowMilliseconds >= milliseconds(fromSeconds: expirySeconds)
    }

    /// `seconds × 1000`, saturated to the `Int64` range. Use it for every expiry that came from a peer or a URI:
    /// a plain `expiry * 1000` traps on overflow (found by fuzzing the pairing URI parser).
    package static func milliseconds(fromSeconds seconds: Int64) -> Int64 {
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        guard overflow else { return product }
        return seconds < 0 ? .min : .max
    }
}
