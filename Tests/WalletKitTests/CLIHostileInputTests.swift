import Foundation
import Testing
import WalletConnectCore
import WalletConnectSign
import WalletKitTesting

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The `walletkit` executable against hostile options (issue 16, round 2): bounds, secrets off the command line,
/// and errors that name the problem without repeating a key.
@Suite(
    "walletkit CLI: hostile options", .serialized, .enabled(if: CLIBinary.isAvailable, CLIBinary.skipNote),
    .timeLimit(.minutes(5)))
struct CLIHostileInputTests {
    init() async {
        let note = await CLIBinary.rebuild.value
        if note != "rebuilt" && note != "up to date" { print("note: walletkit CLI tests: \(note)") }
    }

    static let account = "eip155:1:0x" + String(repeating: "ab", count: 20)
    static let topic = "c9e6d30fb34afe70a15c14e9337ba8e4d5a35dd695c39b94884b0ee60c69d168"
    static let symKey = "0653ca620c7b4990392e1c53c4a51c14a2840cd20f0f1524cf435b17b6fe988c"

    @Test("--repeat 100000000 exits 64 at once with the bound, allocating nothing")
    func repeatBounded() async throws {
        let scenario = try CLIScenario()
        defer { scenario.stopAll() }
        let process = try scenario.launch(
            "dapp",
            ["dapp", "--relay-url", "ws://127.0.0.1:1", "--request", "personal_sign", "--repeat", "100000000"])
        #expect(try await process.exitStatus(within: .seconds(10)) == 64, "\(process.transcript)")
        #expect(process.stderr.contains("--repeat must be between 1 and 10000"), "\(process.transcript)")
    }

    @Test(
        "a port outside 0...65535, however many digits, exits 64 naming the range",
        arguments: [
            (["relay", "--port", "99999999999999999999"], "--port must be between 0 and 65535"),
            (["relay", "--port", "65536"], "--port must be between 0 and 65535"),
            (["dapp", "--relay-url", "ws://127.0.0.1:99999999999999999999"], "--relay-url port must be between 1 and 65535"),
            (["wallet", "--relay-url", "wss://127.0.0.1:65536", "--accounts", account],
             "--relay-url port must be between 1 and 65535"),
        ])
    func portRange(arguments: [String], message: String) async throws {
        let scenario = try CLIScenario()
        defer { scenario.stopAll() }
        let process = try scenario.launch(arguments[0], arguments)
        #expect(try await process.exitStatus(within: .seconds(10)) == 64, "\(process.transcript)")
        #expect(process.stderr.contains(message), "\(process.transcript)")
    }

    @Test(
        "a relay that refuses connections is reported at once (exit 1, \"cannot reach the relay\"), also with --timeout under 60 s",
        arguments: ["wallet", "dapp"])
    func unreachableRelay(command: String) async throws {
        let scenario = try CLIScenario()
        defer { scenario.stopAll() }
        let uri = "wc:\(Self.topic)@2?relay-protocol=irn&symKey=\(Self.symKey)"
        let arguments =
            command == "wallet"
            ? ["wallet", "--relay-url", "ws://127.0.0.1:1", "--uri", uri, "--accounts", Self.account, "--timeout", "20"]
            : ["dapp", "--relay-url", "ws://127.0.0.1:1", "--timeout", "20"]
        let process = try scenario.launch(command, arguments)
        #expect(try await process.exitStatus(within: .seconds(10)) == 1, "\(process.transcript)")
        let message = try #require(process.events("error").first?.string("message"), "\(process.transcript)")
        #expect(message.hasPrefix("cannot reach the relay at ws://127.0.0.1:1: "), "\(message)")
        #expect(message.contains("connection refused"), "\(message)")
    }

    @Test("a malformed --private-key exits 64 (a usage error), naming the option")
    func badPrivateKey() async throws {
        let scenario = try CLIScenario()
        defer { scenario.stopAll() }
        let process = try scenario.launch(
            "wallet", ["wallet", "--relay-url", "ws://127.0.0.1:1", "--private-key", "0xzz"])
        #expect(try await process.exitStatus(within: .seconds(10)) == 64, "\(process.transcript)")
        #expect(process.stderr.contains("--private-key must be 32 bytes of hex"), "\(process.transcript)")
    }

    @Test("--storage naming a directory: the error says \"is a directory\", not an errno")
    func storageIsDirectory() async throws {
        let scenario = try CLIScenario()
        defer { scenario.stopAll() }
        let process = try scenario.launch(
            "wallet",
            ["wallet", "--relay-url", "ws://127.0.0.1:1", "--accounts", Self.account, "--storage",
             scenario.directory.path, "--timeout", "10"])
        #expect(try await process.exitStatus(within: .seconds(20)) == 1, "\(process.transcript)")
        let message = try #require(process.events("error").first?.string("message"), "\(process.transcript)")
        #expect(message.contains("\(scenario.directory.path): is a directory"), "\(message)")
        #expect(!message.contains("errno"), "\(message)")
    }

    @Test("an invalid --uri whose symKey name is percent-encoded: the error does not repeat the key")
    func uriKeyRedacted() async throws {
        let scenario = try CLIScenario()
        defer { scenario.stopAll() }
        let relay = try await scenario.startRelay()
        let uri = "wc:\(Self.topic)@2?relay-protocol=irn&symK%65y=\(Self.symKey)&expiryTimestamp=soon"
        let wallet = try scenario.startWallet(relay: relay, ["--uri", uri, "--accounts", Self.account])
        #expect(try await wallet.exitStatus() == 1, "\(wallet.transcript)")
        let message = try #require(wallet.events("error").first?.string("message"), "\(wallet.transcript)")
        #expect(message.hasPrefix("Missing or invalid. pair() uri: "), "\(message)")
        #expect(!wallet.transcript.contains(Self.symKey), "\(wallet.transcript)")
    }

    /// Writes `key` to a file with `mode` and returns its path.
    private static func keyFile(_ scenario: CLIScenario, _ key: TestKey, mode: mode_t) throws -> String {
        let path = scenario.storage("key-\(UUID().uuidString).hex")
        try Data((key.hex + "\n").utf8).write(to: URL(fileURLWithPath: path))
        #expect(chmod(path, mode) == 0)
        return path
    }

    @Test("--private-key-file readable by group or others (0644) is refused with exit 64")
    func keyFileTooOpen() async throws {
        let scenario = try CLIScenario()
        defer { scenario.stopAll() }
        let path = try Self.keyFile(scenario, TestKey(), mode: 0o644)
        let process = try scenario.launch(
            "wallet", ["wallet", "--relay-url", "ws://127.0.0.1:1", "--private-key-file", path])
        #expect(try await process.exitStatus(within: .seconds(10)) == 64, "\(process.transcript)")
        #expect(
            process.stderr.contains("--private-key-file \(path) has mode 0644; it must be 0600 or stricter (chmod 600)"),
            "\(process.transcript)")
    }

    @Test(
        "--private-key-file that is a FIFO or a symbolic link, or given with --private-key, exits 64 at once",
        arguments: ["fifo", "symlink", "both"])
    func keyFileNotPlain(kind: String) async throws {
        let scenario = try CLIScenario()
        defer { scenario.stopAll() }
        let key = TestKey()
        var arguments = ["wallet", "--relay-url", "ws://127.0.0.1:1"]
        let expected: String
        switch kind {
        case "fifo":
            let path = scenario.storage("key.fifo")
            #expect(mkfifo(path, 0o600) == 0)
            arguments += ["--private-key-file", path]
            expected = "--private-key-file \(path) is not a regular file"
        case "symlink":
            let target = try Self.keyFile(scenario, key, mode: 0o600)
            let path = scenario.storage("key-link.hex")
            #expect(symlink(target, path) == 0)
            arguments += ["--private-key-file", path]
            expected = "--private-key-file \(path) is a symbolic link"
        default:
            arguments += ["--private-key", key.hex, "--private-key-file", try Self.keyFile(scenario, key, mode: 0o600)]
            expected = "pass only one of --private-key and --private-key-file"
        }
        let process = try scenario.launch("wallet", arguments)
        #expect(try await process.exitStatus(within: .seconds(10)) == 64, "\(process.transcript)")
        #expect(process.stderr.contains(expected), "\(process.transcript)")
        #expect(!process.stderr.contains(String(key.hex.dropFirst(2))), "the key must not be printed")
    }

    @Test(
        "the key from --private-key-file (0600, 0400) or $WALLETKIT_PRIVATE_KEY signs what the dapp verifies",
        arguments: ["file 0600", "file 0400", "environment"])
    func keyOffTheCommandLine(source: String) async throws {
        let scenario = try CLIScenario()
        defer { scenario.stopAll() }
        let relay = try await scenario.startRelay()
        let key = TestKey()
        let (dapp, uri) = try await scenario.startDapp(relay: relay, ["--request", "personal_sign", "--disconnect"])
        var arguments = ["--uri", uri, "--respond", "sign", "--until-delete"]
        var environment: [String: String] = [:]
        switch source {
        case "file 0600": arguments += ["--private-key-file", try Self.keyFile(scenario, key, mode: 0o600)]
        case "file 0400": arguments += ["--private-key-file", try Self.keyFile(scenario, key, mode: 0o400)]
        default: environment["WALLETKIT_PRIVATE_KEY"] = key.hex
        }
        let wallet = try scenario.startWallet(relay: relay, arguments, environment: environment)
        #expect(try await dapp.exitStatus() == 0, "\(dapp.transcript)")
        #expect(try await wallet.exitStatus() == 0, "\(wallet.transcript)")
        let approved = try #require(dapp.events("session_approved").first)
        #expect(approved["accounts"] == [.string("eip155:1:\(key.address.checksummed)")])
        let response = try #require(dapp.events("response").first)
        #expect(response["verified"] == .bool(true))
        let signature = try #require(response.string("result"))
        #expect(try EIP191.recoverAddress(message: "Hello from walletkit", signature: signature) == key.address)
        #expect(!wallet.transcript.contains(String(key.hex.dropFirst(2))), "the key must not be printed")
    }
}
