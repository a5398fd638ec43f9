import Foundation
import Logging
import WalletConnectCore

/// Everything a ``SignClient`` is composed from: who it is, where the relay is, where it keeps its state, and
/// how it tells time.
///
/// Each client owns one *storage namespace*: its storage plus ``customStoragePrefix`` (every store key carries
/// the prefix) and its own key chain (which holds the relay identity). Many clients may share one process, one
/// relay, even one SQLite file, as long as their prefixes differ. With a file-backed key chain the namespace is
/// also locked (an exclusive `flock` on `<key chain>.lock`), so a second client on the same namespace fails fast
/// with ``SignClientError/namespaceInUse(_:)`` instead of corrupting the first one's state.
///
/// On a database server (``Storage/server(_:)``, e.g. PostgreSQL through `WalletKitPostgres`) the key chain lives
/// in the same database, so every instance on that database and prefix is the same wallet (same identity, same
/// keys); no lock keeps two of them from running at once.
public struct SignClientConfiguration: Sendable {
    /// Where the stores live.
    public enum Storage: Sendable {
        /// A SQLite file (WAL, created 0600). The key chain is derived from the path (see ``KeyChainLocation/derived``).
        case sqlite(path: String)
        /// Any `KeyValueStorage` (e.g. one `SQLiteStorage` shared by several clients with different prefixes).
        case custom(any KeyValueStorage)
        /// Memory only: nothing survives the process (tests, throwaway clients).
        case inMemory
        /// A database server the client opens from the provider, runs (its connection pool) for its lifetime and
        /// closes last at shutdown. The key chain lives in it too (see ``KeyChainLocation/derived``).
        /// `WalletKitPostgres` makes one from a URL: `.postgres(url: "postgres://user:password@host:5432/db")`.
        case server(any ServerStorageProvider)
    }

    /// Where the key chain (symmetric keys, private keys, the relay identity seed) lives.
    public enum KeyChainLocation: Sendable, Hashable {
        /// Derived from the storage: `<sqlite path>.keychain[.<prefix>].json` for ``Storage/sqlite(path:)`` and
        /// for a custom `SQLiteStorage`; memory for ``Storage/inMemory``; the storage itself (``storage``) for
        /// ``Storage/server(_:)`` and a custom `ServerKeyValueStorage`. Any other custom storage needs an explicit
        /// location (``SignClientError/keyChainLocationRequired``).
        case derived
        /// In the storage itself, one row per key under `wc@2:core:0.3[:<prefix>]//keychain/` (`KeyChain`'s
        /// storage form): every instance on that storage and prefix shares the identity and the keys.
        case storage
        /// A JSON file at this path (written atomically, mode 0600).
        case file(path: String)
        /// Memory only: a new relay identity on every start.
        case inMemory
    }

    /// The default SQLite file, relative to the working directory.
    public static let defaultDatabasePath = "walletkit.sqlite"
    /// The default relay.
    public static let defaultRelayURL = "wss://relay.walletconnect.org"
    /// The SDK version sent in the relay user agent.
    public static let sdkVersion = "0.1.0"

    /// This app's metadata (sent to peers in proposals and settlements).
    public var metadata: Metadata
    /// The relay URL (`ws://` or `wss://`).
    public var relayURL: String
    /// The cloud project id (`projectId` query parameter; required by the production relay).
    public var projectID: String?
    /// Where the stores live (default: ``defaultDatabasePath``).
    public var storage: Storage
    /// Where the key chain lives (default: derived from ``storage``).
    public var keyChain: KeyChainLocation
    /// The custom storage prefix: every store key of this client becomes `wc@2:<ctx>:<ver>:<prefix>//<name>`.
    public var customStoragePrefix: String
    /// Timeouts, backoff, keep-alive, the request-queue release delay and the expirer tick.
    public var clock: any Clock<Duration>
    /// Wall time for protocol expiries.
    public var wallClock: WallClock
    /// Debug logging for every controller; silent by default. Never receives keys or decrypted payloads.
    public var logger: Logger
    /// Further relay settings (TLS configuration, permessage-deflate, timeouts, backoff, headers, user agent).
    /// Its `relayURL`, `projectID` and `storagePrefix` are replaced by this configuration's.
    public var relayer: RelayerConfiguration
    /// Sign engine settings (request queue, relay call styles, acknowledgement timeout). Its `storagePrefix` is
    /// replaced by ``customStoragePrefix``.
    public var engine: SignEngineOptions
    /// Interval of the expirer's check (spec heartbeat: 5 s).
    public var expirerCheckInterval: Duration
    /// Resolves the Verify context of inbound proposals and requests (`nil`: `UNKNOWN`). WalletKit plugs its
    /// `VerifyClient` in here.
    public var verifier: (any SignVerifyResolver)?
    /// Whether ``storage`` (a ``Storage/custom(_:)``) was opened from a ``Storage/server(_:)`` provider by
    /// ``using(openedStorage:)``: the client then runs and closes it as its own.
    package var ownsOpenedStorage = false

    /// Creates a configuration; only the metadata is required.
    public init(
        metadata: Metadata, relayURL: String = SignClientConfiguration.defaultRelayURL, projectID: String? = nil,
        storage: Storage = .sqlite(path: SignClientConfiguration.defaultDatabasePath), keyChain: KeyChainLocation = .derived,
        customStoragePrefix: String = "", clock: any Clock<Duration> = ContinuousClock(), wallClock: WallClock = .system,
        logger: Logger = Logger(label: "walletkit", factory: { _ in SwiftLogNoOpLogHandler() }),
        relayer: RelayerConfiguration = RelayerConfiguration(), engine: SignEngineOptions = SignEngineOptions(),
        expirerCheckInterval: Duration = .seconds(5), verifier: (any SignVerifyResolver)? = nil
    ) {
        self.metadata = metadata
        self.relayURL = relayURL
        self.projectID = projectID
        self.storage = storage
        self.keyChain = keyChain
        self.customStoragePrefix = customStoragePrefix
        self.clock = clock
        self.wallClock = wallClock
        self.logger = logger
        self.relayer = relayer
        self.engine = engine
        self.expirerCheckInterval = expirerCheckInterval
        self.verifier = verifier
    }

    /// Opens the configured storage: the SQLite file (created 0600), the custom storage as is, a new in-memory one,
    /// or a new server storage from its provider (not connected yet).
    /// - Throws: `StorageError` when the database cannot be opened.
    package func makeStorage() throws -> any KeyValueStorage {
        switch storage {
        case .sqlite(let path): try SQLiteStorage(path: path)
        case .custom(let custom): custom
        case .inMemory: InMemoryStorage()
        case .server(let provider): try provider.makeStorage(logger: logger)
        }
    }

    /// This configuration with ``storage`` replaced by an already opened `storage` (the key chain location is
    /// kept: a derived in-memory key chain stays in memory; a server storage stays the client's to run and close).
    package func using(openedStorage: any KeyValueStorage) throws -> SignClientConfiguration {
        var copy = self
        if case .derived = keyChain, case .inMemory = storage { copy.keyChain = .inMemory }
        if case .derived = keyChain, case .sqlite(let path) = storage {
            copy.keyChain = .file(path: Self.keyChainPath(databasePath: path, prefix: customStoragePrefix))
        }
        if case .server = storage {
            if case .derived = keyChain { copy.keyChain = .storage }
            copy.ownsOpenedStorage = true
        }
        copy.storage = .custom(openedStorage)
        return copy
    }

    /// Whether the client built from this configuration runs and closes its storage (a ``Storage/server(_:)``).
    package var ownsStorage: Bool {
        if case .server = storage { return true }
        return ownsOpenedStorage
    }

    /// Where the key chain of this configuration lives.
    package enum ResolvedKeyChain: Sendable, Hashable {
        case file(path: String)
        case memory
        case storage
    }

    /// The key chain this configuration resolves to.
    /// - Throws: ``SignClientError/keyChainLocationRequired`` for a custom storage that is neither a
    ///   `SQLiteStorage` nor a `ServerKeyValueStorage` with ``KeyChainLocation/derived``.
    package func resolvedKeyChain() throws -> ResolvedKeyChain {
        switch keyChain {
        case .file(let path): return .file(path: path)
        case .inMemory: return .memory
        case .storage: return .storage
        case .derived:
            switch storage {
            case .sqlite(let path): return .file(path: Self.keyChainPath(databasePath: path, prefix: customStoragePrefix))
            case .inMemory: return .memory
            case .server: return .storage
            case .custom(let storage):
                if let sqlite = storage as? SQLiteStorage {
                    return .file(path: Self.keyChainPath(databasePath: sqlite.path, prefix: customStoragePrefix))
                }
                if storage is any ServerKeyValueStorage { return .storage }
                throw SignClientError.keyChainLocationRequired
            }
        }
    }

    /// The relayer configuration actually used: ``relayer`` with this configuration's URL, project id and prefix,
    /// and a user agent for this system when none was set.
    package var effectiveRelayerConfiguration: RelayerConfiguration {
        var configuration = relayer
        configuration.relayURL = relayURL
        configuration.projectID = projectID
        configuration.storagePrefix = customStoragePrefix
        if configuration.userAgent == nil { configuration.userAgent = UserAgent.current(sdkVersion: Self.sdkVersion) }
        return configuration
    }

    /// The engine options actually used: ``engine`` with ``customStoragePrefix``.
    package var effectiveEngineOptions: SignEngineOptions {
        var options = engine
        options.storagePrefix = customStoragePrefix
        return options
    }

    /// The key chain file this configuration resolves to, or `nil` for a key chain in memory or in the storage.
    /// - Throws: ``SignClientError/keyChainLocationRequired`` for a custom storage that is neither a
    ///   `SQLiteStorage` nor a `ServerKeyValueStorage` with ``KeyChainLocation/derived``.
    public func resolvedKeyChainPath() throws -> String? {
        if case .file(let path) = try resolvedKeyChain() { return path }
        return nil
    }

    /// `<databasePath>.keychain.json`, or `<databasePath>.keychain.<escaped prefix>.json` with a prefix. The prefix
    /// keeps `[A-Za-z0-9.-]`; every other byte becomes `_xx` (hex), so distinct prefixes give distinct files.
    public static func keyChainPath(databasePath: String, prefix: String) -> String {
        guard !prefix.isEmpty else { return databasePath + ".keychain.json" }
        var escaped = ""
        for byte in prefix.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "-"):
                escaped.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                escaped += "_" + String(byte, radix: 16).leftPadded(to: 2)
            }
        }
        return databasePath + ".keychain." + escaped + ".json"
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
