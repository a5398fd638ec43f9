import Foundation
import Testing
import WalletConnectCore
import WalletConnectSign
import WalletKitTesting

/// `walletkit wallet --link-mode`: an in-process dapp (no relay client at all) and the CLI wallet exchange links
/// through the wallet's stdin and its `open_url` lines.
@Suite(
    "walletkit wallet --link-mode", .serialized, .enabled(if: CLIBinary.isAvailable, CLIBinary.skipNote),
    .timeLimit(.minutes(3)))
struct CLILinkModeTests {
    static let walletLink = "https://wallet.example/wc"
    static let dappLink = "https://dapp.example/wc"

    init() async {
        let note = await CLIBinary.rebuild.value
        if note != "rebuilt" && note != "up to date" { print("note: walletkit CLI tests: \(note)") }
    }

    /// The `open_url` lines of `wallet` after the first `count`.
    static func openURL(_ wallet: CLIProcess, after count: Int) async throws -> URL {
        let line: String = try await wallet.wait(for: "open_url line", within: .seconds(30)) { lines, _ in
            let urls = lines.compactMap(CLIProcess.parse).filter { $0["event"]?.stringValue == "open_url" }
            return urls.count > count ? urls[count].string("url") : nil
        }
        return try #require(URL(string: line))
    }

    @Test("one-click auth and personal_sign through stdin links and open_url lines")
    func authenticateAndSign() async throws {
        let scenario = try CLIScenario()
        defer { scenario.stopAll() }
        let relayURL = try await scenario.startRelay()
        let key = TestKey()
        let wallet = try scenario.launch(
            "wallet",
            ["wallet", "--verbose", "--relay-url", relayURL, "--private-key", key.hex, "--link-mode", "--universal-link",
             Self.walletLink],
            stdin: true)
        _ = try await wallet.line("ready")

        let storage = InMemoryStorage()
        let crypto = Crypto(keyChain: KeyChain.inMemory())
        let relay = OfflineRelayClient()
        let expirer = Expirer(storage: storage, clock: ContinuousClock(), wallClock: .system)
        let pairing = Pairing(
            crypto: crypto, relay: relay, expirer: expirer, storage: storage, clock: ContinuousClock(), wallClock: .system)
        let engine = SignEngine(
            metadata: Metadata(
                name: "link dapp", description: "", url: "https://dapp.example", icons: [],
                redirect: .init(universal: Self.dappLink, linkMode: true)),
            crypto: crypto, relay: relay, pairing: pairing, expirer: expirer, storage: storage)
        let transport = RecordingLinkModeTransport()
        try await expirer.load()
        try await pairing.load()
        let loops = Task {
            await withDiscardingTaskGroup { group in
                group.addTask { await expirer.run() }
                group.addTask { _ = try? await engine.run() }
            }
        }
        defer {
            loops.cancel()
            relay.finish()
        }
        await engine.untilRunning()
        await engine.setLinkModeTransport(transport)
        await engine.registerLinkModeApp(Self.walletLink)

        let authentication = try await engine.authenticate(
            AuthRequestParams(
                chains: ["eip155:1"], domain: "dapp.example", nonce: "n0nce42", uri: "https://dapp.example/login",
                statement: "Sign in", methods: ["personal_sign"]),
            walletUniversalLink: Self.walletLink)
        let request = try #require(transport.openedURLs.last)
        try wallet.writeLine(request.absoluteString)
        let answer = try await Self.openURL(wallet, after: 0)
        #expect(answer.absoluteString.hasPrefix(Self.dappLink + "?wc_ev="))
        try await engine.dispatchEnvelope(answer)
        let result = try await BoundedWait.run { try await authentication.response() }
        let session = try #require(result.session)
        #expect(session.transportType == .linkMode)
        #expect(try await wallet.line("auth_approved").string("address") == key.address.checksummed)

        let links = transport.links()
        let call = Task {
            try await engine.request(
                topic: session.topic, chainID: "eip155:1", method: "personal_sign",
                params: ["0x68656c6c6f", .string(key.address.checksummed)])
        }
        let requestLink = try await BoundedWait.first(in: links)
        try wallet.writeLine(requestLink.absoluteString)
        let responseLink = try await Self.openURL(wallet, after: 1)
        try await engine.dispatchEnvelope(responseLink)
        let signature = try await call.boundedValue()
        #expect(signature.stringValue?.hasPrefix("0x") == true)
        #expect(relay.publishAttempts == 0)

        // A forged line is refused and the wallet goes on.
        try wallet.writeLine("https://wallet.example/wc?topic=" + String(repeating: "ab", count: 32))
        #expect(try await wallet.line("link_refused").string("message")?.contains("wc_ev") == true)
        wallet.terminate()
        #expect(try await wallet.exitStatus() == 0, "\(wallet.transcript)")
    }

    /// `walletkit wallet --link-mode` and `walletkit dapp --link-mode` with `relayURL`: the test pipes each side's
    /// `open_url` lines into the other's stdin (auth, then personal_sign); the dapp exits 0, the wallet on SIGTERM.
    /// With `unreachable`, each side's `relay_unreachable` line is awaited once it started. Returns both processes
    /// (ended) for further checks.
    static func exchangeLinks(
        _ scenario: CLIScenario, relayURL: String, unreachable: Bool = false, walletArguments: [String] = []
    ) async throws -> (wallet: CLIProcess, dapp: CLIProcess) {
        let key = TestKey()
        let wallet = try scenario.launch(
            "wallet",
            ["wallet", "--verbose", "--relay-url", relayURL, "--private-key", key.hex, "--link-mode", "--universal-link",
             Self.walletLink] + walletArguments,
            stdin: true)
        _ = try await wallet.line("ready")
        if unreachable { _ = try await wallet.line("relay_unreachable") }
        let dapp = try scenario.launch(
            "dapp",
            ["dapp", "--verbose", "--relay-url", relayURL, "--timeout", "60", "--authenticate", "--request",
             "personal_sign", "--link-mode", "--universal-link", Self.dappLink, "--wallet-link", Self.walletLink],
            stdin: true)
        if unreachable { _ = try await dapp.line("relay_unreachable") }
        // dapp → wallet: the authenticate request; wallet → dapp: the answer; then the request and its response.
        for step in 0..<2 {
            let toWallet = try await Self.openURL(dapp, after: step)
            #expect(toWallet.absoluteString.hasPrefix(Self.walletLink + "?wc_ev="))
            try wallet.writeLine(toWallet.absoluteString)
            let toDapp = try await Self.openURL(wallet, after: step)
            #expect(toDapp.absoluteString.hasPrefix(Self.dappLink + "?wc_ev="))
            try dapp.writeLine(toDapp.absoluteString)
        }
        #expect(try await dapp.exitStatus() == 0, "\(dapp.transcript)")
        #expect(dapp.events("uri").isEmpty)
        #expect(dapp.events("authenticated").first?.string("address")?.lowercased() == key.address.lowercased)
        #expect(dapp.events("response").first?["verified"] == .bool(true), "\(dapp.transcript)")
        wallet.terminate()
        #expect(try await wallet.exitStatus() == 0, "\(wallet.transcript)")
        return (wallet, dapp)
    }

    @Test("walletkit dapp --link-mode and walletkit wallet --link-mode: auth and personal_sign through piped links")
    func dappAndWallet() async throws {
        let scenario = try CLIScenario()
        defer { scenario.stopAll() }
        let (wallet, dapp) = try await Self.exchangeLinks(scenario, relayURL: try await scenario.startRelay())
        #expect(wallet.events("relay_unreachable").isEmpty)
        #expect(dapp.events("relay_unreachable").isEmpty)
    }

    @Test("no relay reachable (a closed port): both sides report it once and exchange by links; a restart is ready at once")
    func dappAndWalletWithoutRelay() async throws {
        let scenario = try CLIScenario()
        defer { scenario.stopAll() }
        let closed = try await HTTPLoopbackServer.closedPortURL().replacingOccurrences(of: "http://", with: "ws://")
        let storage = scenario.storage("wallet.sqlite")
        let (wallet, dapp) = try await Self.exchangeLinks(
            scenario, relayURL: closed, unreachable: true, walletArguments: ["--storage", storage])
        for process in [wallet, dapp] {
            let reports = process.events("relay_unreachable")
            #expect(reports.count == 1, "\(process.transcript)")
            #expect(reports.first?.string("message")?.contains("connection refused") == true, "\(process.transcript)")
            #expect(process.events("error").isEmpty, "\(process.transcript)")
        }
        let topic = try #require(wallet.events("auth_approved").first?.string("topic"))

        // Restarted on its storage, still without a relay: the link-mode session is restored at once (its relay
        // subscription does not hold up the start for the relay's request timeout).
        let restarted = try scenario.launch(
            "wallet",
            ["wallet", "--verbose", "--relay-url", closed, "--storage", storage, "--link-mode", "--universal-link",
             Self.walletLink],
            stdin: true)
        let ready = try await restarted.line("ready", within: .seconds(20))
        #expect(ready["sessions"] == .array([.string(topic)]), "\(restarted.transcript)")
        restarted.terminate()
        #expect(try await restarted.exitStatus() == 0, "\(restarted.transcript)")
    }
}
