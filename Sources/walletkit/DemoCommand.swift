import ArgumentParser
import Foundation
import WalletConnectSign

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
        if stepTimeout <= 0 { throw ValidationError("--step-timeout must be positive") }
    }

    func run() async throws {
        let output = OutputWriter()
        let demo = DemoFlow(
            relayURL: relayURL, projectID: ClientOptions.projectID(option: projectID),
            logger: ClientOptions.makeLogger(label: "walletkit.demo", verbose: verbose),
            stepTimeout: ClientOptions.duration(seconds: stepTimeout) ?? .seconds(30), output: output)
        do {
            try await demo.run()
        } catch {
            output.text("✘ demo failed: \(CLIRunner.describe(error))")
            throw ExitCode.failure
        }
    }
}
