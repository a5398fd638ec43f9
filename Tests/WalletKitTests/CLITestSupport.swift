import Foundation
import Synchronization
import Testing
import WalletConnectCore
import WalletConnectSign

/// Processes of one CLI scenario: a relay plus dapps and wallets, all stopped by ``stopAll()``.
final class CLIScenario: Sendable {
    private let processes = Locked<[CLIProcess]>([])
    /// A temporary folder for `--storage` files, removed by ``stopAll()``.
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("walletkit-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    /// Starts `walletkit <arguments>` (with `environment` added) and keeps it for ``stopAll()``.
    func launch(
        _ name: String, _ arguments: [String], environment: [String: String] = [:], wrapper: [String] = [],
        stdin: Bool = false
    ) throws -> CLIProcess {
        let process = try CLIProcess.launch(name, arguments, environment: environment, wrapper: wrapper, stdin: stdin)
        processes.withLock { $0.append(process) }
        return process
    }

    /// Starts `walletkit relay` on a free loopback port and returns its `ws://` URL (from its first line).
    func startRelay() async throws -> String {
        try await startRelayProcess().url
    }

    /// Starts `walletkit relay` (under `wrapper`, if any) on a free loopback port; returns it with its URL.
    func startRelayProcess(wrapper: [String] = []) async throws -> (process: CLIProcess, url: String) {
        let relay = try launch("relay", ["relay"], wrapper: wrapper)
        let url: String = try await relay.wait(for: "listening line", within: .seconds(20)) { lines, _ in
            guard let first = lines.first, let range = first.range(of: "ws://") else { return nil }
            return String(first[range.lowerBound...])
        }
        return (relay, url)
    }

    /// Starts `walletkit dapp` and returns it with its pairing URI (its first line).
    func startDapp(relay: String, _ arguments: [String]) async throws -> (process: CLIProcess, uri: String) {
        // --verbose: the debug log goes to stderr, so a failure's transcript shows where a process stood.
        let dapp = try launch("dapp", ["dapp", "--verbose", "--relay-url", relay, "--timeout", "60"] + arguments)
        let first = try await dapp.line("uri")
        let uri = try #require(first["uri"]?.stringValue)
        #expect(uri.hasPrefix("wc:"))
        #expect(dapp.objects.first?["event"]?.stringValue == "uri", "the uri line must come first")
        return (dapp, uri)
    }

    /// Starts `walletkit wallet` (with `environment` added).
    func startWallet(relay: String, _ arguments: [String], environment: [String: String] = [:]) throws -> CLIProcess {
        try launch("wallet", ["wallet", "--verbose", "--relay-url", relay] + arguments, environment: environment)
    }

    /// Settles a session between a `walletkit dapp` and a `walletkit wallet --private-key` that each keep their
    /// state in a `--storage` file, then stops the wallet (the dapp exits once approved). Returns the session topic
    /// and the two storage paths, for a test that resumes either side.
    func settleStoredSession(relay: String, key: TestKey) async throws
        -> (topic: String, dappStorage: String, walletStorage: String)
    {
        let dappStorage = storage("dapp.sqlite")
        let walletStorage = storage("wallet.sqlite")
        let (dapp, uri) = try await startDapp(relay: relay, ["--storage", dappStorage])
        let wallet = try startWallet(relay: relay, ["--uri", uri, "--storage", walletStorage, "--private-key", key.hex])
        #expect(try await dapp.exitStatus() == 0, "\(dapp.transcript)")
        let topic = try #require(dapp.events("session_approved").first?.string("topic"))
        _ = try await wallet.line("session_acknowledged")
        wallet.terminate()
        #expect(try await wallet.exitStatus() == 0, "\(wallet.transcript)")
        return (topic, dappStorage, walletStorage)
    }

    /// A path inside ``directory``.
    func storage(_ name: String) -> String {
        directory.appendingPathComponent(name).path
    }

    /// Kills every process still running and removes the folder.
    func stopAll() {
        for process in processes.withLock({ $0 }) { process.stop() }
        try? FileManager.default.removeItem(at: directory)
    }
}

/// A random secp256k1 key for a test wallet, as hex, with its address.
struct TestKey {
    let hex: String
    let address: EthereumAddress

    init() {
        var generator = SystemRandomNumberGenerator()
        while true {
            let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
            if let address = try? EthereumAddress(privateKey: Data(bytes)) {
                self.hex = "0x" + Hex.encode(bytes)
                self.address = address
                return
            }
        }
    }
}

extension Dictionary where Key == String, Value == JSONValue {
    /// The string field `key`.
    func string(_ key: String) -> String? { self[key]?.stringValue }
    /// The integer field `key`.
    func int(_ key: String) -> Int64? { self[key]?.int64Value }
}

