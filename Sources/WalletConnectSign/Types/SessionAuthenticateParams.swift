import WalletConnectCore

/// Params of `wc_sessionAuthenticate` (dapp → wallet, pairing topic).
///
/// `authPayload` is the CAIP-122 payload (`PayloadParams`, §4.5), kept as JSON for the auth layer.
public struct SessionAuthenticateParams: Codable, Sendable, Hashable {
    /// The dapp: its X25519 public key and metadata.
    public var requester: Participant
    /// The CAIP-122 auth payload.
    public var authPayload: JSONValue
    /// Request expiry (Unix seconds).
    public var expiryTimestamp: Int64?

    /// Creates authenticate params.
    public init(requester: Participant, authPayload: JSONValue, expiryTimestamp: Int64? = nil) {
        self.requester = requester
        self.authPayload = authPayload
        self.expiryTimestamp = expiryTimestamp
    }
}

/// Success result of `wc_sessionAuthenticate`: `{cacaos, responder}` (sent in a type-1 envelope).
package struct SessionAuthenticateResponse: Codable, Sendable, Hashable {
    /// Signed CACAOs (kept as JSON for the auth layer).
    package var cacaos: [JSONValue]
    /// The wallet: its fresh X25519 public key and metadata.
    package var responder: Participant

    /// Creates an authenticate response.
    package init(cacaos: [JSONValue], responder: Participant) {
        self.cacaos = cacaos
        self.responder = responder
    }
}
