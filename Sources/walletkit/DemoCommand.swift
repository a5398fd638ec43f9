import ArgumentParser
import Foundation
import WalletConnectSign

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// `walletkit demo`: a relay, a dApp and a wallet in one process, through a whole session life.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run a relay, a dApp and a wallet in one process through a whole session life.",
        discussion: """
            Starts the relay on a free loopback port (unless --relay-url), then: pair, proposal, approve, \
            personal_sign (signed by the wallet's demo secp256k1 key, verified by the dApp), update (add a chain), \
            extend, emit an event, ping, disconnect. Prints each step with its time, then a summary; exits 0 when \
            every step passed. State lives in a temporary folder that is removed at the end.
            """
    )

    @Option(name: .customLong("relay-url"), help: "Use this relay (ws:// or wss://) instead of starting one.")
    var relayURL: String?

    @Option(
        name: .customLong("project-id"),
        help: "Cloud project id sent to the relay (default: $WALLETCONNECT_PROJECT_ID when set).")
    var projectID: String?

    @Option(name: .customLong("step-timeout"), help: "Seconds each step may take.")
    var stepTimeout: Double = 30

    @Flag(name: .shortAndLong, help: "Log the library's debug output to stderr.")
    var verbose = false

    func validate() throws {
        if let relayURL { try ClientOptions.validateRelayURL(relayURL) }
        try ClientOptions.validateSeconds(stepTimeout, option: "--step-timeout", allowsZero: false)
    }

    func run() async throws {
        let output = OutputWriter()
        let demo = DemoFlow(
            relayURL: relayURL, projectID: ClientOptions.projectID(option: projectID),
            logger: ClientOptions.makeLogger(label: "walletkit.demo", verbose: verbose),
            stepTimeout: ClientOptions.duration(seconds: stepTimeout) ?? .seconds(30), output: output)
        // SIGINT/SIGTERM cancel the run, which still shuts both clients down and removes the temporary folder.
        let failure = await withTaskGroup(of: String?.self, returning: String?.self) { group in
            group.addTask {
                do {
                    try await demo.run()
                    return nil
                } catch {
                    return CLIRunner.describe(error)
                }
            }
            group.addTask {
                let number = await SignalWaiter.wait(for: [SIGINT, SIGTERM])
                return Task.isCancelled ? nil : "interrupted by signal \(number)"
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            await group.waitForAll()
            return first
        }
        if let failure {
            output.text("✘ demo failed: \(failure)")
            throw ExitCode.failure
        }
    }
}
