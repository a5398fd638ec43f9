import Testing
import WalletKitTesting
@testable import WalletConnectCore

@Suite("Misc helpers")
struct MiscVectorTests {
    @Test(
        "core-misc.json", .enabled(if: SharedVectors.isAvailable, SharedVectors.skipNote),
        arguments: SharedVectors.cases("core-misc.json"))
    func vector(_ vectorCase: VectorCase) throws {
        let v = CoreVector(vectorCase)
        if let ttl = v.inputInt("ttlSeconds") {
            let nowMs = try #require(v.inputInt("nowMs"))
            #expect(Expiry.calc(ttlSeconds: ttl, nowMilliseconds: nowMs) == v.expectedInt("expirySeconds"))
        } else if let expiry = v.inputInt("expiry") {
            let nowMs = try #require(v.inputInt("nowMs"))
            let expected = try #require(v.expected["expired"] as? Bool)
            #expect(Expiry.isExpired(expirySeconds: expiry, nowMilliseconds: nowMs) == expected)
        } else if v.input.keys.contains("key") {
            let target = try v.require(v.expectedString("target"), "target")
            if let key = v.inputString("key") {
                #expect(ExpirerTarget.format(key: key) == target)
                #expect(ExpirerTarget.format(key: target) == target)
                #expect(try ExpirerTarget(parsing: target) == .topic(key))
            } else {
                let id = try #require(v.inputInt("key"))
                #expect(ExpirerTarget.format(key: id) == target)
                #expect(ExpirerTarget.id(id).rawValue == target)
                #expect(try ExpirerTarget(parsing: target) == .id(id))
            }
        } else if let targets = v.input["targets"] as? [String] {
            let parsed = try #require(v.expected["parsed"] as? [Any])
            #expect(targets.count == parsed.count)
            for (text, expected) in zip(targets, parsed) {
                if let object = expected as? [String: Any] {
                    let target = try ExpirerTarget(parsing: text)
                    if let topic = object["topic"] as? String {
                        #expect(target == .topic(topic))
                    } else {
                        #expect(target == .id(try #require(CoreVector.int(object["id"]))))
                    }
                    #expect(target.rawValue == text)
                } else {
                    #expect(expected as? String == "error")
                    #expect(throws: ExpirerTargetError(target: text)) { try ExpirerTarget(parsing: text) }
                    #expect(
                        ExpirerTargetError(target: text).description
                            == "Invalid target, expected id:number or topic:string, got \(text)")
                }
            }
        } else if v.name.hasPrefix("storage_keys") {
            let prefix = v.inputString("customStoragePrefix") ?? ""
            let keys: [String: String] = [
                "subscription": StorageKey.subscription(prefix: prefix).rawValue,
                "expirer": StorageKey.expirer(prefix: prefix).rawValue,
                "keychain": StorageKey.keychain(prefix: prefix).rawValue,
                "messages": StorageKey.messages(prefix: prefix).rawValue,
                "messagesWithoutClientAck": StorageKey.messagesWithoutClientAck(prefix: prefix).rawValue,
                "history": StorageKey.history(prefix: prefix).rawValue,
                "pairing": StorageKey.pairing(prefix: prefix).rawValue,
                "verifyPublicKey": StorageKey.verifyPublicKey(prefix: prefix).rawValue,
                "eventClient": StorageKey.eventClient(prefix: prefix).rawValue,
                "clientId": StorageKey.clientIDKey,
                "linkModeApps": StorageKey.linkModeAppsKey,
            ]
            #expect(!v.expected.isEmpty)
            for (name, value) in v.expected {
                #expect(keys[name] == value as? String, "storage key \(name)")
            }
        } else if let relayURL = v.inputString("relayUrl") {
            let auth = v.inputString("auth")
            let projectID = v.inputString("projectId")
            let ua = v.inputString("ua")
            let cases: [(String, RelayURLBuilder)] = [
                ("authOnly", RelayURLBuilder(relayURL: relayURL, auth: auth, userAgent: ua, useOnCloseEvent: nil)),
                (
                    "withProject",
                    RelayURLBuilder(
                        relayURL: relayURL, auth: auth, projectID: projectID, userAgent: ua, useOnCloseEvent: nil)
                ),
                (
                    "withCloseEvent",
                    RelayURLBuilder(
                        relayURL: relayURL, auth: auth, projectID: projectID, userAgent: ua,
                        useOnCloseEvent: v.input["useOnCloseEvent"] as? Bool)
                ),
                (
                    "withPackageName",
                    RelayURLBuilder(
                        relayURL: relayURL, auth: auth, projectID: projectID, userAgent: ua, useOnCloseEvent: nil,
                        packageName: v.inputString("packageName"))
                ),
                (
                    "withBundleId",
                    RelayURLBuilder(
                        relayURL: relayURL, auth: auth, projectID: projectID, userAgent: ua, useOnCloseEvent: nil,
                        bundleID: v.inputString("bundleId"))
                ),
            ]
            #expect(Set(cases.map(\.0)) == Set(v.expected.keys))
            for (name, builder) in cases {
                #expect(builder.urlString == v.expectedString(name), "\(name)")
                #expect(builder.audience == relayURL)
            }
        } else if let proto = v.expectedString("protocol") {
            let sdk = try v.require(v.expectedString("sdk"), "sdk")
            let environment = v.expectedString("id")
            let version = String(sdk.dropFirst("swift-".count))
            let agent = UserAgent.make(sdkVersion: version, os: "linux", osVersion: "6.1.0", environment: environment)
            let parts = agent.split(separator: "/").map(String.init)
            #expect(parts[0] == proto)
            #expect(parts[1] == sdk)
            #expect(parts[2] == "linux-6.1.0")
            #expect(parts.count == 4 && parts[3] == environment)
            let language = String(parts[1].split(separator: "-")[0])
            #expect((v.expected["knownLanguages"] as? [String])?.contains(language) == true)
            let env = environment.map { String($0.split(separator: ":")[0]) }
            #expect(env.map { (v.expected["knownEnvironments"] as? [String])?.contains($0) == true } ?? true)
        } else {
            Issue.record("core-misc.json case \(v.name) has a shape this test does not know")
        }
    }

    @Test("user agent for this system")
    func currentUserAgent() {
        let agent = UserAgent.current(sdkVersion: "1.0.0")
        #expect(agent.hasPrefix("wc-2/swift-1.0.0/"))
        #expect(agent.split(separator: "/").count == 3)
        #if os(Linux)
        #expect(agent.contains("/linux-"))
        #endif
    }

    @Test("relay URL merges an existing query and omits absent values")
    func relayURLMerge() {
        let builder = RelayURLBuilder(relayURL: "wss://relay.example?zeta=1&alpha=a%20b", auth: "j.w.t", userAgent: nil)
        #expect(builder.urlString == "wss://relay.example?alpha=a%20b&auth=j.w.t&useOnCloseEvent=true&zeta=1")
        #expect(builder.audience == "wss://relay.example")
        #expect(RelayURLBuilder(relayURL: "wss://r", useOnCloseEvent: nil).urlString == "wss://r")
    }

    @Test("expiry arithmetic")
    func expiry() throws {
        #expect(Expiry.calc(ttlSeconds: 300, nowMilliseconds: 1_000_999) == 1300)
        #expect(!Expiry.isExpired(expirySeconds: 10, nowMilliseconds: 9_999))
        #expect(Expiry.isExpired(expirySeconds: 10, nowMilliseconds: 10_000))
        #expect(ExpirerTarget.format(key: "topic:x") == "topic:x")
        #expect(try ExpirerTarget(parsing: "topic:a:b") == .topic("a:b"))
        #expect(throws: ExpirerTargetError.self) { try ExpirerTarget(parsing: "nocolon") }
        // A session request is known by (topic, id): its own target round-trips; a malformed one is refused.
        let request = ExpirerTarget.request(topic: String(repeating: "ab", count: 32), id: 1_700_000_000_000_123)
        #expect(request.rawValue == "request:" + String(repeating: "ab", count: 32) + ":1700000000000123")
        #expect(try ExpirerTarget(parsing: request.rawValue) == request)
        #expect(request != .id(1_700_000_000_000_123))
        #expect(throws: ExpirerTargetError.self) { try ExpirerTarget(parsing: "request:abc") }
        #expect(throws: ExpirerTargetError.self) { try ExpirerTarget(parsing: "request:abc:x") }
    }
}
