/// Expiry arithmetic (spec conventions: expiries in Unix seconds, "now" in milliseconds).
public enum Expiry {
    /// `floor((nowMilliseconds + ttlSeconds × 1000) / 1000)`, the JS `calcExpiry`.
    public static func calc(ttlSeconds: Int64, nowMilliseconds: Int64) -> Int64 {
        let total = nowMilliseconds + ttlSeconds * 1000
        return total >= 0 ? total / 1000 : (total - 999) / 1000
    }

    /// Whether an expiry has passed: `nowMilliseconds >= expirySeconds × 1000`.
    public static func isExpired(expirySeconds: Int64, nowMilliseconds: Int64) -> Bool {
        nowMilliseconds >= expirySeconds * 1000
    }
}
