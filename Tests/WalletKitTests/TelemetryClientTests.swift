import Foundation
import Synchronization
import Testing
import WalletConnectCore
@testable import WalletKit
import WalletKitTesting

@Suite("TelemetryClient", .timeLimit(.minutes(1)))
struct TelemetryClientTests {
    static let now: Int64 = 1_800_000_000_000
    static let storageKey = "wc@2:core:0.1//event-client"

    static func counter() -> @Sendable () -> String {
        let next = Locked(0)
        return {
            next.withLock { value in
                value += 1
                return "00000000-0000-4000-8000-\(String(format: "%012d", value))"
            }
        }
    }

    static func telemetry(
        _ transport: some HTTPTransport, url: String, enabled: Bool, storage: any KeyValueStorage,
        appDomain: String? = nil, wallClock: WallClock = .fixed(milliseconds: now)
    ) -> TelemetryClient {
        TelemetryClient(
            configuration: .init(
                projectID: "proj1", isEnabled: enabled, pulseURL: url, sdkVersion: "swift-9.9.9", appDomain: appDomain
            ),
            transport: transport, storage: storage, wallClock: wallClock, makeEventID: counter()
        )
    }

    static func storedEvents(_ storage: any KeyValueStorage) async throws -> [TelemetryEvent]? {
        guard let data = try await storage.value(forKey: storageKey) else { return nil }
        return try JSONDecoder().decode([TelemetryEvent].self, from: data)
    }

    static func seededStorage() async throws -> InMemoryStorage {
        let storage = InMemoryStorage()
        let old = [
            TelemetryEvent(
                eventID: "e-error", timestamp: now - 1000, bundleID: "proj1", domain: "",
                props: .init(event: "ERROR", type: "pairing_expired", properties: .init(topic: "t1", trace: ["pairing_started"]))
            ),
            TelemetryEvent(
                eventID: "e-trace", timestamp: now - 2000, bundleID: "proj1", domain: "",
                props: .init(event: "ERROR", type: "", properties: .init(topic: "t2", trace: ["pairing_started"]))
            ),
            TelemetryEvent(
                eventID: "e-old", timestamp: now - 86_401_000, bundleID: "proj1", domain: "",
                props: .init(event: "ERROR", type: "no_wss_connection", properties: .init(topic: "t3", trace: []))
            ),
        ]
        try await storage.setValue(try JSONEncoder().encode(old), forKey: storageKey)
        return storage
    }

    @Test("telemetry is off by default")
    func offByDefault() {
        #expect(TelemetryClient.Configuration(projectID: "p").isEnabled == false)
        #expect(TelemetryClient.defaultPulseURL == "https://pulse.walletconnect.org")
    }

    @Test("when off, nothing is sent (zero requests) and the persisted list is cleared")
    func offSendsNothing() async throws {
        let server = HTTPLoopbackServer()
        let storage = try await Self.seededStorage()
        let (eventID, events) = try await AsyncHTTPClientTransport.withTransport { transport in
            try await server.run(handler: { _ in .json("{}") }) { url in
                let telemetry = Self.telemetry(transport, url: url, enabled: false, storage: storage)
                await telemetry.start(clientID: "did:key:z6Mk", userAgent: "wc-2/swift")
                let eventID = await telemetry.createEvent(topic: "topic", trace: ["pairing_started"])
                await telemetry.addTrace("store_new_pairing", eventID: "e-trace")
                await telemetry.setError("pairing_expired", eventID: "e-trace")
                await telemetry.uploadErrors()
                await telemetry.dropExpired()
                return (eventID, await telemetry.events)
            }
        }
        #expect(server.requests.isEmpty)
        #expect(eventID == nil)
        #expect(events.isEmpty)
        #expect(try await Self.storedEvents(storage) == [])
    }

    @Test("when on, start posts the INIT event with the exact body and query")
    func initEvent() async throws {
        let server = HTTPLoopbackServer()
        let storage = InMemoryStorage()
        try await AsyncHTTPClientTransport.withTransport { transport in
            try await server.run(handler: { _ in .json("{}") }) { url in
                let telemetry = Self.telemetry(transport, url: url, enabled: true, storage: storage)
                await telemetry.start(clientID: "did:key:z6MkClient", userAgent: "wc-2/swift-9.9.9/linux")
            }
        }
        let requests = server.requests
        #expect(requests.count == 1)
        let request = try #require(requests.first)
        #expect(request.method == "POST")
        #expect(request.path == "/batch")
        #expect(request.query == "projectId=proj1&st=events_sdk&sv=swift-9.9.9&sp=desktop")
        #expect(request.headers["content-type"] == "application/json")
        #expect(request.headers["x-sdk-type"] == "events_sdk")
        #expect(String(decoding: request.body, as: UTF8.self).contains(#""user_agent":"wc-2/swift-9.9.9/linux""#))
        let body = try #require(request.bodyJSON as? [[String: Any]])
        #expect(body.count == 1)
        let event = try #require(body.first)
        #expect(Set(event.keys) == ["eventId", "timestamp", "domain", "props"])
        #expect(event["eventId"] as? String == "00000000-0000-4000-8000-000000000001")
        #expect((event["timestamp"] as? NSNumber)?.int64Value == Self.now)
        #expect(event["domain"] as? String == "")
        let props = try #require(event["props"] as? [String: Any])
        #expect(props["event"] as? String == "INIT")
        #expect(props["type"] as? String == "")
        let properties = try #require(props["properties"] as? [String: Any])
        #expect(properties.count == 2)
        #expect(properties["client_id"] as? String == "did:key:z6MkClient")
        #expect(properties["user_agent"] as? String == "wc-2/swift-9.9.9/linux")
    }

    @Test("with an app domain, sp=desktop is left out and domain is sent")
    func appDomain() async throws {
        let server = HTTPLoopbackServer()
        try await AsyncHTTPClientTransport.withTransport { transport in
            try await server.run(handler: { _ in .json("{}") }) { url in
                let telemetry = Self.telemetry(
                    transport, url: url, enabled: true, storage: InMemoryStorage(), appDomain: "https://wallet.example"
                )
                await telemetry.start(clientID: "c", userAgent: "u")
            }
        }
        let request = try #require(server.requests.first)
        #expect(request.query == "projectId=proj1&st=events_sdk&sv=swift-9.9.9")
        let event = try #require((request.bodyJSON as? [[String: Any]])?.first)
        #expect(event["domain"] as? String == "https://wallet.example")
    }

    @Test("when on, start drops old events and uploads only stored events with an error type")
    func uploadsStoredErrors() async throws {
        let server = HTTPLoopbackServer()
        let storage = try await Self.seededStorage()
        try await AsyncHTTPClientTransport.withTransport { transport in
            try await server.run(handler: { _ in .json("{}") }) { url in
                await Self.telemetry(transport, url: url, enabled: true, storage: storage)
                    .start(clientID: "c", userAgent: "u")
            }
        }
        let requests = server.requests
        #expect(requests.count == 2)
        let uploaded = try #require(requests.last?.bodyJSON as? [[String: Any]])
        #expect(uploaded.count == 1)
        let event = try #require(uploaded.first)
        #expect(event["eventId"] as? String == "e-error")
        #expect(event["bundleId"] as? String == "proj1")
        let props = try #require(event["props"] as? [String: Any])
        #expect(props["event"] as? String == "ERROR")
        #expect(props["type"] as? String == "pairing_expired")
        let properties = try #require(props["properties"] as? [String: Any])
        #expect(properties["topic"] as? String == "t1")
        #expect(properties["trace"] as? [String] == ["pairing_started"])
        // The uploaded and the expired events are gone; the trace-only event stays.
        #expect(try await Self.storedEvents(storage)?.map(\.eventID) == ["e-trace"])
    }

    @Test("a failed upload keeps the events for the next start")
    func failedUploadKeepsEvents() async throws {
        let server = HTTPLoopbackServer()
        let storage = try await Self.seededStorage()
        try await AsyncHTTPClientTransport.withTransport { transport in
            try await server.run(handler: { _ in .json("{}", status: 503) }) { url in
                await Self.telemetry(transport, url: url, enabled: true, storage: storage)
                    .start(clientID: "c", userAgent: "u")
            }
        }
        #expect(server.requests.count == 2)
        #expect(try await Self.storedEvents(storage)?.map(\.eventID) == ["e-error", "e-trace"])
    }

    @Test("an event created while the persisted events are still loading is kept, in memory and on disk (issue 12)")
    func eventCreatedDuringLoadIsKept() async throws {
        let server = HTTPLoopbackServer()
        let storage = HoldingStorage(base: try await Self.seededStorage())
        try await AsyncHTTPClientTransport.withTransport { transport in
            try await server.run(handler: { _ in .json("{}") }) { url in
                let telemetry = Self.telemetry(transport, url: url, enabled: true, storage: storage)
                storage.holdReads(1)
                let dropping = Task { await telemetry.dropExpired() }
                try await storage.waitUntilHeld(reads: 1)
                let creating = Task { await telemetry.createEvent(topic: "new", trace: ["pairing_started"]) }
                // The create either waits for the load, or (the old bug) ran on the not-yet-loaded list.
                try await BoundedWait.until { await telemetry.loadWaiters == 1 || storage.writeCount > 0 }
                storage.releaseReads()
                await dropping.value
                let id = try #require(await creating.value)
                let ids = await telemetry.events.map(\.eventID)
                #expect(ids.contains(id))
                #expect(Set(ids) == ["e-error", "e-trace", id])
                let stored = try #require(try await Self.storedEvents(storage))
                #expect(Set(stored.map(\.eventID)) == ["e-error", "e-trace", id])
            }
        }
    }

    @Test("trace events are recorded, persisted and survive a restart; disabling clears them")
    func recordAndDisable() async throws {
        let server = HTTPLoopbackServer()
        let storage = InMemoryStorage()
        try await AsyncHTTPClientTransport.withTransport { transport in
            try await server.run(handler: { _ in .json("{}") }) { url in
                let telemetry = Self.telemetry(transport, url: url, enabled: true, storage: storage)
                let id = try #require(await telemetry.createEvent(topic: "topic-a", trace: ["pairing_started"]))
                await telemetry.addTrace("pairing_uri_validation_success", eventID: id)
                await telemetry.setError("malformed_pairing_uri", eventID: id)
                let stored = try #require(try await Self.storedEvents(storage))
                #expect(stored.count == 1)
                #expect(stored.first?.props.type == "malformed_pairing_uri")
                #expect(stored.first?.props.properties.trace == ["pairing_started", "pairing_uri_validation_success"])
                #expect(stored.first?.timestamp == Self.now)
                #expect(server.requests.isEmpty)

                let reopened = Self.telemetry(transport, url: url, enabled: true, storage: storage)
                await reopened.dropExpired()
                #expect(await reopened.events.map(\.eventID) == [id])
                await reopened.setEnabled(false)
                #expect(await reopened.events.isEmpty)
                #expect(await reopened.createEvent(topic: "x") == nil)
                await reopened.uploadErrors()
            }
        }
        #expect(try await Self.storedEvents(storage) == [])
        #expect(server.requests.isEmpty)
    }

    @Test("the trace and error names match sign-rpc-options.json", .enabled(if: SharedVectors.isAvailable, SharedVectors.skipNote))
    func names() throws {
        let file = try #require(try SharedVectors.json("sign-rpc-options.json") as? [String: Any])
        let telemetry = try #require(file["telemetry"] as? [String: Any])
        #expect(TelemetryNames.pairingTraces == telemetry["pairing_traces"] as? [String])
        #expect(TelemetryNames.pairingErrors == telemetry["pairing_errors"] as? [String])
        #expect(TelemetryNames.sessionErrors == telemetry["session_error_names"] as? [String])
    }
}
