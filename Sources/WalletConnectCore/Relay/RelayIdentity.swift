/// What the relayer needs from the client's identity: the `did:key` client id and a fresh relay-auth JWT
/// per connection (spec §4). `Crypto` conforms; tests may supply their own.
package protocol RelayIdentity: Sendable {
    /// The relay client id (`did:key:z6Mk…`).
    /// - Throws: when the identity key cannot be loaded or created.
    func clientID() async throws -> String
    /// A new relay-auth JWT whose `aud` is `audience` (the relay URL without query).
    /// - Throws: when the identity key cannot be loaded or signing fails.
    func signJWT(audience: String) async throws -> String
}
