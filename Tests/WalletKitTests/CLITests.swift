import Foundation
import Testing
import WalletConnectCore
import WalletConnectSign

/// End-to-end tests of the `walletkit` executable: a `walletkit relay` process, and `walletkit dapp` and
/// `walletkit wallet` processes talking through it over loopback.
@Suite(
    "walletkit CLI", .serialized, .enabled(if: CLIBinary.isAvailable, CLIBinary.skipNote),
    .timeLimit(.minutes(5)))
struct CLITests {
    init() async {
        let note = await CLIBinary.rebuild.value
        if note != "rebuilt" && note != "up to date" { print("note: walletkit CLI tests: \(note)") }
    }

    @Test("approve, echo request, disconnect: wallet --until-delete exits 0")
    func approveEchoDisconnect() async throws {
        let scenario = try CLIScenario()
        defer { scenario.stopAll() }
        let relay = try await scenario.startRelay()
        let params = #"{"n":42,"text":"hi","list":[1,"two",null]}"#
        let (dapp, uri) = try await scenario.startDapp(
            relay: relay, ["--request", "wallet_echo", "--params", params, "--disconnect"])
        let account = "eip155:1:0x" + String(repeating: "ab", count: 20)
        let wallet = try scenario.startWallet(
            relay: relay, ["--uri", uri, "--accounts", account, "--respond", "echo", "--until-delete", "--timeout", "60"])

        #expect(try await dapp.exitStatus() == 0, "\(dapp.transcript)")
        #expect(try await wallet.exitStatus() == 0, "\(wallet.transcript)")

        let approved = try #require(dapp.events("session_approved").first)
        #expect(approved["accounts"] == [.string(account)])
        let responses = dapp.events("response")
        try #require(responses.count == 1, "\(dapp.transcript)")
        let expected = try JSONDecoder().decode(JSONValue.self, from: Data(params.utf8))
        #expect(responses[0]["result"] == expected)
        #expect(dapp.events("session_delete").first?.string("by") == "self")

        let proposal = try #require(wallet.events("session_proposal").first)
        #expect(proposal.string("proposer") == "walletkit dapp")
        #expect(wallet.events("session_approved").first?.string("topic") == approved.string("topic"))
        let request = try #require(wallet.events("session_request").first)
        #expect(request.string("method") == "wallet_echo")
        #expect(request.int("id") == responses[0].int("id"))
        #expect(wallet.events("responded").first?.int("id") == responses[0].int("id"))
        #expect(wallet.events("session_delete").first?.string("topic") == approved.string("topic"))
    }

    @Test("wallet --reject: dapp prints session_rejected 5000 and exits 3")
    func reject() async throws {
        let scenario = try CLIScenario()
        defer { scenario.stopAll() }
        let relay = try await scenario.startRelay()
        let (dapp, uri) = try await scenario.startDapp(relay: relay, [])
        let wallet = try scenario.startWallet(
            relay: relay, ["--uri", uri, "--accounts", "eip155:1:0x" + String(repeating: "cd", count: 20), "--reject"])

        #expect(try await wallet.exitStatus() == 0, "\(wallet.transcript)")
        #expect(try await dapp.exitStatus() == 3, "\(dapp.transcript)")
        let rejected = try #require(dapp.events("session_rejected").first)
        #expect(rejected.int("code") == 5000)
        #expect(rejected.string("message") == "User rejected.")
        #expect(dapp.events("session_approved").isEmpty)
        #expect(dapp.events("error").count == 1)
        #expect(wallet.events("proposal_rejected").count == 1)
    }

    @Test("--respond sign: a real EIP-191 signature the dapp verifies against the session account")
    func signVerified() async throws {
        let scenario = try CLIScenario()
        defer { scenario.stopAll() }
        let relay = try await scenario.startRelay()
        let key = TestKey()
        let (dapp, uri) = try await scenario.startDapp(
            relay: relay, ["--chains", "eip155:1,eip155:137", "--request", "personal_sign", "--disconnect"])
        let wallet = try scenario.startWallet(
            relay: relay, ["--uri", uri, "--respond", "sign", "--private-key", key.hex, "--until-delete"])

        #expect(try await dapp.exitStatus() == 0, "\(dapp.transcript)")
        #expect(try await wallet.exitStatus() == 0, "\(wallet.transcript)")
        let approved = try #require(dapp.events("session_approved").first)
        #expect(
            approved["accounts"] == [
                .string("eip155:1:\(key.address.checksummed)"), .string("eip155:137:\(key.address.checksummed)"),
            ])
        let response = try #require(dapp.events("response").first)
        #expect(response["verified"] == .bool(true))
        let signature = try #require(response.string("result"))
        // Check independently of the CLI: the default message is "Hello from walletkit", sent hex-encoded.
        let recovered = try EIP191.recoverAddress(message: "Hello from walletkit", signature: signature)
        #expect(recovered == key.address)
        #expect(!EIP191.verify(message: "Hello from walletkit!", signature: signature, address: key.address.lowercased))
    }

    @Test("--repeat 20: every request answered exactly once (request queue on and off)", arguments: [false, true])
    func repeatTwenty(disableQueue: Bool) async throws {
        let scenario = try CLIScenario()
        defer { scenario.stopAll() }
        let relay = try await scenario.startRelay()
        let (dapp, uri) = try await scenario.startDapp(
            relay: relay, ["--request", "wallet_echo", "--params", #"["ping"]"#, "--repeat", "20", "--disconnect"])
        let wallet = try scenario.startWallet(
            relay: relay,
            ["--uri", uri, "--accounts", "eip155:1:0x" + String(repeating: "ef", count: 20), "--until-delete"]
                + (disableQueue ? ["--disable-request-queue"] : []))

        #expect(try await dapp.exitStatus(within: .seconds(90)) == 0, "\(dapp.transcript)")
        #expect(try await wallet.exitStatus() == 0, "\(wallet.transcript)")
        let responses = dapp.events("response")
        let ids = responses.compactMap { $0.int("id") }
        #expect(responses.count == 20)
        #expect(Set(ids).count == 20)
        #expect(responses.allSatisfy { $0["result"] == [.string("ping")] })
        let done = try #require(dapp.events("requests_done").first)
        #expect(done.int("sent") == 20)
        #expect(done.int("answered") == 20)
        #expect(done.int("duplicates") == 0)
        let answered = wallet.events("responded").compactMap { $0.int("id") }
        #expect(answered.count == 20)
        #expect(Set(answered) == Set(ids))
        #expect(Set(wallet.events("session_request").compactMap { $0.int("id") }) == Set(ids))
    }

    @Test("wallet restarted on the same --storage answers a request sent while it was down")
    func restartAnswersRequestSentWhileDown() async throws {
        let scenario = try CLIScenario()
        defer { scenario.stopAll() }
        let relay = try await scenario.startRelay()
        let key = TestKey()

        // 1. Pair and settle; the dapp exits once approved, the wallet is stopped afterwards.
        let (topic, dappStorage, walletStorage) = try await scenario.settleStoredSession(relay: relay, key: key)

        // 2. The dapp resumes its stored session and sends while the wallet is down.
        let second = try scenario.launch(
            "dapp-2",
            ["dapp", "--relay-url", relay, "--storage", dappStorage, "--request", "personal_sign", "--disconnect",
             "--timeout", "60"])
        #expect(try await second.line("session_resumed").string("topic") == topic)
        _ = try await second.line("requests")

        // 3. The wallet starts again without --uri and answers it.
        let restarted = try scenario.startWallet(
            relay: relay, ["--storage", walletStorage, "--private-key", key.hex, "--until-delete", "--timeout", "60"])
        let ready = try await restarted.line("ready")
        #expect(ready["sessions"] == [.string(topic)])
        #expect(try await second.exitStatus() == 0, "\(second.transcript)")
        #expect(try await restarted.exitStatus() == 0, "\(restarted.transcript)")
        let response = try #require(second.events("response").first)
        #expect(response["verified"] == .bool(true))
        #expect(restarted.events("responded").first?.int("id") == response.int("id"))
    }

    @Test("wallet stopped before answering answers the stored request after a restart")
    func restartAnswersStoredPendingRequest() async throws {
        let scenario = try CLIScenario()
        defer { scenario.stopAll() }
        let relay = try await scenario.startRelay()
        let walletStorage = scenario.storage("wallet.sqlite")
        let account = "eip155:1:0x" + String(repeating: "12", count: 20)
        let (dapp, uri) = try await scenario.startDapp(
            relay: relay, ["--request", "wallet_echo", "--params", #"{"a":1}"#])
        let slow = try scenario.startWallet(
            relay: relay,
            ["--uri", uri, "--storage", walletStorage, "--accounts", account, "--respond-delay", "600"])
        let received = try await slow.line("session_request")
        slow.terminate()
        #expect(try await slow.exitStatus() == 0, "\(slow.transcript)")
        #expect(slow.events("responded").isEmpty)

        let restarted = try scenario.startWallet(relay: relay, ["--storage", walletStorage, "--accounts", account])
        #expect(try await restarted.line("ready").int("pendingRequests") == 1)
        let answered = try await restarted.line("responded")
        #expect(answered.int("id") == received.int("id"))
        #expect(try await dapp.exitStatus() == 0, "\(dapp.transcript)")
        #expect(dapp.events("response").first?["result"] == ["a": 1])
        restarted.terminate()
        #expect(try await restarted.exitStatus() == 0, "\(restarted.transcript)")
    }

    @Test("--authenticate: the dapp prints the verified CACAO's address; --reject refuses")
    func authenticate() async throws {
        let scenario = try CLIScenario()
        defer { scenario.stopAll() }
        let relay = try await scenario.startRelay()
        let key = TestKey()
        let (dapp, uri) = try await scenario.startDapp(relay: relay, ["--authenticate", "--request", "personal_sign"])
        #expect(uri.contains("wc_sessionAuthenticate"))
        let wallet = try scenario.startWallet(relay: relay, ["--uri", uri, "--private-key", key.hex])
        #expect(try await dapp.exitStatus() == 0, "\(dapp.transcript)")
        let authenticated = try #require(dapp.events("authenticated").first)
        #expect(authenticated.string("address")?.lowercased() == key.address.lowercased)
        #expect(dapp.events("response").first?["verified"] == .bool(true))
        #expect(try await wallet.line("auth_approved").string("address") == key.address.checksummed)
        wallet.terminate()
        #expect(try await wallet.exitStatus() == 0, "\(wallet.transcript)")

        let (refused, refusedURI) = try await scenario.startDapp(relay: relay, ["--authenticate"])
        let rejecting = try scenario.startWallet(relay: relay, ["--uri", refusedURI, "--private-key", key.hex, "--reject"])
        #expect(try await rejecting.exitStatus() == 0, "\(rejecting.transcript)")
        #expect(try await refused.exitStatus() == 3, "\(refused.transcript)")
        #expect(refused.events("auth_refused").first?.int("code") == 5000)
        #expect(refused.events("authenticated").isEmpty)
    }

    @Test("walletkit demo: every step passes, a summary is printed, the temporary storage is removed")
    func demo() async throws {
        let scenario = try CLIScenario()
        defer { scenario.stopAll() }
        let demo = try scenario.launch("demo", ["demo", "--step-timeout", "30"])
        #expect(try await demo.exitStatus(within: .seconds(120)) == 0, "\(demo.transcript)")
        let lines = demo.lines
        for step in ["relay", "start", "connect", "pair", "approve", "personal_sign", "update", "extend", "emit", "ping",
            "disconnect"]
        {
            #expect(lines.contains { $0.contains(" \(step) ") && $0.contains(" ms ") }, "step \(step) missing")
        }
        let summary = try #require(lines.first { $0.hasPrefix("✔ 11 steps passed") }, "\(demo.transcript)")
        #expect(summary.contains("signature verified"))
        #expect(!lines.contains { $0.contains("✘") })
        let removed = try #require(lines.last { $0.contains("temporary storage removed: ") })
        let path = String(removed[removed.range(of: ": ")!.upperBound...])
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test("bad --relay-url is refused before anything starts")
    func badRelayURL() async throws {
        let scenario = try CLIScenario()
        defer { scenario.stopAll() }
        let dapp = try scenario.launch("dapp", ["dapp", "--relay-url", "http://127.0.0.1:1"])
        let status = try await dapp.exitStatus()
        #expect(status != 0)
        #expect(dapp.stderr.contains("ws://"))
    }
}
