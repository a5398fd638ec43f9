import Foundation
import Testing
import WalletConnectCore
import WalletConnectSign

/// The `walletkit` executable against input that used to end it: durations that trapped on conversion.
@Suite(
    "walletkit CLI: hostile input", .serialized, .enabled(if: CLIBinary.isAvailable, CLIBinary.skipNote),
    .timeLimit(.minutes(5)))
struct CLIHostileTests {
    init() async {
        let note = await CLIBinary.rebuild.value
        if note != "rebuilt" && note != "up to date" { print("note: walletkit CLI tests: \(note)") }
    }

    static let account = "eip155:1:0x" + String(repeating: "ab", count: 20)

    /// Every duration option, with the arguments that get it past the other checks.
    static let durationOptions: [(option: String, prefix: [String])] = [
        ("--timeout", ["dapp", "--relay-url", "ws://127.0.0.1:1"]),
        ("--step-timeout", ["demo", "--relay-url", "ws://127.0.0.1:1"]),
        ("--respond-delay", ["wallet", "--relay-url", "ws://127.0.0.1:1", "--accounts", account]),
        ("--timeout", ["wallet", "--relay-url", "ws://127.0.0.1:1", "--accounts", account]),
    ]

    @Test(
        "a duration that is not a finite number of seconds in range exits 64 with a clear message",
        arguments: durationOptions.indices, ["inf", "1e300", "1e16", "nan", "-inf"])
    func badDuration(option index: Int, value: String) async throws {
        let (option, prefix) = Self.durationOptions[index]
        let scenario = try CLIScenario()
        defer { scenario.stopAll() }
        let process = try scenario.launch("cli", prefix + ["\(option)=\(value)"])
        #expect(try await process.exitStatus() == 64, "\(process.transcript)")
        #expect(
            process.stderr.contains("\(option): must be a finite number of seconds"), "\(process.transcript)")
    }
}
