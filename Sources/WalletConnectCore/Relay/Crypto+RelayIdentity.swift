/// The crypto controller provides the relay identity: `clientID()` and a fresh `signJWT(audience:)` per connection.
extension Crypto: RelayIdentity {}
