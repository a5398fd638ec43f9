import Foundation
import WalletConnectCore

/// How a ``RelayServer`` listens and which limits it applies.
public struct RelayServerConfiguration: Sendable {
    /// PEM certificate chain and private key files for `wss://`.
    public struct TLSFiles: Sendable, Hashable {
        /// Path of the PEM certificate chain.
        public var certificatePath: String
        /// Path of the PEM private key.
        public var privateKeyPath: String

        /// Creates a TLS file pair.
        public init(certificatePath: String, privateKeyPath: String) {
            self.certificatePath = certificatePath
            self.privateKeyPath = privateKeyPath
        }
    }

    /// Address to bind (loopback by default).
    public var host: String
    /// Port to bind; `0` picks a free port (read it from ``RelayServer/start()``).
    public var port: Int
    /// Serve `wss://` with these files; `nil` serves plain `ws://`.
    public var tls: TLSFiles?
    /// Verify the relay-auth JWT (EdDSA over the `did:key`, `exp`); failures get HTTP 401 and no upgrade.
    public var strictAuth: Bool
    /// Clock leeway in seconds for JWT `iat`/`exp` checks.
    public var jwtLeeway: Int64
    /// Largest WebSocket frame / message accepted, in bytes.
    public var maxMessageBytes: Int
    /// Whether to accept `permessage-deflate` when a client offers it.
    public var permessageDeflate: Bool
    /// Outbound frames queued per connection. Deliveries awaiting their ack are limited to half of it (what does
    /// not fit stays owed and follows as acks arrive); a connection whose queue still overflows is closed with
    /// 1013 after the queued frames.
    public var maxQueuedFramesPerConnection: Int
    /// Seconds to wait for a client's close frame.
    public var closeTimeout: Duration
    /// Most connections open at once (TCP connections, upgraded or not). The relay lowers it to what its open-file
    /// limit allows (see ``RelayServer/connectionLimit``), so it never runs out of file descriptors. A connection
    /// beyond it gets `HTTP/1.1 503 Service Unavailable` (plain `ws://`; a TLS one is closed) and is closed at once.
    public var maxConnections: Int
    /// Most WebSocket connections open at once for one client id (the relay-auth JWT's `iss`). One more is closed
    /// right after the upgrade with 1013 (try again later).
    public var maxConnectionsPerClient: Int
    /// Time from accepting a connection until its complete request head (TLS handshake included) has arrived;
    /// a connection still sending its head then gets `HTTP/1.1 408 Request Timeout` and is closed. It also bounds
    /// how long a plain HTTP keep-alive connection may stay idle.
    public var headerTimeout: Duration
    /// Largest request head (request line and headers) in bytes; a bigger one gets
    /// `HTTP/1.1 431 Request Header Fields Too Large` and the connection is closed.
    public var maxRequestHeadBytes: Int
    /// A WebSocket connection that holds no subscription and has sent no message for this long (checked once per
    /// period, so it ends between one and two periods of silence) is closed with 1001 (going away).
    public var idleTimeout: Duration
    /// How often the relay pings each WebSocket; a client that has not answered the previous ping by the next
    /// one is closed with 1001.
    public var pingInterval: Duration
    /// Most topics one connection may subscribe to; a subscribe beyond gets the `SubscriberLimitExceeded` error
    /// (a batch that would go beyond is refused whole).
    public var maxSubscriptionsPerConnection: Int
    /// `irn_subscription` deliveries that may await their acknowledgement on one connection (at most half of
    /// ``maxQueuedFramesPerConnection``); what does not fit stays owed and follows as acks arrive. Kept below a
    /// client's read-ahead (the SDK's relayer reads up to 4,096 messages ahead), so unacknowledged deliveries never
    /// fill the socket in front of the answers to the client's own requests.
    public var maxInFlightDeliveriesPerConnection: Int
    /// Bytes of `irn_subscription` deliveries that may await their acknowledgement on one connection; what does not
    /// fit stays owed and follows as acks arrive (at least one delivery is always in flight).
    public var maxInFlightBytesPerConnection: Int
    /// Bytes of frames queued for one connection's writer (answers and deliveries not yet written to the socket).
    /// A client that sends requests faster than it reads the answers past this bound is closed with 1013 after
    /// the queued frames, as with ``maxQueuedFramesPerConnection``.
    public var maxQueuedBytesPerConnection: Int

    /// Creates a configuration.
    public init(
        host: String = "127.0.0.1", port: Int = 0, tls: TLSFiles? = nil, strictAuth: Bool = false,
        jwtLeeway: Int64 = 120, maxMessageBytes: Int = 1 << 20, permessageDeflate: Bool = true,
        maxQueuedFramesPerConnection: Int = 65_536, closeTimeout: Duration = .seconds(2),
        maxConnections: Int = 10_000, maxConnectionsPerClient: Int = 100, headerTimeout: Duration = .seconds(10),
        maxRequestHeadBytes: Int = 16_384, idleTimeout: Duration = .seconds(300), pingInterval: Duration = .seconds(30),
        maxSubscriptionsPerConnection: Int = 50_000, maxInFlightDeliveriesPerConnection: Int = 1_024,
        maxInFlightBytesPerConnection: Int = 8 << 20,
        maxQueuedBytesPerConnection: Int = 64 << 20
    ) {
        self.host = host
        self.port = port
        self.tls = tls
        self.strictAuth = strictAuth
        self.jwtLeeway = jwtLeeway
        self.maxMessageBytes = maxMessageBytes
        self.permessageDeflate = permessageDeflate
        self.maxQueuedFramesPerConnection = maxQueuedFramesPerConnection
        self.closeTimeout = closeTimeout
        self.maxConnections = maxConnections
        self.maxConnectionsPerClient = maxConnectionsPerClient
        self.headerTimeout = headerTimeout
        self.maxRequestHeadBytes = maxRequestHeadBytes
        self.idleTimeout = idleTimeout
        self.pingInterval = pingInterval
        self.maxSubscriptionsPerConnection = maxSubscriptionsPerConnection
        self.maxInFlightDeliveriesPerConnection = maxInFlightDeliveriesPerConnection
        self.maxInFlightBytesPerConnection = maxInFlightBytesPerConnection
        self.maxQueuedBytesPerConnection = maxQueuedBytesPerConnection
    }
}

/// Limits of the relay's message store (``RelayServerState``).
public struct RelayStoreLimits: Sendable, Hashable {
    /// Smallest accepted publish ttl in seconds.
    public var minTTL: Int64
    /// Largest accepted publish ttl in seconds.
    public var maxTTL: Int64
    /// Most messages kept per topic (`MailboxLimitExceeded` beyond).
    public var maxMessagesPerTopic: Int
    /// Most messages kept overall (`MailboxLimitExceeded` beyond).
    public var maxMessages: Int
    /// Messages returned per `irn_fetchMessages` page.
    public var fetchPageSize: Int
    /// Bytes of messages kept per topic (`MailboxLimitExceeded` beyond).
    public var maxBytesPerTopic: Int
    /// Bytes of messages kept overall (`MailboxLimitExceeded` beyond).
    public var maxBytes: Int
    /// Bytes of messages returned per `irn_fetchMessages` page (a page always holds at least one message; the
    /// rest follows with `hasMore`).
    public var fetchPageBytes: Int

    /// Creates limits; the defaults follow core.md (10 s … 30 days).
    public init(
        minTTL: Int64 = 10, maxTTL: Int64 = 2_592_000, maxMessagesPerTopic: Int = 10_000,  // IRN.minTTL, IRN.maxTTL
        maxMessages: Int = 200_000, fetchPageSize: Int = 500, maxBytesPerTopic: Int = 64 << 20,
        maxBytes: Int = 512 << 20, fetchPageBytes: Int = 4 << 20
    ) {
        self.minTTL = minTTL
        self.maxTTL = maxTTL
        self.maxMessagesPerTopic = maxMessagesPerTopic
        self.maxMessages = maxMessages
        self.fetchPageSize = fetchPageSize
        self.maxBytesPerTopic = maxBytesPerTopic
        self.maxBytes = maxBytes
        self.fetchPageBytes = fetchPageBytes
    }
}

/// Counters of a relay, printed by `walletkit relay` on exit.
public struct RelayServerCounters: Sendable, Hashable, Codable {
    /// Open WebSocket connections now.
    public var connections: Int = 0
    /// WebSocket connections accepted since the state was created.
    public var totalConnections: Int = 0
    /// Connections that negotiated permessage-deflate.
    public var compressedConnections: Int = 0
    /// Upgrade requests refused by strict auth.
    public var rejectedAuth: Int = 0
    /// Messages accepted by `irn_publish` and the composite calls.
    public var published: Int = 0
    /// `irn_subscription` frames sent.
    public var delivered: Int = 0
    /// Deliveries acknowledged by clients.
    public var acked: Int = 0
    /// Messages returned by `irn_fetchMessages` / `irn_batchFetchMessages`.
    public var fetched: Int = 0
    /// Messages held in the mailbox now (within ttl).
    public var mailboxSize: Int = 0
    /// Active (connection, topic) subscriptions now.
    public var subscriptions: Int = 0
    /// `irn_subscribe` calls received.
    public var subscribeCalls: Int = 0
    /// `irn_batchSubscribe` (and blocking variant) calls received.
    public var batchSubscribeCalls: Int = 0
    /// Topics named by `irn_subscribe` and `irn_batchSubscribe` calls (repeats counted).
    public var subscribeRequestedTopics: Int = 0
    /// JSON-RPC error responses sent.
    public var errors: Int = 0
    /// Outbound frames dropped because a connection's queue was full.
    public var dropped: Int = 0
    /// Bytes of messages held in the mailbox now (within ttl).
    public var mailboxBytes: Int = 0
    /// Connections refused because the relay was at ``RelayServerConfiguration/maxConnections`` (HTTP 503) or the
    /// client id at ``RelayServerConfiguration/maxConnectionsPerClient`` (close 1013).
    public var refusedConnections: Int = 0
    /// Connections closed for a slow or oversize request head (HTTP 408 / 431) or for idleness (1001).
    public var timedOutConnections: Int = 0

    /// Creates zeroed counters.
    public init() {}
}
