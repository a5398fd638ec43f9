import Foundation
import Synchronization
import WalletConnectCore
import WalletConnectSign

/// Counts what reaches a storage: every `write` is one transaction (SQLite commits it at once).
final class CountingStorage: KeyValueStorage {
    struct Counts: Sendable {
        var transactions = 0
        var changes = 0
        /// Transactions by the store that wrote them (the key's name after `//`, up to its first `/` or `:`).
        var byStore: [String: Int] = [:]
    }

    let base: any KeyValueStorage
    private let counts = Mutex(Counts())

    init(_ base: any KeyValueStorage) { self.base = base }

    var snapshot: Counts { counts.withLock { $0 } }

    static func store(of change: StorageChange) -> String {
        let key: String
        switch change {
        case .set(let name, _): key = name
        case .remove(let name): key = name
        }
        let tail = key.components(separatedBy: "//").last ?? key
        return String(tail.prefix { $0 != "/" && $0 != ":" })
    }

    /// `store: count` per answered request, between two snapshots.
    static func perRequest(_ before: Counts, _ after: Counts, requests: Int) -> String {
        after.byStore.keys.sorted().compactMap { store in
            let count = after.byStore[store, default: 0] - before.byStore[store, default: 0]
            return count == 0 ? nil : "\(store) \(String(format: "%.1f", Double(count) / Double(requests)))"
        }.joined(separator: ", ")
    }

    func value(forKey key: String) async throws -> Data? { try await base.value(forKey: key) }

    func values(withPrefix prefix: String) async throws -> [StorageItem] { try await base.values(withPrefix: prefix) }

    func write(_ changes: [StorageChange]) async throws {
        guard !changes.isEmpty else { return }
        let stores = Set(changes.map { Self.store(of: $0) }).sorted().joined(separator: "+")
        counts.withLock {
            $0.transactions += 1
            $0.changes += changes.count
            $0.byStore[stores, default: 0] += 1
        }
        try await base.write(changes)
    }
}

/// The session-request cases with the storage a user gets by default: a SQLite file per side (WAL), instead of
/// the in-memory storage of ``SignBenchmarks``. Reports the round trip and the 100-session rate against the same
/// raw echo floor, and the SQLite transactions per answered request on each side (issue 14: ≤ 2 on the wallet).
enum SignStorageBenchmarks {
    static func run() async throws -> [BenchmarkResult] {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("walletkit-bench-\(UInt64.random(in: 0...UInt64.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let dappStorage = CountingStorage(try SQLiteStorage(path: directory.appendingPathComponent("dapp.sqlite").path))
        let walletStorage = CountingStorage(
            try SQLiteStorage(path: directory.appendingPathComponent("wallet.sqlite").path))

        return try await RelayBenchmarks.withServer { url in
            let dapp = try await SignParty.make(name: "dapp", url: url, storage: dappStorage)
            let wallet = try await SignParty.make(name: "wallet", url: url, storage: walletStorage)
            let app = WalletApp.start(wallet)
            defer { app.cancel() }

            var sessions: [String] = []
            for _ in 0..<100 {
                let connection = try await dapp.engine.connect(optionalNamespaces: SignParty.optionalNamespaces)
                guard let uri = connection.uri else { throw SignBenchmarks.Failure(description: "no uri") }
                try await wallet.engine.pair(uri: uri)
                sessions.append(try await connection.approval().topic)
            }

            // Transactions per answered request: a quiet stretch of sequential requests on one session.
            for _ in 0..<50 { try await SignBenchmarks.request(dapp, topic: sessions[0]) }
            let counted = 500
            let walletBefore = walletStorage.snapshot
            let dappBefore = dappStorage.snapshot
            let clock = ContinuousClock()
            var roundTrips: [Double] = []
            for _ in 0..<counted {
                let start = clock.now
                try await SignBenchmarks.request(dapp, topic: sessions[0])
                roundTrips.append((clock.now - start).nanoseconds / 1000)
            }
            // The wallet's last answer may still be finishing its bookkeeping after the dapp has the result: at
            // most one request's writes of 500 are missed (0.2 %).
            let walletAfter = walletStorage.snapshot
            let dappAfter = dappStorage.snapshot

            let start = clock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                for topic in sessions {
                    group.addTask { for _ in 0..<20 { try await SignBenchmarks.request(dapp, topic: topic) } }
                }
                try await group.waitForAll()
            }
            let rate100 = Double(sessions.count * 20) / ((clock.now - start).nanoseconds / 1e9)

            let echo = try await RawEcho.open(url: url, laneCount: 100, run: 7)
            _ = try await echo.latencies(500, from: 0)
            let echoRTT = try await echo.latencies(3_000, from: 1_000)
            let echoRate = try await echo.throughput(perLane: 100, from: 50_000)
            await echo.close()
            await dapp.stop()
            await wallet.stop()

            let echoNote = "raw WSClient 2-hop echo through the relay (publish -> peer republishes -> back)"
            let p50 = Measure.percentile(roundTrips, 50)
            let echoP50 = Measure.percentile(echoRTT, 50)
            let walletTx = Double(walletAfter.transactions - walletBefore.transactions) / Double(counted)
            let dappTx = Double(dappAfter.transactions - dappBefore.transactions) / Double(counted)
            let walletRows = Double(walletAfter.changes - walletBefore.changes) / Double(counted)
            let dappRows = Double(dappAfter.changes - dappBefore.changes) / Double(counted)
            return [
                BenchmarkResult(
                    name: "sqlite_sign_request_roundtrip_p50_us", value: p50, unit: "us", floorName: echoNote + " p50",
                    floor: echoP50, ratio: p50 / echoP50, higherIsBetter: false, target: "<= 1.5x",
                    notes: "as sign_request_roundtrip_p50_us, both sides on a SQLite file (the default storage)"),
                BenchmarkResult(
                    name: "sqlite_sign_requests_per_s_100_sessions", value: rate100, unit: "req/s",
                    floorName: echoNote + ", 100 lanes", floor: echoRate, ratio: rate100 / echoRate,
                    higherIsBetter: true, target: ">= 0.8x",
                    notes: "100 sessions, 1 in flight each, both sides on a SQLite file"),
                BenchmarkResult(
                    name: "sqlite_wallet_transactions_per_request", value: walletTx, unit: "tx/req", floorName: "target",
                    floor: 2, ratio: walletTx / 2, higherIsBetter: false, target: "<= 2",
                    notes: "SQLite write transactions on the wallet per answered request (\(String(format: "%.1f", walletRows)) rows changed; by store: \(CountingStorage.perRequest(walletBefore, walletAfter, requests: counted))); each commits (WAL)"),
                BenchmarkResult(
                    name: "sqlite_dapp_transactions_per_request", value: dappTx, unit: "tx/req", floorName: "(informative)",
                    floor: 1, ratio: dappTx, higherIsBetter: false, target: "(informative)",
                    notes: "SQLite write transactions on the dapp per request sent and answered (\(String(format: "%.1f", dappRows)) rows changed; by store: \(CountingStorage.perRequest(dappBefore, dappAfter, requests: counted)))"),
            ]
        }
    }
}
