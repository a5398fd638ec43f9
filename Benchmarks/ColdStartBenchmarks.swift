import Foundation
import Logging
import Synchronization
import WalletConnectCore
import WalletConnectSign

/// Case 6: cold start of a wallet with 10,000 persisted sessions.
///
/// The parent process seeds a SQLite file (sessions, expirer entries, relayer subscriptions — what a previous
/// run leaves behind) and a key chain file (one key per session), then starts this executable again as a child
/// (`--cold-start-child`), so peak RSS is the child's alone. The child times storage open + key chain load +
/// the client's start-up (expirer, pairing, engine restore with resubscribe) until the engine is restored and
/// every session topic is resubscribed on the relay, and counts the `irn_batchSubscribe` calls.
enum ColdStartBenchmarks {
    static let sessionCount = 10_000
    static let childFlag = "--cold-start-child"

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    struct ChildReport: Codable {
        var restoreMilliseconds: Double
        var batchSubscribeCalls: Int
        var restoredSessions: Int
        var peakRSSBytes: Int
        var storageOpenMilliseconds: Double
        var keyChainMilliseconds: Double
    }

    // MARK: parent

    static func run() async throws -> [BenchmarkResult] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wk-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let topics = try await seed(directory: directory)

        return try await RelayBenchmarks.withServer { url in
            // Floor: the storage read of the same session rows (no decoding) + 20 raw irn_batchSubscribe round
            // trips of the same 10,000 topics on a fresh raw socket.
            let clock = ContinuousClock()
            let floorStart = clock.now
            let storage = try SQLiteStorage(path: directory.appendingPathComponent("wc.sqlite").path)
            let rows = try await storage.values(withPrefix: StorageKey.client("session").rawValue + "/")
            let responses = AwaitableCounter()
            let socket = try await RawSocket.connect(url: url) { _, _ in
                responses.increment()
                return false
            }
            var id: Int64 = 6_000_000_000
            for (index, batch) in stride(from: 0, to: topics.count, by: 500).enumerated() {
                id += 1
                try await socket.send(RawFrame.batchSubscribe(Array(topics[batch..<min(batch + 500, topics.count)]), id: id))
                // The expected count comes from the batch index: reading the counter after the send raced with a
                // fast response (then it waited for one response too many).
                try await responses.wait(for: index + 1, within: .seconds(10), "raw batch subscribe")
            }
            let floor = (clock.now - floorStart).nanoseconds / 1e6
            await socket.close()
            guard rows.count == sessionCount else { throw Failure(description: "seeded \(rows.count) rows") }

            let report = try runChild(directory: directory, url: url)
            guard report.restoredSessions == sessionCount else {
                throw Failure(description: "restored \(report.restoredSessions) of \(sessionCount) sessions")
            }
            let mb = Double(report.peakRSSBytes) / 1_048_576
            return [
                BenchmarkResult(
                    name: "cold_start_10k_sessions_ms", value: report.restoreMilliseconds, unit: "ms",
                    floorName: "SQLite read of the 10k session rows + 20 raw irn_batchSubscribe round trips",
                    floor: floor, ratio: report.restoreMilliseconds / floor, higherIsBetter: false, target: "<= 1000 ms",
                    notes: "child process: SQLite open \(fmt(report.storageOpenMilliseconds)) ms, key chain load "
                        + "\(fmt(report.keyChainMilliseconds)) ms, then Relayer connect+resubscribe, Expirer, Pairing, "
                        + "SignEngine.start (load + restore + resubscribe)"),
                BenchmarkResult(
                    name: "cold_start_resubscribe_batches", value: Double(report.batchSubscribeCalls), unit: "calls",
                    floorName: "ceil(10000 / 500)", floor: 20, ratio: Double(report.batchSubscribeCalls) / 20,
                    higherIsBetter: false, target: "20",
                    notes: "irn_batchSubscribe calls made by the Relayer during start-up (counted from its trace log)"),
                BenchmarkResult(
                    name: "cold_start_peak_rss_mb", value: mb, unit: "MB", floorName: "(none: absolute target)",
                    floor: 100, ratio: mb / 100, higherIsBetter: false, target: "<= 100 MB",
                    notes: "VmHWM of the child process at the end of start-up"),
            ]
        }
    }

    static func fmt(_ value: Double) -> String { String(format: "%.1f", value) }

    /// Writes 10,000 sessions, their expirer entries and relayer subscriptions (one transaction each) and a key
    /// chain file with their keys; returns the session topics.
    static func seed(directory: URL) async throws -> [String] {
        let storage = try SQLiteStorage(path: directory.appendingPathComponent("wc.sqlite").path)
        var keys: [String: String] = [Crypto.clientSeedTag: Hex.encode(SecureRandom.bytes(32))]
        var sessions: [(key: String, value: Session)] = []
        var expiries: [(key: String, value: ExpirerEntry)] = []
        var subscriptions: [StorageChange] = []
        let expiry = Int64(Date().timeIntervalSince1970) + 7 * 86_400
        let peerMetadata = Metadata(
            name: "Bench dapp", description: "A dapp with a realistic metadata block",
            url: "https://dapp.example", icons: ["https://dapp.example/icon.png"])
        let selfMetadata = Metadata(
            name: "Bench wallet", description: "The wallet under test", url: "https://wallet.example",
            icons: ["https://wallet.example/icon.png"])
        let subscriptionPrefix = StorageKey.subscription().rawValue + "/"
        for _ in 0..<sessionCount {
            let symKey = SecureRandom.bytes(32)
            let topic = Hex.encode(SHA256Digest.hash(symKey))
            keys[topic] = Hex.encode(symKey)
            let selfKey = Hex.encode(SecureRandom.bytes(32))
            let session = Session(
                topic: topic, pairingTopic: Hex.encode(SecureRandom.bytes(32)), expiry: expiry, acknowledged: true,
                controller: selfKey, namespaces: SignParty.namespaces, optionalNamespaces: SignParty.optionalNamespaces,
                selfParticipant: Participant(publicKey: selfKey, metadata: selfMetadata),
                peer: Participant(publicKey: Hex.encode(SecureRandom.bytes(32)), metadata: peerMetadata))
            sessions.append((topic, session))
            let target = ExpirerTarget.topic(topic).rawValue
            expiries.append((target, ExpirerEntry(target: target, expiry: expiry)))
            subscriptions.append(.set(key: subscriptionPrefix + topic, value: Data(#"{"topic":"\#(topic)"}"#.utf8)))
        }
        try await Store<Session>(storage: storage, storageKey: .client("session")).set(sessions)
        try await Store<ExpirerEntry>(storage: storage, storageKey: .expirer()).set(expiries)
        try await storage.write(subscriptions)
        // The key chain's persisted form (a JSON object tag -> hex), written once instead of 10,001 rewrites.
        let keyChainURL = directory.appendingPathComponent("keychain.json")
        try JSONEncoder().encode(keys).write(to: keyChainURL)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: keyChainURL.path)
        return sessions.map(\.key)
    }

    static func runChild(directory: URL, url: String) throws -> ChildReport {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        process.arguments = [childFlag, directory.path, url]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "cold start child exited with \(process.terminationStatus)")
        }
        return try JSONDecoder().decode(ChildReport.self, from: data)
    }

    // MARK: child

    /// Counts the Relayer's `irn_batchSubscribe` calls (its trace log "relay call" carries the method).
    struct CallCountingHandler: LogHandler {
        let counter: Counter
        var metadata: Logger.Metadata = [:]
        var metadataProvider: Logger.MetadataProvider?
        var logLevel: Logger.Level = .trace

        init(counter: Counter) { self.counter = counter }

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            if case .string(let method)? = event.metadata?["wk.method"], method == IRN.Method.batchSubscribe {
                counter.calls.add(1, ordering: .relaxed)
            }
        }
    }

    static func child(directory: String, url: String) async throws {
        let clock = ContinuousClock()
        let start = clock.now
        let storage = try SQLiteStorage(path: directory + "/wc.sqlite")
        let opened = clock.now
        let keyChain = try KeyChain(fileURL: URL(fileURLWithPath: directory + "/keychain.json"))
        let keysLoaded = clock.now
        let counter = Counter()
        let logger = Logger(label: "bench.relayer", factory: { _ in CallCountingHandler(counter: counter) })
        let party = try await SignParty.make(
            name: "wallet", url: url, storage: storage, keyChain: keyChain, relayerLogger: logger)
        // The relayer resubscribes its persisted topics before it reports `.connected`; the engine's own
        // resubscribe inside start() has returned by now.
        for await state in party.relayer.connectionStates() where state == .connected { break }
        let done = clock.now
        let restored = await party.engine.activeSessions().count
        let report = ChildReport(
            restoreMilliseconds: (done - start).nanoseconds / 1e6,
            batchSubscribeCalls: counter.calls.load(ordering: .relaxed), restoredSessions: restored,
            peakRSSBytes: peakResidentBytes() ?? -1, storageOpenMilliseconds: (opened - start).nanoseconds / 1e6,
            keyChainMilliseconds: (keysLoaded - opened).nanoseconds / 1e6)
        await party.stop()
        print(String(decoding: try JSONEncoder().encode(report), as: UTF8.self))
    }

    final class Counter: Sendable {
        let calls = Atomic<Int>(0)
    }
}
