import Foundation
import WalletConnectCore
import WalletConnectSign

/// Cases 4 and 5: a dapp and a wallet (hand-composed Sign clients, one relay WebSocket each) through the
/// project's relay server; floors from ``RawEcho`` through the same server in the same run.
enum SignBenchmarks {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static let requestParams: JSONValue = [
        "0x48656c6c6f20576f726c64", .string(SignParty.account),
    ]

    /// One `personal_sign` request on `topic`; checks the wallet's answer.
    static func request(_ dapp: SignParty, topic: String) async throws {
        let result = try await dapp.engine.request(
            topic: topic, chainID: "eip155:1", method: "personal_sign", params: requestParams)
        guard result == WalletApp.signature else { throw Failure(description: "unexpected result \(result)") }
    }

    static func run() async throws -> [BenchmarkResult] {
        try await RelayBenchmarks.withServer { url in
            let dapp = try await SignParty.make(name: "dapp", url: url)
            let wallet = try await SignParty.make(name: "wallet", url: url)
            let app = WalletApp.start(wallet)
            defer { app.cancel() }

            // Case 5: pairing URI -> session settled, 100 sessions (kept for case 4), after 10 warm-up ones.
            let clock = ContinuousClock()
            var settleSamples: [Double] = []
            var sessions: [String] = []
            for index in 0..<110 {
                let connection = try await dapp.engine.connect(optionalNamespaces: SignParty.optionalNamespaces)
                guard let uri = connection.uri else { throw Failure(description: "no uri") }
                let start = clock.now
                try await wallet.engine.pair(uri: uri)
                let session = try await connection.approval()
                let elapsed = (clock.now - start).nanoseconds / 1000
                if index >= 10 {
                    settleSamples.append(elapsed)
                    sessions.append(session.topic)
                }
            }

            // Case 4: sequential round trips on one session, then throughput over 1, 10, 100 sessions.
            for _ in 0..<200 { try await request(dapp, topic: sessions[0]) }
            var roundTrips: [Double] = []
            for _ in 0..<2_000 {
                let start = clock.now
                try await request(dapp, topic: sessions[0])
                roundTrips.append((clock.now - start).nanoseconds / 1000)
            }
            func throughput(sessionCount: Int, perSession: Int) async throws -> Double {
                let start = clock.now
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for topic in sessions.prefix(sessionCount) {
                        group.addTask {
                            for _ in 0..<perSession { try await request(dapp, topic: topic) }
                        }
                    }
                    try await group.waitForAll()
                }
                return Double(sessionCount * perSession) / ((clock.now - start).nanoseconds / 1e9)
            }
            let rate1 = try await median(3) { try await throughput(sessionCount: 1, perSession: 1_000) }
            let rate10 = try await median(3) { try await throughput(sessionCount: 10, perSession: 200) }
            let rate100 = try await median(3) { try await throughput(sessionCount: 100, perSession: 40) }

            // Floors through the same server: raw two-hop echo.
            let echo = try await RawEcho.open(url: url, laneCount: 100, run: 1)
            _ = try await echo.latencies(500, from: 0)
            let echoRTT = try await echo.latencies(5_000, from: 1_000)
            var sequence = 100_000
            func echoRate(_ lanes: Int, _ perLane: Int) async throws -> Double {
                let sub = RawEcho(
                    requester: echo.requester, responder: echo.responder,
                    requestTopics: Array(echo.requestTopics.prefix(lanes)), lanes: Array(echo.lanes.prefix(lanes)),
                    ids: echo.ids)
                sequence += 100_000
                return try await sub.throughput(perLane: perLane, from: sequence)
            }
            let echo1 = try await median(3) { try await echoRate(1, 2_000) }
            let echo10 = try await median(3) { try await echoRate(10, 1_000) }
            let echo100 = try await median(3) { try await echoRate(100, 200) }
            await echo.close()

            await dapp.stop()
            await wallet.stop()

            let p50 = Measure.percentile(roundTrips, 50)
            let p99 = Measure.percentile(roundTrips, 99)
            let echoP50 = Measure.percentile(echoRTT, 50)
            let echoP99 = Measure.percentile(echoRTT, 99)
            let settleP50 = Measure.percentile(settleSamples, 50)
            let echoNote = "raw WSClient 2-hop echo through the relay (publish -> peer republishes -> back)"
            func rate(_ name: String, _ value: Double, _ floor: Double, _ target: String, _ notes: String)
                -> BenchmarkResult
            {
                BenchmarkResult(
                    name: name, value: value, unit: "req/s", floorName: echoNote + ", same lanes", floor: floor,
                    ratio: value / floor, higherIsBetter: true, target: target, notes: notes)
            }
            return [
                BenchmarkResult(
                    name: "sign_request_roundtrip_p50_us", value: p50, unit: "us", floorName: echoNote + " p50",
                    floor: echoP50, ratio: p50 / echoP50, higherIsBetter: false, target: "<= 2x floor",
                    notes: "dapp engine.request -> relay -> wallet event -> respondSessionRequest -> relay -> dapp; 2000 sequential"),
                BenchmarkResult(
                    name: "sign_request_roundtrip_p99_us", value: p99, unit: "us", floorName: echoNote + " p99",
                    floor: echoP99, ratio: p99 / echoP99, higherIsBetter: false, target: "(informative)",
                    notes: "as above, 99th percentile"),
                rate("sign_requests_per_s_1_session", rate1, echo1, "(informative)", "1 session, sequential"),
                rate("sign_requests_per_s_10_sessions", rate10, echo10, "(informative)", "10 sessions, 1 in flight each"),
                rate(
                    "sign_requests_per_s_100_sessions", rate100, echo100, ">= 10000 req/s",
                    "100 sessions, 1 in flight each (per-session request queue, release delay 0)"),
                BenchmarkResult(
                    name: "pairing_uri_to_settled_p50_us", value: settleP50, unit: "us", floorName: echoNote + " p50",
                    floor: echoP50, ratio: settleP50 / echoP50, higherIsBetter: false, target: "<= 10000 us",
                    notes: "wallet pair(uri) -> proposal -> approveSession -> dapp approval() returns; 100 samples"),
            ]
        }
    }
}
