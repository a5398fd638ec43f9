/// Expiry arithmetic (spec conventions: expiries in Unix seconds, "now" in milliseconds).
public enum Expiry {
    /// `floor((nowMilliseconds + ttlSeconds × 1000) / 1000)`, the JS `calcExpiry`.
    public static func calc(ttlSeconds: Int64, nowMilliseconds: Int64) -> Int64 {
        let total = nowMilliseconds + ttlSeconds * 1000
        return total >= 0 ? total / 1000 : (total - 999) / 1000
    }

    /// Whether an expiry has passed: `nowMilliseconds >= expirySeconds × 1000` (the product saturates, so a
    /// hostile expiry such as `Int64.max` counts as never expiring instead of trapping).
    public static func isExpired(expirySeconds: Int64, nowMilliseconds: Int64) -> Bool {
        nowMilliseconds >= milliseconds(fromSeconds: expirySeconds)
    }

    /// `seconds × 1000`, saturated to the `Int64` range. Use it for every expiry that came from a peer or a URI:
    /// a plain `expiry * 1000` traps on overflow (found by fuzzing the pairing URI parser).
    public static func milliseconds(fromSeconds seconds: Int64) -> Int64 {
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        guard overflow else { return product }
        return seconds < 0 ? .min : .max
    }
}
