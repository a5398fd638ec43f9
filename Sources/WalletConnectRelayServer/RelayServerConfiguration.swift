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

    /// Creates a configuration.
    public init(
        host: String = "127.0.0.1", port: Int = 0, tls: TLSFiles? = nil, strictAuth: Bool = false,
        jwtLeeway: Int64 = 120, maxMessageBytes: Int = 1 << 20, permessageDeflate: Bool = true,
        maxQueuedFramesPerConnection: Int = 65_536, closeTimeout: Duration = .seconds(2)
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

    /// Creates limits; the defaults follow core.md (10 s … 30 days).
    public init(
        minTTL: Int64 = IRN.minTTL, maxTTL: Int64 = IRN.maxTTL, maxMessagesPerTopic: Int = 10_000,
        maxMessages: Int = 200_000, fetchPageSize: Int = 500
    ) {
        self.minTTL = minTTL
        self.maxTTL = maxTTL
        self.maxMessagesPerTopic = maxMessagesPerTopic
        self.maxMessages = maxMessages
        self.fetchPageSize = fetchPageSize
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

    /// Creates zeroed counters.
    public init() {}
}
