import Foundation
import Synchronization
import Testing
import WalletConnectCore
import WalletConnectRelayServer
import WalletConnectSign
import WalletKitTesting

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Every JSON-RPC response that reaches a dapp on one topic, in arrival order, read off the dapp's relay
/// connection before the engine drops duplicates (so a second answer to one request is counted, not hidden).
final class WireResponses: Sendable {
    private final class Log: Sendable {
        let ids = Locked<[Int64]>([])
    }

    private let log = Log()
    private let task: Task<Void, Never>

    /// Starts reading `client`'s inbound relay messages on `topic`.
    init(_ client: SignClient, topic: String) {
        let messages = client.relayer.messages()
        let crypto = client.crypto
        let log = self.log
        task = Task {
            for await message in messages where message.topic == topic {
                guard let text = try? await crypto.decode(topic: topic, encoded: message.message),
                    let object = (try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)))?.objectValue,
                    object["method"] == nil, let id = object["id"]?.int64Value
                else { continue }
                log.ids.withLock { $0.append(id) }
            }
        }
    }

    /// The response ids so far, in arrival order.
    var all: [Int64] { log.ids.withLock { $0 } }

    /// How many responses to `id` arrived.
    func count(_ id: Int64) -> Int { all.filter { $0 == id }.count }

    /// Stops reading.
    func stop() { task.cancel() }
}

/// The `walletkit wallet` process killed with SIGKILL while it holds a session request, then started again on the
/// same `--storage`: the SQLite file is intact, the request is announced again and answered exactly once.
@Suite(
    "walletkit CLI: SIGKILL mid-request", .serialized, .enabled(if: CLIBinary.isAvailable, CLIBinary.skipNote),
    .timeLimit(.minutes(3)))
struct CLIKillTests {
    init() async {
        let note = await CLIBinary.rebuild.value
        if note != "rebuilt" && note != "up to date" { print("note: walletkit CLI tests: \(note)") }
    }

    /// The SQLite header's read and write format versions (bytes 18 and 19): 2 and 2 for a database in WAL mode.
    static func headerFormatVersions(_ path: String) throws -> [UInt8] {
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        let header = try handle.read(upToCount: 20) ?? Data()
        return header.count == 20 ? [header[18], header[19]] : []
    }

    @Test("SIGKILL while a request is held: restarted, the wallet re-announces it and the dapp gets exactly one answer")
    func sigkillMidRequest() async throws {
        let scenario = try CLIScenario()
        defer { scenario.stopAll() }
        try await withRelay { relay, directory in
            let url = await relay.url
            let walletStorage = scenario.storage("wallet.sqlite")
            let account = "eip155:1:\(WKFixture.account)"
            let dappConfiguration = WKFixture.signConfiguration(
                metadata: WKFixture.dappMetadata, relayURL: url, databasePath: directory.path("dapp.sqlite"))
            try await SignClient.withSignClient(dappConfiguration) { dapp in
                // 1. Settle with a wallet that holds every request for 600 s: it is mid-request until killed.
                let connection = try await dapp.connect(optionalNamespaces: WKFixture.optionalNamespaces)
                let holding = try scenario.startWallet(
                    relay: url,
                    ["--uri", try #require(connection.uri), "--storage", walletStorage, "--accounts", account,
                     "--respond", "echo", "--respond-delay", "600", "--timeout", "150"])
                let session = try await BoundedWait.run(within: .seconds(30)) { try await connection.approval() }
                _ = try await holding.line("session_acknowledged")
                let wire = WireResponses(dapp, topic: session.topic)
                defer { wire.stop() }

                let call = Task {
                    try await dapp.request(
                        topic: session.topic, chainID: "eip155:1", method: "personal_sign", params: ["0x01", .string(account)])
                }
                defer { call.cancel() }
                let announced = try await holding.line("session_request")
                let id = try #require(announced.int("id"))
                #expect(announced.string("topic") == session.topic)

                // 2. Kill it mid-request: announced, stored as pending, not answered.
                #expect(kill(holding.pid, SIGKILL) == 0)
                #expect(try await holding.exitStatus() == SIGKILL, "\(holding.transcript)")
                #expect(holding.events("responded").isEmpty)
                #expect(wire.all.isEmpty)

                // 3. The file survived the kill: intact, still WAL, with the pending request in it.
                #expect(FileManager.default.fileExists(atPath: walletStorage + "-wal"))
                #expect(try Self.headerFormatVersions(walletStorage) == [2, 2])
                do {
                    let inspected = try SQLiteStorage(path: walletStorage, readOnly: true)
                    #expect(try await inspected.integrityProblems() == [])
                    let pending = try await inspected.values(withPrefix: StorageKey.client("request").rawValue + "/")
                    #expect(pending.map(\.key) == [StorageKey.client("request").rawValue + "/\(session.topic)/\(id)"])
                }

                // 4. Restart on the same storage, answering at once: announced again, answered, exactly once.
                let restarted = try scenario.startWallet(
                    relay: url, ["--storage", walletStorage, "--accounts", account, "--respond", "echo", "--timeout", "150"])
                let ready = try await restarted.line("ready")
                #expect(ready["sessions"] == [.string(session.topic)])
                #expect(ready.int("pendingRequests") == 1)
                #expect(try await restarted.line("session_request").int("id") == id)
                #expect(try await restarted.line("responded").int("id") == id)
                #expect(try await call.boundedValue(within: .seconds(30)) == ["0x01", .string(account)])

                // 5. A marker request after it: answered after the first, and nothing else arrives in between.
                let marker = try await BoundedWait.run(within: .seconds(30)) {
                    try await dapp.request(
                        topic: session.topic, chainID: "eip155:1", method: "personal_sign", params: ["0x02", .string(account)])
                }
                #expect(marker == ["0x02", .string(account)])
                let markerID = try await restarted.wait(for: "second responded line") { lines, _ in
                    let responded = lines.compactMap(CLIProcess.parse).filter { $0["event"]?.stringValue == "responded" }
                    return responded.count >= 2 ? responded[1].int("id") : nil
                }
                try await BoundedWait.until(within: .seconds(10)) { wire.count(markerID) == 1 }
                #expect(wire.all == [id, markerID], "responses on the wire: \(wire.all)")
                #expect(restarted.events("session_request").compactMap { $0.int("id") } == [id, markerID])
                #expect(restarted.events("responded").compactMap { $0.int("id") } == [id, markerID])
                #expect(await dapp.pendingSessionRequests().isEmpty)

                restarted.terminate()
                #expect(try await restarted.exitStatus() == 0, "\(restarted.transcript)")
                #expect(wire.all == [id, markerID], "no late duplicate: \(wire.all)")
                let after = try SQLiteStorage(path: walletStorage, readOnly: true)
                #expect(try await after.integrityProblems() == [])
                #expect(try await after.values(withPrefix: StorageKey.client("request").rawValue + "/").isEmpty)
            }
        }
    }
}

/// `walletkit wallet` killed, then restarted on a storage file it may not write: a clear error and exit 1, nothing
/// else; made writable again, the wallet resumes its session.
@Suite(
    "walletkit CLI: read-only storage", .serialized, .enabled(if: CLIBinary.isAvailable, CLIBinary.skipNote),
    .timeLimit(.minutes(2)))
struct CLIReadOnlyStorageTests {
    init() async {
        let note = await CLIBinary.rebuild.value
        if note != "rebuilt" && note != "up to date" { print("note: walletkit CLI tests: \(note)") }
    }

    @Test("wallet killed, restarted on an unwritable --storage file: exit 1 with a read-only error; writable again, it resumes")
    func unwritableStorage() async throws {
        let scenario = try CLIScenario()
        let walletStorage = scenario.storage("wallet.sqlite")
        defer {
            UnwritableFile.unprotect(walletStorage)
            scenario.stopAll()
        }
        let relay = try await scenario.startRelay()
        let account = "eip155:1:0x" + String(repeating: "34", count: 20)
        let (dapp, uri) = try await scenario.startDapp(relay: relay, [])
        let first = try scenario.startWallet(relay: relay, ["--uri", uri, "--storage", walletStorage, "--accounts", account])
        #expect(try await dapp.exitStatus() == 0, "\(dapp.transcript)")
        let topic = try #require(dapp.events("session_approved").first?.string("topic"))
        _ = try await first.line("session_acknowledged")
        // Killed, as a crash leaves it: the WAL still holds the session (SQLite then opens an unwritable file
        // read-only without writing anything itself, so only the storage's own check can notice).
        #expect(kill(first.pid, SIGKILL) == 0)
        #expect(try await first.exitStatus() == SIGKILL, "\(first.transcript)")
        let walSize = (try? FileManager.default.attributesOfItem(atPath: walletStorage + "-wal"))?[.size] as? NSNumber
        #expect((walSize?.intValue ?? 0) > 0)

        guard let how = UnwritableFile.protect(walletStorage) else {
            print("note: CLIReadOnlyStorageTests: cannot make a file unwritable here; skipped")
            return
        }
        let refused = try scenario.startWallet(relay: relay, ["--storage", walletStorage, "--accounts", account])
        #expect(try await refused.exitStatus() == 1, "\(how): \(refused.transcript)")
        #expect(refused.events("ready").isEmpty)
        let error = try #require(refused.objects.last, "\(refused.transcript)")
        #expect(error.string("event") == "error")
        #expect(error.string("message")?.contains("storage is read-only") == true, "\(refused.transcript)")

        UnwritableFile.unprotect(walletStorage)
        let resumed = try scenario.startWallet(relay: relay, ["--storage", walletStorage, "--accounts", account])
        #expect(try await resumed.line("ready")["sessions"] == [.string(topic)])
        resumed.terminate()
        #expect(try await resumed.exitStatus() == 0, "\(resumed.transcript)")
    }
}
