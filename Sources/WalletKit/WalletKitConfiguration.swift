import Logging
import WalletConnectCore
import WalletConnectSign

/// How a ``WalletKit`` is built: the Sign client underneath (identity, relay, storage, clocks, logger) plus the
/// wallet-side services (Verify, Echo push, telemetry) and the shutdown drain deadline.
public struct WalletKitConfiguration: Sendable {
    /// Echo push registration settings (sign.md §12.1); they need a project id.
    public struct Echo: Sendable, Hashable {
        /// The Echo server (self-hosted push servers and tests may point elsewhere).
        public var baseURL: String
        /// Deadline of each registration request.
        public var timeout: Duration

        /// Creates Echo settings.
        public init(baseURL: String = EchoClient.defaultBaseURL, timeout: Duration = .seconds(10)) {
            self.baseURL = baseURL
            self.timeout = timeout
        }
    }

    /// Telemetry settings (sign.md §13). Off by default: nothing is recorded or sent.
    public struct Telemetry: Sendable, Hashable {
        /// Whether telemetry is enabled (opt-in).
        public var isEnabled: Bool
        /// The pulse server.
        public var pulseURL: String

        /// Creates telemetry settings (disabled unless `isEnabled` is `true`).
        public init(isEnabled: Bool = false, pulseURL: String = TelemetryClient.defaultPulseURL) {
            self.isEnabled = isEnabled
            self.pulseURL = pulseURL
        }
    }

    /// The Sign client configuration (metadata, relay, storage, key chain, prefix, clocks, logger, engine options).
    public var sign: SignClientConfiguration
    /// Verify settings; `nil` (default) creates no ``VerifyClient``.
    public var verify: VerifyClient.Configuration?
    /// Echo push settings (used by ``WalletKit/registerDeviceToken(token:type:enableEncrypted:clientID:)``).
    public var echo: Echo
    /// Telemetry settings (off by default).
    public var telemetry: Telemetry
    /// The HTTP transport of Verify, Echo and telemetry; `nil` makes ``WalletKit/run()`` own an AsyncHTTPClient
    /// for its lifetime when one of them needs HTTP.
    public var httpTransport: (any HTTPTransport)?
    /// Verifies EIP-1271 (contract account) CACAOs in one-click auth; `nil`: the WalletConnect RPC through
    /// ``HTTPEthereumRPCCaller`` when a project id is set.
    public var ethereumRPCCaller: (any EthereumRPCCaller)?
    /// Whether this wallet handles `wc_sessionAuthenticate` (default `true`). When `false` the request is answered
    /// 10001 and the dapp's fallback proposal arrives on ``WalletKit/sessionProposals`` instead.
    public var handlesSessionAuthenticate: Bool
    /// How long a graceful shutdown waits for in-flight calls (responses, rejections, …) before closing the socket,
    /// measured on `SignClientConfiguration/clock`.
    public var shutdownDrainTimeout: Duration

    /// Creates a configuration from a Sign client configuration.
    public init(
        sign: SignClientConfiguration, verify: VerifyClient.Configuration? = nil, echo: Echo = Echo(),
        telemetry: Telemetry = Telemetry(), httpTransport: (any HTTPTransport)? = nil,
        shutdownDrainTimeout: Duration = .seconds(5), ethereumRPCCaller: (any EthereumRPCCaller)? = nil,
        handlesSessionAuthenticate: Bool = true
    ) {
        self.sign = sign
        self.ethereumRPCCaller = ethereumRPCCaller
        self.handlesSessionAuthenticate = handlesSessionAuthenticate
        self.verify = verify
        self.echo = echo
        self.telemetry = telemetry
        self.httpTransport = httpTransport
        self.shutdownDrainTimeout = shutdownDrainTimeout
    }

    /// Creates a configuration; only the metadata is required.
    /// - Parameters:
    ///   - metadata: The wallet's metadata.
    ///   - relayURL: The relay (default `wss://relay.walletconnect.org`).
    ///   - projectID: The cloud project id.
    ///   - storage: SQLite path (default `walletkit.sqlite`), any `KeyValueStorage`, or memory.
    ///   - keyChain: Where keys live (derived from the storage by default).
    ///   - customStoragePrefix: This instance's storage namespace inside a shared storage.
    ///   - logger: Debug logging; silent by default.
    ///   - clock: Timeouts, sleeps and the shutdown drain deadline.
    ///   - wallClock: Wall time for protocol expiries.
    ///   - disableRequestQueue: Announce every session request at once (JS `signConfig.disableRequestQueue`).
    ///   - verify: Verify settings (`nil`: no Verify client).
    ///   - echo: Echo push settings.
    ///   - telemetry: Telemetry settings (off by default).
    ///   - httpTransport: HTTP transport for Verify, Echo and telemetry.
    ///   - shutdownDrainTimeout: The graceful shutdown drain deadline.
    public init(
        metadata: Metadata, relayURL: String = SignClientConfiguration.defaultRelayURL, projectID: String? = nil,
        storage: SignClientConfiguration.Storage = .sqlite(path: SignClientConfiguration.defaultDatabasePath),
        keyChain: SignClientConfiguration.KeyChainLocation = .derived, customStoragePrefix: String = "",
        logger: Logger = Logger(label: "walletkit", factory: { _ in SwiftLogNoOpLogHandler() }),
        clock: any Clock<Duration> = ContinuousClock(), wallClock: WallClock = .system,
        disableRequestQueue: Bool = false, verify: VerifyClient.Configuration? = nil, echo: Echo = Echo(),
        telemetry: Telemetry = Telemetry(), httpTransport: (any HTTPTransport)? = nil,
        shutdownDrainTimeout: Duration = .seconds(5)
    ) {
        var engine = SignEngineOptions()
        if disableRequestQueue { engine.requestQueue = .disabled }
        self.init(
            sign: SignClientConfiguration(
                metadata: metadata, relayURL: relayURL, projectID: projectID, storage: storage, keyChain: keyChain,
                customStoragePrefix: customStoragePrefix, clock: clock, wallClock: wallClock, logger: logger,
                engine: engine),
            verify: verify, echo: echo, telemetry: telemetry, httpTransport: httpTransport,
            shutdownDrainTimeout: shutdownDrainTimeout)
    }

    /// Whether any service needs HTTP when running (Verify configured, telemetry enabled, or a project id for Echo).
    var needsHTTP: Bool { verify != nil || telemetry.isEnabled || sign.projectID != nil }
}
