import Foundation
import Testing
import WalletConnectCore
import WalletConnectSign
import WalletKitTesting

/// The `walletkit` executable against input that used to end it: durations that trapped on conversion, and a
/// proposal the wallet cannot approve.
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

    @Test("a proposal for chains the wallet has no account on is rejected with 5100; the wallet goes on serving its session")
    func unsupportedChainsRejected() async throws {
        let scenario = try CLIScenario()
        defer { scenario.stopAll() }
        let relay = try await scenario.startRelay()
        let key = TestKey()

        // 1. A session the wallet must keep serving.
        let (topic, dappStorage, walletStorage) = try await scenario.settleStoredSession(relay: relay, key: key)

        // 2. A proposal with no eip155 chain: rejected to its dapp, and the wallet keeps running.
        let (hostile, hostileURI) = try await scenario.startDapp(relay: relay, ["--chains", "cosmos:cosmoshub-4"])
        let restarted = try scenario.startWallet(
            relay: relay, ["--uri", hostileURI, "--storage", walletStorage, "--private-key", key.hex])
        #expect(try await hostile.exitStatus() == 3, "\(hostile.transcript)")
        let rejected = try #require(hostile.events("session_rejected").first)
        #expect(rejected.int("code") == Int64(SDKErrorCode.unsupportedChains.rawValue))
        let refused = try await restarted.line("proposal_rejected")
        #expect(refused.int("code") == Int64(SDKErrorCode.unsupportedChains.rawValue))

        // 3. The first dapp's stored session still gets its request answered by the same wallet process.
        let second = try scenario.launch(
            "dapp-2",
            ["dapp", "--relay-url", relay, "--storage", dappStorage, "--request", "personal_sign", "--disconnect",
             "--timeout", "60"])
        #expect(try await second.line("session_resumed").string("topic") == topic)
        #expect(try await second.exitStatus() == 0, "\(second.transcript)")
        #expect(second.events("response").first?["verified"] == .bool(true))
        restarted.terminate()
        #expect(try await restarted.exitStatus() == 0, "\(restarted.transcript)")
    }

    @Test("a proposal on chains the wallet has no account on is rejected with 5100; the same wallet then approves the dapp's next proposal on that pairing")
    func unsupportedProposalThenApproved() async throws {
        let scenario = try CLIScenario()
        defer { scenario.stopAll() }
        let relay = try await scenario.startRelay()
        let key = TestKey()
        try await SignClient.withSignClient(Self.inProcessDapp(relay: relay)) { client in
            let solana = ProposalNamespace(
                chains: ["solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp"], methods: ["solana_signMessage"], events: [])
            let first = try await client.connect(optionalNamespaces: ["solana": solana])
            let wallet = try scenario.startWallet(relay: relay, ["--uri", try #require(first.uri), "--private-key", key.hex])
            let error = await #expect(throws: SDKError.self) { try await BoundedWait.run { try await first.approval() } }
            #expect(error?.code == .unsupportedChains, "\(wallet.transcript)")
            #expect(
                error?.message
                    == "Unsupported chains. the wallet has eip155 accounts only; requested: solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp")
            let refused = try await wallet.line("proposal_rejected")
            #expect(refused.int("code") == Int64(SDKErrorCode.unsupportedChains.rawValue))

            // The same pairing, a proposal the wallet can meet: approved by the same process.
            let eip155 = ProposalNamespace(chains: ["eip155:1"], methods: ["personal_sign"], events: ["accountsChanged"])
            let second = try await client.connect(optionalNamespaces: ["eip155": eip155], pairingTopic: first.pairingTopic)
            let session = try await BoundedWait.run { try await second.approval() }
            #expect(session.namespaces["eip155"]?.accounts == ["eip155:1:\(key.address.checksummed)"])
            wallet.terminate()
            #expect(try await wallet.exitStatus() == 0, "\(wallet.transcript)")
        }
    }

    @Test("a legacy proposal with a required namespace the wallet lacks is rejected with 5104; the next proposal is approved")
    func requiredNamespaceRejected() async throws {
        let scenario = try CLIScenario()
        defer { scenario.stopAll() }
        let relay = try await scenario.startRelay()
        let key = TestKey()
        try await SignClient.withSignClient(Self.inProcessDapp(relay: relay)) { client in
            let (topic, uri) = try await client.pairing.create()
            let wallet = try scenario.startWallet(relay: relay, ["--uri", uri, "--private-key", key.hex])
            _ = try await wallet.line("paired")
            // What a dapp before JS 2.21 (or a hostile one) sends: required namespaces, which this SDK's connect()
            // never sends (it moves them to the optional ones).
            let eip155 = ProposalNamespace(chains: ["eip155:1"], methods: ["personal_sign"], events: ["accountsChanged"])
            let solana = ProposalNamespace(
                chains: ["solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp"], methods: ["solana_signMessage"], events: [])
            let id = Int64(WallClock.system.nowMilliseconds) * 1000 + 7
            let params = SessionProposeParams(
                requiredNamespaces: ["solana": solana], optionalNamespaces: ["eip155": eip155],
                proposer: Participant(publicKey: try await client.crypto.generateKeyPair(), metadata: Self.inProcessDappMetadata),
                expiryTimestamp: WallClock.system.nowSeconds + 300, pairingTopic: topic, id: id)
            let json = #"{"id":\#(id),"jsonrpc":"2.0","method":"wc_sessionPropose","params":\#(try WireJSON.string(params))}"#
            try await client.relayer.publish(
                topic: topic, message: try await client.crypto.encode(topic: topic, payload: json),
                options: PublishOptions(ttl: 300, tag: 1100, prompt: true))
            let refused = try await wallet.line("proposal_rejected")
            #expect(refused.int("id") == id)
            #expect(refused.int("code") == Int64(SDKErrorCode.unsupportedNamespaceKey.rawValue), "\(wallet.transcript)")
            #expect(
                refused.string("message") == "Unsupported namespace key. the wallet has no account in required namespace solana")

            let next = try await client.connect(optionalNamespaces: ["eip155": eip155], pairingTopic: topic)
            let session = try await BoundedWait.run { try await next.approval() }
            #expect(session.namespaces["eip155"]?.accounts == ["eip155:1:\(key.address.checksummed)"])
            wallet.terminate()
            #expect(try await wallet.exitStatus() == 0, "\(wallet.transcript)")
        }
    }

    /// An in-process dapp on `relay` (in memory, the loopback relayer settings), for proposals the CLI dapp cannot
    /// make.
    static func inProcessDapp(relay: String) -> SignClientConfiguration {
        SignClientConfiguration(
            metadata: inProcessDappMetadata, relayURL: relay, storage: .inMemory, relayer: WKFixture.relayer())
    }

    static let inProcessDappMetadata = Metadata(
        name: "in-process dapp", description: "dapp", url: "https://dapp.example", icons: [])
}
