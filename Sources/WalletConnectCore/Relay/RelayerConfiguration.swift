import Foundation
import NIOSSL

/// Settings of a `Relayer`.
public struct RelayerConfiguration: Sendable {
    /// The full relay URL: scheme (`ws`/`wss`), host, optional port and path, e.g. `wss://relay.walletconnect.org`
    /// or `ws://127.0.0.1:8080/relay`. Auth, project id and user agent are added as query parameters.
    public var relayURL: String
    /// The cloud project id (`projectId` query parameter); the production relay requires it.
    public var projectID: String?
    /// The user agent (`ua` query parameter), e.g. `wc-2/swift-0.1.0/linux-6.1`.
    public var userAgent: String?
    /// Further query parameters (e.g. `bundleId`, `packageName`).
    public var additionalQueryItems: [String: String]
    /// Extra HTTP headers for the upgrade request (e.g. `Origin`).
    public var additionalHeaders: [String: String]
    /// TLS for `wss://`. `nil`: the system trust store, or the PEM bundle named by `SSL_CERT_FILE` when set.
    public var tlsConfiguration: TLSConfiguration?
    /// Offer permessage-deflate to the relay.
    public var enableDeflate: Bool
    /// Largest WebSocket frame / message accepted or sent, in bytes.
    public var maxFrameSize: Int
    /// Overall deadline of one relay call (publish, subscribe, …), resends after reconnects included.
    public var requestTimeout: Duration
    /// Reconnect delays.
    public var backoff: Backoff
    /// Silence after which a ping is sent; a second silent interval drops the socket and reconnects.
    public var keepAliveInterval: Duration
    /// On `Relayer.shutdown()`, how long to wait for the relay to answer the close handshake.
    public var closeTimeout: Duration
    /// How long the relay may take to answer the WebSocket upgrade once the connection is up; then the socket is
    /// closed and the relayer reconnects with backoff (a relay that accepts and never answers cannot hold it).
    public var upgradeTimeout: Duration
    /// After each (re)connect, fetch held messages with `irn_batchFetchMessages` once resubscribed.
    public var fetchMessagesOnConnect: Bool
    /// Custom storage prefix (keys `wc@2:core:0.3:<prefix>//…`).
    public var storagePrefix: String
    /// Per-subscriber buffer of `Relayer.messages()` streams. `nil` (the default) is unbounded: every recorded
    /// message reaches every subscriber however far behind it is. With a bound, a message that does not fit is
    /// dropped for that subscriber; it stays recorded as unhandled and comes back only with
    /// `Relayer.replayUnhandled()` (at the next start).
    public var messageBufferSize: Int?
    /// The most inbound messages handed to `Relayer.messages()` and not yet finished by the consumer
    /// (`Relayer.markHandled(_:)`, `Relayer.release(_:)` or `Relayer.discard(_:)`). Default 64. While that
    /// many are out, the relayer records, acknowledges and hands on no further message: they wait in the
    /// read-ahead, unacknowledged (a relay that windows its deliveries by acknowledgement, as the project's does,
    /// then sends no more). Also the most messages recorded as unhandled on disk at once.
    public var maxInboundBacklog: Int
    /// The most inbound messages read from the socket (or fetched) and not yet taken (not recorded, not
    /// acknowledged). Default 4,096. When it is reached the relayer stops reading the socket until the consumer
    /// catches up (TCP flow control pushes back on the relay). Waiting messages are taken one topic at a time in
    /// turn, so a flood on one topic does not hold back a message on another.
    public var maxInboundReadAhead: Int
    /// The most UTF-8 bytes of message text in the read-ahead (see ``maxInboundReadAhead``). Default 16 MiB.
    public var maxInboundReadAheadBytes: Int
    /// How long the duplicate filter remembers a message after its `publishedAt` (or an own publish after it was
    /// sent): the relay does not deliver a message again after its ttl. Default 1 day, the longest ttl the Sign
    /// and pairing protocols publish with. Persisted entries expire with it.
    public var dedupeLifetime: Duration
    /// The most message hashes the duplicate filter remembers (every topic together). Default 10,000; beyond it
    /// the ones that expire first are forgotten (a message delivered again after that is caught by the Sign
    /// engine's JSON-RPC history instead).
    public var maxRememberedMessages: Int

    /// Reconnect delays: exponential from ``initial`` by ``multiplier`` up to ``maximum``, each scaled by a
    /// random factor in `1 - jitter … 1`.
    public struct Backoff: Sendable, Hashable {
        /// First delay.
        public var initial: Duration
        /// Largest delay.
        public var maximum: Duration
        /// Growth per failed attempt.
        public var multiplier: Double
        /// Random fraction taken off each delay (0 … 1).
        public var jitter: Double

        /// Creates a backoff policy.
        public init(
            initial: Duration = .milliseconds(100), maximum: Duration = .seconds(30), multiplier: Double = 2,
            jitter: Double = 0.5
        ) {
            self.initial = initial
            self.maximum = maximum
            self.multiplier = multiplier
            self.jitter = jitter
        }

        /// The delay before reconnect attempt `attempt` (0 = first retry), with `random` in `0 ..< 1`.
        public func delay(attempt: Int, random: Double) -> Duration {
            let initialSeconds = Self.seconds(initial)
            let cap = Self.seconds(maximum)
            let grown = initialSeconds * pow(max(1, multiplier), Double(min(attempt, 64)))
            let base = min(cap, grown)
            let factor = 1 - min(max(jitter, 0), 1) * min(max(random, 0), 1)
            return .nanoseconds(Int64((base * factor * 1e9).rounded()))
        }

        private static func seconds(_ duration: Duration) -> Double {
            let parts = duration.components
            return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
        }
    }

    /// Creates a configuration; only the relay URL is required.
    public init(
        relayURL: String = "wss://relay.walletconnect.org",
        projectID: String? = nil,
        userAgent: String? = nil,
        additionalQueryItems: [String: String] = [:],
        additionalHeaders: [String: String] = [:],
        tlsConfiguration: TLSConfiguration? = nil,
        enableDeflate: Bool = false,
        maxFrameSize: Int = 4 << 20,
        requestTimeout: Duration = .seconds(60),
        backoff: Backoff = Backoff(),
        keepAliveInterval: Duration = .seconds(20),
        closeTimeout: Duration = .seconds(2),
        upgradeTimeout: Duration = .seconds(15),
        fetchMessagesOnConnect: Bool = true,
        storagePrefix: String = "",
        messageBufferSize: Int? = nil,
        maxInboundBacklog: Int = 64,
        maxInboundReadAhead: Int = 4_096,
        maxInboundReadAheadBytes: Int = 16 << 20,
        dedupeLifetime: Duration = .seconds(86_400),
        maxRememberedMessages: Int = 10_000
    ) {
        self.relayURL = relayURL
        self.projectID = projectID
        self.userAgent = userAgent
        self.additionalQueryItems = additionalQueryItems
        self.additionalHeaders = additionalHeaders
        self.tlsConfiguration = tlsConfiguration
        self.enableDeflate = enableDeflate
        self.maxFrameSize = maxFrameSize
        self.requestTimeout = requestTimeout
        self.backoff = backoff
        self.keepAliveInterval = keepAliveInterval
        self.closeTimeout = closeTimeout
        self.upgradeTimeout = upgradeTimeout
        self.fetchMessagesOnConnect = fetchMessagesOnConnect
        self.storagePrefix = storagePrefix
        self.messageBufferSize = messageBufferSize
        self.maxInboundBacklog = maxInboundBacklog
        self.maxInboundReadAhead = maxInboundReadAhead
        self.maxInboundReadAheadBytes = maxInboundReadAheadBytes
        self.dedupeLifetime = dedupeLifetime
        self.maxRememberedMessages = maxRememberedMessages
    }

    /// The bounds of the duplicate filter.
    var trackerLimits: MessageTracker.Limits {
        MessageTracker.Limits(lifetime: dedupeLifetime.components.seconds, maxEntries: maxRememberedMessages)
    }

    /// The TLS configuration used for `wss://`: ``tlsConfiguration`` if set, else a client configuration
    /// trusting `SSL_CERT_FILE` (a PEM bundle) or `SSL_CERT_DIR` when set in `environment`, else the system store.
    package func effectiveTLSConfiguration(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> TLSConfiguration {
        if let tlsConfiguration { return tlsConfiguration }
        var configuration = TLSConfiguration.makeClientConfiguration()
        if let file = environment["SSL_CERT_FILE"], !file.isEmpty {
            configuration.trustRoots = .file(file)
        } else if let directory = environment["SSL_CERT_DIR"], !directory.isEmpty {
            configuration.trustRoots = .file(directory)
        }
        return configuration
    }

    /// The JWT audience: the relay URL without its query (spec §3.1).
    var audience: String { RelayURLBuilder(relayURL: relayURL).audience }
}
