import Foundation
import Synchronization
import Testing
import WalletConnectCore
import WalletConnectRelayServer
import WalletKitTesting

/// Issue #7 (faults), from the command line: a `walletkit wallet` and a `walletkit dapp --repeat N` process talk
/// through an in-test relay that closes every connection with 4010 every 2 s.
@Suite(
    "Faults: walletkit CLI through a 4010 storm", .enabled(if: CLIBinary.isAvailable, CLIBinary.skipNote),
    .timeLimit(.minutes(3)))
struct CLIStormTests {
    init() async {
        let note = await CLIBinary.rebuild.value
        if note != "rebuilt" && note != "up to date" { print("note: walletkit CLI storm test: \(note)") }
    }

    /// Requests sent by the dapp; the wallet runs with `--request-pacing` (the JS SDK's 1 s pause after each
    /// answer), so this is ~25 s of traffic spanning a dozen closes.
    static let requestCount = 25

    @Test("dapp --repeat 25 and wallet through a relay closing everything with 4010 every 2 s: exit 0, one answer each")
    func repeatThroughStorm() async throws {
        let scenario = try CLIScenario()
        defer { scenario.stopAll() }
        let relay = try await WKFixture.startRelay()
        let url = await relay.url
        let closes = CloseCounter()
        // The storm runs from before the pairing until the test ends (cancelled below).
        let storm = Task {
            let clock = ContinuousClock()
            let start = clock.now
            var tick = 1
            while !Task.isCancelled {
                do { try await clock.sleep(until: start + .seconds(2) * tick) } catch { return }
                await relay.closeAllConnections(code: 4010, reason: "Rebalancing")
                closes.bump()
                tick += 1
            }
        }
        do {
            try await Self.exchange(scenario: scenario, url: url, closes: closes)
        } catch {
            storm.cancel()
            await relay.stop()
            throw error
        }
        storm.cancel()
        _ = await storm.value
        let counters = await relay.counters()
        print(
            "CLI 4010 storm: \(closes.value) closes, \(counters.totalConnections) connections, "
                + "\(counters.published) publishes")
        await relay.stop()
    }

    static func exchange(scenario: CLIScenario, url: String, closes: CloseCounter) async throws {
        let (dapp, uri) = try await scenario.startDapp(
            relay: url,
            ["--request", "wallet_echo", "--params", #"["storm"]"#, "--repeat", "\(requestCount)", "--disconnect"])
        let wallet = try scenario.startWallet(
            relay: url,
            ["--uri", uri, "--accounts", "eip155:1:0x" + String(repeating: "5a", count: 20), "--until-delete",
             "--timeout", "90", "--request-pacing"])
        _ = try await dapp.line("requests", within: .seconds(30))
        let closesAtStart = closes.value

        #expect(try await dapp.exitStatus(within: .seconds(90)) == 0, "\(dapp.transcript)")
        let closesDuringTraffic = closes.value - closesAtStart
        #expect(try await wallet.exitStatus(within: .seconds(30)) == 0, "\(wallet.transcript)")

        // The dapp: N responses with N distinct ids, each the echo, and a summary without duplicates.
        let responses = dapp.events("response")
        let ids = responses.compactMap { $0.int("id") }
        #expect(responses.count == requestCount, "\(dapp.transcript)")
        #expect(Set(ids).count == requestCount)
        #expect(responses.allSatisfy { $0["result"] == [.string("storm")] })
        let done = try #require(dapp.events("requests_done").first)
        #expect(done.int("sent") == Int64(requestCount))
        #expect(done.int("answered") == Int64(requestCount))
        #expect(done.int("duplicates") == 0)
        #expect(done.int("errors") == 0)
        #expect(dapp.events("session_delete").first?.string("by") == "self")
        // The wallet: each request announced once and answered once, the same ids.
        let announced = wallet.events("session_request").compactMap { $0.int("id") }
        let answered = wallet.events("responded").compactMap { $0.int("id") }
        #expect(announced.count == requestCount, "\(wallet.transcript)")
        #expect(Set(announced) == Set(ids))
        #expect(answered.count == requestCount)
        #expect(Set(answered) == Set(ids))
        // The traffic spanned several closes.
        #expect(closesDuringTraffic >= 5, "only \(closesDuringTraffic) closes while the requests were in flight")
        print("CLI 4010 storm: \(closesDuringTraffic) closes while \(requestCount) requests were in flight")
    }
}

/// The number of storm closes so far, shared by the storm task and the test.
final class CloseCounter: Sendable {
    private let count = Atomic<Int>(0)

    /// The closes so far.
    var value: Int { count.load(ordering: .relaxed) }

    /// One more close.
    func bump() { count.add(1, ordering: .relaxed) }
}
