/// How a composite relay call is made: one `wc_proposeSession` / `wc_approveSession` frame, or the classic
/// `irn_subscribe` + `irn_publish` sequence.
public enum SignRelayCallStyle: Sendable, Hashable {
    /// One composite relay call (JS ≥ 2.21, reown-swift). Default.
    case composite
    /// Classic `irn_publish` (+ `irn_subscribe`) calls; interoperates with every relay.
    case publish
}

/// Configuration of a `SignEngine`.
public struct SignEngineOptions: Sendable, Hashable {
    /// How incoming session requests are serialised before they are announced (default: per session).
    public var requestQueue: SessionRequestQueueMode
    /// Pause between answering a request and announcing the next one of the same queue. Default: none (the queue
    /// still hands requests out one at a time per session, in order). The JS SDK pauses 1 s so a phone UI can
    /// keep up; a UI app that wants that sets ``jsRequestPacing``. A server wallet should keep the default: with
    /// a pause, a session answers at most one request per pause.
    public var requestQueueReleaseDelay: Duration

    /// The JS SDK's pacing of the request queue (1 s between answering one request and announcing the next).
    public static let jsRequestPacing: Duration = .seconds(1)
    /// How the wallet approves a proposal (default: `wc_approveSession`).
    public var approveStyle: SignRelayCallStyle
    /// How the dapp sends a proposal (default: `wc_proposeSession`).
    public var proposeStyle: SignRelayCallStyle
    /// Custom storage prefix of the Sign stores.
    public var storagePrefix: String
    /// Whether an expired incoming request is answered with error 8000 (`sessionRequestExpired`).
    public var answersExpiredRequests: Bool
    /// How long update / extend / ping wait for the peer's acknowledgement (spec: 300 s).
    public var acknowledgementTimeout: Duration
    /// The largest relay message (the encoded envelope, in UTF-8 bytes) the engine decrypts; larger ones are
    /// dropped unread, before any decryption or parsing, and never stored or announced (default 1 MiB, the frame
    /// limit of the project's relay). A relay that delivers bigger frames cannot make the engine hold them.
    public var maxInboundMessageBytes: Int

    /// Creates options; every parameter has the spec's default.
    public init(
        requestQueue: SessionRequestQueueMode = .perSession, requestQueueReleaseDelay: Duration = .zero,
        approveStyle: SignRelayCallStyle = .composite, proposeStyle: SignRelayCallStyle = .composite,
        storagePrefix: String = "", answersExpiredRequests: Bool = true,
        acknowledgementTimeout: Duration = .seconds(300),  // SignLifetimes.acknowledgementTimeout (package)
        maxInboundMessageBytes: Int = 1 << 20
    ) {
        self.requestQueue = requestQueue
        self.requestQueueReleaseDelay = requestQueueReleaseDelay
        self.approveStyle = approveStyle
        self.proposeStyle = proposeStyle
        self.storagePrefix = storagePrefix
        self.answersExpiredRequests = answersExpiredRequests
        self.acknowledgementTimeout = acknowledgementTimeout
        self.maxInboundMessageBytes = maxInboundMessageBytes
    }
}
