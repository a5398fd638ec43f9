/// The claims of a relay-auth JWT (spec §4.2). The JSON key order on the wire is `iss, sub, aud, iat, exp`.
package struct RelayAuthClaims: Codable, Sendable, Hashable {
    /// The client id (`did:key:z6Mk…`).
    package var iss: String
    /// A random nonce.
    package var sub: String
    /// The relay URL without query.
    package var aud: String
    /// Issued at, Unix seconds.
    package var iat: Int64
    /// Expiry, Unix seconds.
    package var exp: Int64

    /// Creates claims.
    package init(iss: String, sub: String, aud: String, iat: Int64, exp: Int64) {
        self.iss = iss
        self.sub = sub
        self.aud = aud
        self.iat = iat
        self.exp = exp
    }

    /// Compact JSON in the order `iss, sub, aud, iat, exp`, `/` unescaped (reproduces the JS bytes).
    package var jsonText: String {
        "{\"iss\":\(JSONText.quoted(iss)),\"sub\":\(JSONText.quoted(sub)),\"aud\":\(JSONText.quoted(aud)),"
            + "\"iat\":\(iat),\"exp\":\(exp)}"
    }
}
