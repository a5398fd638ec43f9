import WalletConnectCore

/// A received `wc_sessionAuthenticate` awaiting the wallet's answer (sign.md §4.5 "pending auth request").
///
/// Announced as ``SignEvent/sessionAuthenticate(_:)``; answer with
/// ``SignClient/approveSessionAuthenticate(requestID:auths:rpcCaller:)`` or
/// ``SignClient/rejectSessionAuthenticate(requestID:reason:)``.
public struct PendingAuthRequest: Codable, Sendable, Hashable, Identifiable {
    /// JSON-RPC id of the request.
    public var id: Int64
    /// Pairing topic it arrived on.
    public var pairingTopic: String
    /// The dapp: its X25519 public key (the response goes to `sha256(publicKey)`) and metadata.
    public var requester: Participant
    /// The CAIP-122 payload to sign (narrow it with `OneClickAuth.populateAuthPayload(authPayload:chains:methods:)`).
    public var authPayload: AuthPayload
    /// Absolute expiry (Unix seconds).
    public var expiryTimestamp: Int64
    /// Verify result for the requester.
    public var verifyContext: VerifyContext?
    /// Transport it arrived through.
    public var transportType: TransportType?

    /// Creates a pending auth request.
    public init(
        id: Int64, pairingTopic: String, requester: Participant, authPayload: AuthPayload, expiryTimestamp: Int64,
        verifyContext: VerifyContext? = nil, transportType: TransportType? = .relay
    ) {
        self.id = id
        self.pairingTopic = pairingTopic
        self.requester = requester
        self.authPayload = authPayload
        self.expiryTimestamp = expiryTimestamp
        self.verifyContext = verifyContext
        self.transportType = transportType
    }

    /// The topic the request arrived on (the pairing topic).
    public var topic: String { pairingTopic }

    /// Whether the request has expired at `nowMilliseconds` (`now_ms >= expiryTimestamp * 1000`).
    public func isExpired(nowMilliseconds: Int64) -> Bool {
        nowMilliseconds >= Expiry.milliseconds(fromSeconds: expiryTimestamp)
    }
}
