import ArgumentParser
import Foundation
import WalletConnectSign
import WalletKit

/// How `walletkit wallet` answers session requests.
enum RespondMode: String, ExpressibleByArgument, CaseIterable, Sendable {
    /// A real EIP-191 signature for `personal_sign` / `eth_sign` (needs `--private-key`); other methods get 5101.
    case sign
    /// The request's params back as the result.
    case echo
    /// Error 5000 `User rejected.`.
    case reject
}

/// `walletkit wallet`: pairs with a dapp, approves (or rejects) its proposal, and answers its requests.
struct WalletCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wallet",
        abstract: "Run a wallet: pair from a wc: URI, approve or reject, answer requests (JSON lines on stdout).",
        discussion: """
            Without --uri it resumes the sessions kept in --storage and answers their pending requests. Runs until \
            SIGINT/SIGTERM or --timeout (exit 0); with --until-delete it exits 0 once the dapp deletes the session; \
            with --reject it exits 0 once the proposal (or authenticate request) is rejected. See Docs/CLI.md.
            """
    )

    @OptionGroup var client: ClientOptions

    @Option(help: "The dapp's pairing URI (wc:…).")
    var uri: String?

    @Option(help: "Accounts to approve, comma-separated CAIP-10 (default: the --private-key address on the requested chains).")
    var accounts: String?

    @Flag(help: "Reject the proposal (and authenticate requests) with 5000 User rejected.")
    var reject = false

    @Option(help: "How to answer session requests: sign, echo or reject (default: sign with --private-key, else echo).")
    var respond: RespondMode?

    @Option(
        name: .customLong("private-key"),
        help: "secp256k1 private key (hex) for sign and authenticate. Visible to local users in ps and /proc: prefer --private-key-file or $WALLETKIT_PRIVATE_KEY.")
    var privateKey: String?

    @Option(
        name: .customLong("private-key-file"),
        help: "File holding the private key as hex; refused unless its mode is 0600 or stricter.")
    var privateKeyFile: String?

    @Option(name: .customLong("respond-delay"), help: "Seconds to wait before answering each request.")
    var respondDelay: Double = 0

    @Flag(
        name: .customLong("disable-request-queue"),
        help: "Take every session request at once instead of one at a time per session.")
    var disableRequestQueue = false

    @Flag(
        name: .customLong("request-pacing"),
        help: "Pause 1 s after answering a request before taking the next of the session (the JS SDK's pacing).")
    var requestPacing = false

    @Flag(name: .customLong("until-delete"), help: "Exit 0 once the peer deletes the session.")
    var untilDelete = false

    @Option(help: "Stop after this many seconds (with --until-delete: fail).")
    var timeout: Double?

    @Flag(
        name: .customLong("link-mode"),
        help: "Advertise link mode: print {\"event\":\"open_url\",\"url\":…} for every link to open and read links to dispatch from stdin, one per line. Needs no reachable relay.")
    var linkMode = false

    @Option(name: .customLong("universal-link"), help: "This wallet's universal link (https), with --link-mode.")
    var universalLink: String?

    func validate() throws {
        if let uri, !uri.hasPrefix("wc:") { throw ValidationError("--uri must be a wc: URI") }
        // A malformed or exposed key is a usage error (exit 64, as Docs/CLI.md says), not a run failure (exit 1).
        let key = try PrivateKeySource.resolve(option: privateKey, file: privateKeyFile)
        if respond == .sign && key == nil {
            throw ValidationError("--respond sign needs --private-key, --private-key-file or $WALLETKIT_PRIVATE_KEY")
        }
        if accounts == nil && key == nil && !reject && uri != nil {
            throw ValidationError("pass --accounts or --private-key / --private-key-file / $WALLETKIT_PRIVATE_KEY (or --reject)")
        }
        for account in accounts?.commaSeparated ?? [] where account.split(separator: ":").count != 3 {
            throw ValidationError("--accounts takes CAIP-10 accounts (namespace:reference:address), got \(account)")
        }
        try ClientOptions.validateSeconds(respondDelay, option: "--respond-delay", allowsZero: true)
        if let timeout { try ClientOptions.validateSeconds(timeout, option: "--timeout", allowsZero: false) }
        if linkMode {
            guard let universalLink, let scheme = URLComponents(string: universalLink)?.scheme?.lowercased(),
                scheme == "https" || scheme == "http"
            else { throw ValidationError("--link-mode needs --universal-link with an https URL") }
        } else if universalLink != nil {
            throw ValidationError("--universal-link needs --link-mode")
        }
    }

    func run() async throws {
        let output = OutputWriter()
        let key = try PrivateKeySource.resolve(option: privateKey, file: privateKeyFile)
        let settings = WalletSettings(
            uri: uri, approval: WalletApproval(accounts: accounts?.commaSeparated ?? [], privateKey: key),
            reject: reject, respond: respond ?? (key == nil ? .echo : .sign),
            respondDelay: ClientOptions.duration(seconds: respondDelay), untilDelete: untilDelete)
        let flow = WalletFlow(settings: settings, output: output)
        let metadata = linkMode ? LinkInput.metadata(.cliWallet, universalLink: universalLink ?? "") : .cliWallet
        var configuration = try client.configuration(metadata: metadata, label: "walletkit.wallet")
        let linkMode = self.linkMode
        if disableRequestQueue { configuration.engine.requestQueue = .disabled }
        if requestPacing { configuration.engine.requestQueueReleaseDelay = SignEngineOptions.jsRequestPacing }
        let end = await CLIRunner.run(
            make: { try WalletKit(configuration: WalletKitConfiguration(sign: configuration)) },
            subscribe: { $0.signEvents }, timeout: ClientOptions.duration(seconds: timeout),
            relayUnreachable: LinkInput.unreachableRelayReport(linkMode: linkMode, output: output)
        ) { kit, events in
            guard linkMode else { return try await flow.run(kit: kit, events: events) }
            await kit.setLinkModeTransport(PrintingLinkTransport(output: output))
            return try await LinkInput.run(output: output, dispatch: { try await kit.dispatchEnvelope($0) }) {
                try await flow.run(kit: kit, events: events)
            }
        }
        try CLIRunner.finish(end, output: output, interruptionCompletes: !untilDelete, timeoutCompletes: !untilDelete)
    }
}
