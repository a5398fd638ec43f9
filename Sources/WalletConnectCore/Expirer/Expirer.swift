import Logging

/// Tracks expiries of pairing/session topics and JSON-RPC ids (`topic:<t>` / `id:<n>` targets).
///
/// Entries are persisted through a ``Store`` under ``StorageKey/expirer(prefix:)``. An entry expires when
/// `now_ms >= expiry × 1000` on the injected ``WallClock``. Checks run:
/// - at once in ``set(_:expiry:)`` when the expiry is already past,
/// - on every tick of ``run()`` (every `checkInterval` on the injected `Clock`) while the relay is connected
///   (see ``setRelayConnected(_:)``), so nothing expires while offline,
/// - whenever ``checkNow()`` is called.
///
/// Expired entries are removed and announced as ``ExpirerEvent/expired(_:)`` on ``events()``.
package actor Expirer {
    private let store: Store<ExpirerEntry>
    private let clock: any Clock<Duration>
    private let wallClock: WallClock
    private let checkInterval: Duration
    private let logger: Logger
    private let broadcaster: EventBroadcaster<ExpirerEvent>
    private var isRelayConnected = true
    /// Mirror of the store's records (updated only after a successful write), so lookups are synchronous.
    private var current: [String: ExpirerEntry] = [:]

    /// Creates an expirer. Call ``load()`` before use and ``run()`` in a long-lived task.
    /// - Parameters:
    ///   - storage: where entries are persisted.
    ///   - storagePrefix: the custom storage prefix (empty by default).
    ///   - clock: drives the periodic check.
    ///   - wallClock: the source of "now" for expiries.
    ///   - checkInterval: time between checks in ``run()`` (the spec's heartbeat, 5 s).
    ///   - logger: debug logging; silent by default.
    package init(
        storage: any KeyValueStorage, storagePrefix: String = "", clock: any Clock<Duration>, wallClock: WallClock,
        checkInterval: Duration = .seconds(5),
        logger: Logger = Logger(label: "walletkit", factory: { _ in SwiftLogNoOpLogHandler() })
    ) {
        self.store = Store(storage: storage, storageKey: .expirer(prefix: storagePrefix))
        self.clock = clock
        self.wallClock = wallClock
        self.checkInterval = checkInterval
        self.logger = logger
        self.broadcaster = EventBroadcaster()
    }

    /// Loads persisted entries. Entries already expired fire on the next check.
    /// - Throws: the storage error.
    package func load() async throws {
        let corrupt = try await store.load()
        current = Dictionary(uniqueKeysWithValues: await store.values.map { ($0.target, $0) })
        if !corrupt.isEmpty { logger.debug("expirer skipped undecodable entries", metadata: ["wk.count": "\(corrupt.count)"]) }
    }

    /// A new stream of expirer events (one per caller; unbounded, so no expiry is missed by a slow consumer).
    package nonisolated func events() -> AsyncStream<ExpirerEvent> {
        broadcaster.subscribe()
    }

    /// Sets (or replaces) the expiry of `target`, in Unix seconds. Expires it at once when already past.
    /// - Throws: the storage error.
    package func set(_ target: ExpirerTarget, expiry: Int64) async throws {
        // Memory changes before the write (the store writes in call order), so a call re-entering meanwhile sees
        // this change; a failed write puts back what was there if nothing replaced it since.
        let entry = ExpirerEntry(target: Self.key(target), expiry: expiry)
        let previous = current[entry.target]
        if entry.isExpired(nowMilliseconds: wallClock.nowMilliseconds) {
            if previous != nil {
                current[entry.target] = nil
                do {
                    try await store.delete(entry.target)
                } catch {
                    if current[entry.target] == nil { current[entry.target] = previous }
                    throw error
                }
            }
            logger.debug("expirer target already expired", metadata: ["wk.target": "\(entry.target)"])
            broadcaster.yield(.expired(entry))
            return
        }
        current[entry.target] = entry
        do {
            try await store.set(entry.target, entry)
        } catch {
            if current[entry.target] == entry { current[entry.target] = previous }
            throw error
        }
        broadcaster.yield(.created(entry))
    }

    /// Removes the entry of `target` (no error when absent).
    /// - Throws: the storage error.
    package func delete(_ target: ExpirerTarget) async throws {
        let key = Self.key(target)
        guard let existing = current[key] else { return }
        current[key] = nil
        do {
            if let removed = try await store.delete(key) { broadcaster.yield(.deleted(removed)) }
        } catch {
            if current[key] == nil { current[key] = existing }
            throw error
        }
    }

    /// Whether `target` has an entry.
    package func has(_ target: ExpirerTarget) -> Bool {
        current[Self.key(target)] != nil
    }

    /// The expiry (Unix seconds) of `target`.
    /// - Throws: ``StoreError`` (`No matching key. expirer: <target>`) when absent.
    package func get(_ target: ExpirerTarget) throws -> Int64 {
        let key = Self.key(target)
        guard let entry = current[key] else { throw StoreError.noMatchingKey(name: "expirer", key: key) }
        return entry.expiry
    }

    /// Every entry.
    package var entries: [ExpirerEntry] { current.values.sorted { ($0.expiry, $0.target) < ($1.expiry, $1.target) } }

    /// Tells the expirer whether the relay is connected; periodic checks in ``run()`` only run while it is.
    package func setRelayConnected(_ connected: Bool) {
        isRelayConnected = connected
    }

    /// Expires every entry that is due now. Returns the expired entries (oldest expiry first).
    @discardableResult
    package func checkNow() async -> [ExpirerEntry] {
        let now = wallClock.nowMilliseconds
        let due = current.values.filter { $0.isExpired(nowMilliseconds: now) }
            .sorted { ($0.expiry, $0.target) < ($1.expiry, $1.target) }
        var expired: [ExpirerEntry] = []
        for entry in due {
            do {
                // Another call may have replaced or removed it while we were suspended. Decided here, before the
                // write: a renewal arriving during it is a new entry, not undone by this expiry.
                guard let latest = current[entry.target], latest.isExpired(nowMilliseconds: now) else {
                    continue
                }
                current[entry.target] = nil
                do {
                    try await store.delete(entry.target)
                } catch {
                    if current[entry.target] == nil { current[entry.target] = latest }
                    throw error
                }
                expired.append(latest)
                logger.debug("expirer target expired", metadata: ["wk.target": "\(latest.target)"])
                broadcaster.yield(.expired(latest))
            } catch {
                logger.debug("expirer could not remove an expired entry", metadata: ["wk.target": "\(entry.target)"])
            }
        }
        return expired
    }

    /// Runs the periodic check until the calling task is cancelled.
    ///
    /// Sleeps `checkInterval` on the injected clock between checks; a check is skipped while the relay is
    /// disconnected. Returns normally on cancellation.
    package func run() async {
        while !Task.isCancelled {
            do {
                try await clock.sleep(for: checkInterval)
            } catch {
                return
            }
            if isRelayConnected { await checkNow() }
        }
    }

    /// Ends every event stream.
    package func finish() {
        broadcaster.finish()
    }

    private static func key(_ target: ExpirerTarget) -> String { target.rawValue }
}
