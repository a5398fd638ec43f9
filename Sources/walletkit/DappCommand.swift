import ArgumentParser
import Foundation
import WalletConnectCore
import WalletConnectSign

/// `walletkit dapp`: proposes a session (or resumes a stored one), sends requests, verifies signatures.
struct DappCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dapp",
        abstract: "Run a dApp: print a wc: URI, wait for approval, send requests (JSON lines on stdout).",
        discussion: """
            Exit status: 0 when everything asked for completed, 3 when the wallet refused (proposal rejected, a \
            request answered with an error, authentication refused), 1 otherwise (timeout, relay or usage error). \
            With --storage holding an active session, that session is resumed instead of proposing a new one \
            (unless --new-session). See Docs/CLI.md.
            """
    )

    @OptionGroup var client: ClientOptions

    @Option(help: "Chains to request, comma-separated CAIP-2.")
    var chains = "eip155:1"

    @Option(help: "Methods to request, comma-separated (the --request method is added).")
    var methods = "personal_sign,eth_sign"

    @Option(help: "Events to request, comma-separated.")
    var events = "accountsChanged,chainChanged"

    @Option(help: "Send this session request once the session is up.")
    var request: String?

    @Option(help: "The request's params as JSON (default for personal_sign/eth_sign: a message and the session account).")
    var params: String?

    @Option(
        name: .customLong("repeat"),
        help: "Send the request this many times (concurrently), 1 to \(Self.maximumRepeat).")
    var repeatCount = 1

    @Flag(help: "Ping the session after the requests.")
    var ping = false

    @Flag(help: "Disconnect the session at the end.")
    var disconnect = false

    @Flag(help: "Sign in with wc_sessionAuthenticate (one-click auth) instead of a plain proposal.")
    var authenticate = false

    @Option(help: "Resume this stored session topic.")
    var topic: String?

    @Flag(name: .customLong("new-session"), help: "Propose a new session even if --storage holds one.")
    var newSession = false

    @Option(help: "Fail after this many seconds.")
    var timeout: Double = 120

    @Flag(
        name: .customLong("link-mode"),
        help: "With --authenticate: send through links to --wallet-link; print {\"event\":\"open_url\",\"url\":…} for every link to open and read links to dispatch from stdin. Needs no reachable relay.")
    var linkMode = false

    @Option(name: .customLong("universal-link"), help: "This dapp's universal link (https), with --link-mode.")
    var universalLink: String?

    @Option(name: .customLong("wallet-link"), help: "The wallet's universal link (https), with --link-mode.")
    var walletLink: String?

    /// The largest `--repeat`: every request is held in memory until answered.
    static let maximumRepeat = 10_000

    func validate() throws {
        let chainList = chains.commaSeparated
        guard !chainList.isEmpty else { throw ValidationError("--chains needs at least one chain") }
        for chain in chainList where chain.split(separator: ":").count != 2 {
            throw ValidationError("--chains takes CAIP-2 chains (namespace:reference), got \(chain)")
        }
        if authenticate, chainList.contains(where: { !$0.hasPrefix("eip155:") }) {
            throw ValidationError("--authenticate supports eip155 chains only")
        }
        if !(1...Self.maximumRepeat).contains(repeatCount) {
            throw ValidationError("--repeat must be between 1 and \(Self.maximumRepeat)")
        }
        if repeatCount > 1 && request == nil { throw ValidationError("--repeat needs --request") }
        if params != nil && request == nil { throw ValidationError("--params needs --request") }
        if let params { _ = try Self.parseParams(params) }
        try ClientOptions.validateSeconds(timeout, option: "--timeout", allowsZero: false)
        if linkMode {
            guard authenticate else { throw ValidationError("--link-mode needs --authenticate") }
            for (option, value) in [("--universal-link", universalLink), ("--wallet-link", walletLink)] {
                guard let value, let scheme = URLComponents(string: value)?.scheme?.lowercased(),
                    scheme == "https" || scheme == "http"
                else { throw ValidationError("--link-mode needs \(option) with an https URL") }
            }
        } else if universalLink != nil || walletLink != nil {
            throw ValidationError("--universal-link and --wallet-link need --link-mode")
        }
    }

    /// Parses `--params` as any JSON value.
    static func parseParams(_ text: String) throws -> JSONValue {
        do {
            return try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        } catch {
            throw ValidationError("--params is not valid JSON")
        }
    }

    func run() async throws {
        let output = OutputWriter()
        var methodList = methods.commaSeparated
        if let request, !methodList.contains(request) { methodList.append(request) }
        let settings = DappSettings(
            chains: chains.commaSeparated, methods: methodList, events: events.commaSeparated,
            request: request, params: try params.map(Self.parseParams), repeatCount: repeatCount, ping: ping,
            disconnect: disconnect, authenticate: authenticate, topic: topic, newSession: newSession,
            walletLink: linkMode ? walletLink : nil)
        let flow = DappFlow(settings: settings, output: output)
        let metadata = linkMode ? LinkInput.metadata(.cliDapp, universalLink: universalLink ?? "") : .cliDapp
        let configuration = try client.configuration(metadata: metadata, label: "walletkit.dapp")
        let linkMode = self.linkMode
        let end = await CLIRunner.run(
            make: { try SignClient(configuration: configuration) }, subscribe: { $0.events() },
            timeout: ClientOptions.duration(seconds: timeout),
            relayUnreachable: LinkInput.unreachableRelayReport(linkMode: linkMode, output: output)
        ) { client, events in
            guard linkMode else { return try await flow.run(client: client, events: events) }
            await client.setLinkModeTransport(PrintingLinkTransport(output: output))
            return try await LinkInput.run(output: output, dispatch: { try await client.dispatchEnvelope($0) }) {
                try await flow.run(client: client, events: events)
            }
        }
        try CLIRunner.finish(end, output: output, interruptionCompletes: false, timeoutCompletes: false)
    }
}
