import Foundation
import Logging
import WalletConnectCore

/// The telemetry EventClient of sign.md §13. **Off by default**: when disabled it records nothing, sends
/// nothing (not even the INIT event) and overwrites the persisted event list with `[]`.
///
/// When enabled, flows record trace events (``createEvent(topic:trace:)``, ``addTrace(_:eventID:)``,
/// ``setError(_:eventID:)``), persisted under `wc@2:core:0.1//event-client`; ``start(clientID:userAgent:)``
/// posts the INIT event and the stored events that carry an error type to `<pulse>/batch`.
public actor TelemetryClient {
    /// Settings of a ``TelemetryClient``.
    public struct Configuration: Sendable {
        /// The WalletConnect project id (`projectId` query item and `bundleId`).
        public var projectID: String
        /// Whether telemetry is enabled (opt-in; default `false`).
        public var isEnabled: Bool
        /// The pulse server.
        public var pulseURL: String
        /// The SDK version tag sent as `sv`.
        public var sdkVersion: String
        /// The app URL sent as `domain`; when `nil`, `sp=desktop` is added to the query.
        public var appDomain: String?
        /// Deadline of each upload.
        public var timeout: Duration
        /// Events older than this are dropped (spec: 86400 s).
        public var maxEventAge: Duration
        /// Custom storage prefix.
        public var storagePrefix: String

        /// Creates a configuration (telemetry disabled unless `isEnabled` is `true`).
        public init(
            projectID: String, isEnabled: Bool = false, pulseURL: String = TelemetryClient.defaultPulseURL,
            sdkVersion: String = "swift-0.1.0", appDomain: String? = nil, timeout: Duration = .seconds(10),
            maxEventAge: Duration = .seconds(86_400), storagePrefix: String = ""
        ) {
            self.projectID = projectID
            self.isEnabled = isEnabled
            self.pulseURL = pulseURL
            self.sdkVersion = sdkVersion
            self.appDomain = appDomain
            self.timeout = timeout
            self.maxEventAge = maxEventAge
            self.storagePrefix = storagePrefix
        }
    }

    /// The default pulse server.
    public static let defaultPulseURL = "https://pulse.walletconnect.org"

    private var configuration: Configuration
    private let transport: any HTTPTransport
    private let storage: any KeyValueStorage
    private let storageKey: StorageKey
    private let wallClock: WallClock
    private let makeEventID: @Sendable () -> String
    private let logger: Logger
    private var stored: [TelemetryEvent] = []
    private var isLoaded = false
    /// The one load of the persisted events in progress: every caller awaits it before reading or changing
    /// `stored`, so an event recorded meanwhile is never overwritten by the load.
    private var loadTask: Task<Void, Never>?
    /// Callers waiting for the load in progress (for tests).
    var loadWaiters = 0
    /// Serialises the writes of the event list, so the last change is the one on disk.
    private var persistGate = AsyncSerialGate<Int>()

    /// Creates a telemetry client.
    /// - Parameters:
    ///   - configuration: Project, switch, server and version settings.
    ///   - transport: HTTP transport.
    ///   - storage: Where trace events are persisted.
    ///   - wallClock: Wall time for event timestamps and ageing.
    ///   - makeEventID: Event id generator (random v4 UUIDs by default).
    ///   - logger: Logger (no-op by default).
    public init(
        configuration: Configuration, transport: any HTTPTransport, storage: any KeyValueStorage,
        wallClock: WallClock = .system,
        makeEventID: @escaping @Sendable () -> String = { UUID().uuidString.lowercased() },
        logger: Logger = Logger(label: "walletkit.telemetry", factory: { _ in SwiftLogNoOpLogHandler() })
    ) {
        self.configuration = configuration
        self.transport = transport
        self.storage = storage
        self.storageKey = .eventClient(prefix: configuration.storagePrefix)
        self.wallClock = wallClock
        self.makeEventID = makeEventID
        self.logger = logger
    }

    /// Whether telemetry is enabled.
    public var isEnabled: Bool { configuration.isEnabled }

    /// The recorded events (empty while disabled).
    public var events: [TelemetryEvent] { stored }

    /// The URL events are posted to: `<pulse>/batch?projectId=…&st=events_sdk&sv=…[&sp=desktop]`.
    public var batchURL: String {
        var base = configuration.pulseURL
        while base.hasSuffix("/") { base.removeLast() }
        var components = URLComponents()
        components.queryItems = [
            URLQueryItem(name: "projectId", value: configuration.projectID),
            URLQueryItem(name: "st", value: "events_sdk"),
            URLQueryItem(name: "sv", value: configuration.sdkVersion),
        ]
        if configuration.appDomain == nil { components.queryItems?.append(URLQueryItem(name: "sp", value: "desktop")) }
        return base + "/batch" + (components.url?.absoluteString ?? "")
    }

    /// Starts the client. Disabled: clears the persisted list and sends nothing. Enabled: loads the persisted
    /// events, drops old ones, posts the INIT event and then the stored events with an error type.
    /// Failures are logged (debug) and never thrown.
    public func start(clientID: String, userAgent: String) async {
        guard configuration.isEnabled else {
            stored = []
            isLoaded = true
            await persist()
            return
        }
        await loadIfNeeded()
        await dropExpired()
        await sendInit(clientID: clientID, userAgent: userAgent)
        await uploadErrors()
    }

    /// Turns telemetry on or off; turning it off forgets and un-persists every recorded event.
    public func setEnabled(_ enabled: Bool) async {
        configuration.isEnabled = enabled
        if !enabled {
            stored = []
            isLoaded = true
            await persist()
        }
    }

    /// Records a new trace event (type `""`) and returns its id, or `nil` when telemetry is disabled.
    @discardableResult
    public func createEvent(topic: String?, trace: [String] = []) async -> String? {
        guard configuration.isEnabled else { return nil }
        await loadIfNeeded()
        let event = TelemetryEvent(
            eventID: makeEventID(), timestamp: wallClock.nowMilliseconds, bundleID: configuration.projectID,
            domain: configuration.appDomain ?? "",
            props: .init(event: "ERROR", type: "", properties: .init(topic: topic, trace: trace))
        )
        stored.append(event)
        await persist()
        return event.eventID
    }

    /// Appends a trace step to an event (no-op when disabled or unknown).
    public func addTrace(_ step: String, eventID: String) async {
        await mutate(eventID) { $0.props.properties.trace = ($0.props.properties.trace ?? []) + [step] }
    }

    /// Marks an event as failed with the error name `type` (no-op when disabled or unknown).
    public func setError(_ type: String, eventID: String) async {
        await mutate(eventID) { $0.props.type = type }
    }

    /// Removes events older than ``Configuration/maxEventAge`` (the heartbeat job).
    public func dropExpired() async {
        guard configuration.isEnabled else { return }
        await loadIfNeeded()
        let ageMilliseconds = configuration.maxEventAge.components.seconds * 1000
        let cutoff = wallClock.nowMilliseconds - ageMilliseconds
        let kept = stored.filter { $0.timestamp >= cutoff }
        guard kept.count != stored.count else { return }
        stored = kept
        await persist()
    }

    /// Posts the stored events that carry an error type and forgets them once the server accepted them.
    public func uploadErrors() async {
        guard configuration.isEnabled else { return }
        await loadIfNeeded()
        let errors = stored.filter { !$0.props.type.isEmpty }
        guard !errors.isEmpty else { return }
        guard await post(errors) else { return }
        let sent = Set(errors.map(\.eventID))
        stored.removeAll { sent.contains($0.eventID) }
        await persist()
    }

    /// The INIT event body for this client.
    func initEvent(clientID: String, userAgent: String) -> TelemetryEvent {
        TelemetryEvent(
            eventID: makeEventID(), timestamp: wallClock.nowMilliseconds, bundleID: nil,
            domain: configuration.appDomain ?? "",
            props: .init(event: "INIT", type: "", properties: .init(clientID: clientID, userAgent: userAgent))
        )
    }

    private func sendInit(clientID: String, userAgent: String) async {
        guard configuration.isEnabled else { return }
        _ = await post([initEvent(clientID: clientID, userAgent: userAgent)])
    }

    private func post(_ events: [TelemetryEvent]) async -> Bool {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        guard configuration.isEnabled, let body = try? encoder.encode(events) else { return false }
        do {
            let response = try await transport.send(
                method: .post, url: batchURL,
                headers: ["Content-Type": "application/json", "x-sdk-type": "events_sdk"],
                body: Array(body), timeout: configuration.timeout
            )
            logger.debug("telemetry posted", metadata: ["wk.http.status": "\(response.status)"])
            return response.isSuccess
        } catch {
            logger.debug("telemetry post failed", metadata: ["wk.error": "\(error)"])
            return false
        }
    }

    private func mutate(_ eventID: String, _ change: (inout TelemetryEvent) -> Void) async {
        guard configuration.isEnabled else { return }
        await loadIfNeeded()
        guard let index = stored.firstIndex(where: { $0.eventID == eventID }) else { return }
        change(&stored[index])
        await persist()
    }

    private func loadIfNeeded() async {
        if isLoaded { return }
        if let loadTask {
            loadWaiters += 1
            defer { loadWaiters -= 1 }
            return await loadTask.value
        }
        let task = Task { await self.load() }
        loadTask = task
        await task.value
    }

    private func load() async {
        var loaded: [TelemetryEvent] = []
        do {
            if let data = try await storage.value(forKey: storageKey.rawValue) {
                loaded = (try? JSONDecoder().decode([TelemetryEvent].self, from: data)) ?? []
            }
        } catch {
            logger.debug("telemetry events not loaded", metadata: ["wk.error": "\(error)"])
        }
        // Disabling meanwhile cleared the list for good (and marked it loaded): keep that.
        guard !isLoaded else { return }
        stored = loaded + stored
        isLoaded = true
    }

    private func persist() async {
        if !persistGate.tryEnter(0) { await withCheckedContinuation { persistGate.park(0, $0) } }
        defer { persistGate.leave(0)?.resume() }
        do {
            // Encoded at its turn: each write carries every change made before it.
            let data = try JSONEncoder().encode(stored)
            try await storage.setValue(data, forKey: storageKey.rawValue)
        } catch {
            logger.debug("telemetry events not persisted", metadata: ["wk.error": "\(error)"])
        }
    }
}
