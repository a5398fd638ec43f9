/// A received `wc_sessionRequest` awaiting the wallet's response (§4.4).
public struct PendingRequest: Codable, Sendable, Hashable, Identifiable {
    /// JSON-RPC id of the request.
    public var id: Int64
    /// Session topic it arrived on.
    public var topic: String
    /// The request params.
    public var params: SessionRequestParams
    /// Verify result, if resolved.
    public var verifyContext: VerifyContext?
    /// Transport it arrived through.
    public var transportType: TransportType?

    /// Creates a pending request.
    public init(
        id: Int64, topic: String, params: SessionRequestParams, verifyContext: VerifyContext? = nil,
        transportType: TransportType? = nil
    ) {
        self.id = id
        self.topic = topic
        self.params = params
        self.verifyContext = verifyContext
        self.transportType = transportType
    }

    /// Absolute expiry: `params.request.expiryTimestamp`, else `receivedAt + 900`.
    public func expiryTimestamp(receivedAt: Int64) -> Int64 {
        params.request.expiryTimestamp ?? receivedAt + SignLifetimes.sessionRequest
    }
}
