import Foundation
import Logging
import Synchronization
import WalletConnectCore
import WalletConnectRelayServer
import WalletConnectSign
import WalletKit

/// Prints the demo's steps as they finish: number, name, time, what happened.
final class DemoTrace: Sendable {
    private let output: OutputWriter
    private let timings = Locked<[(name: String, ms: Int64)]>([])
    let limit: Duration

    init(output: OutputWriter, limit: Duration) {
        self.output = output
        self.limit = limit
    }

    /// The steps done so far and their times.
    var steps: [(name: String, ms: Int64)] { timings.withLock { $0 } }

    /// Runs one step within the step limit; prints `N. name  T ms  detail` (or the failure) and returns its value.
    func step<T: Sendable>(_ name: String, _ body: @escaping @Sendable () async throws -> (T, String)) async throws -> T {
        let start = ContinuousClock.now
        let number = timings.withLock { $0.count } + 1
        do {
            let (value, detail) = try await Self.within(limit, name, body)
            let ms = start.elapsedMS
            timings.withLock { $0.append((name, ms)) }
            output.text("  \(Self.pad("\(number).", 3)) \(Self.pad(name, 14)) \(Self.pad("\(ms)", 5, left: true)) ms  \(detail)")
            return value
        } catch {
            output.text("  ✘ \(number). \(name) failed after \(start.elapsedMS) ms: \(CLIRunner.describe(error))")
            throw error
        }
    }

    /// Prints a plain line.
    func say(_ text: String) { output.text(text) }

    /// Runs `body`, failing with ``CLIError`` when `limit` passes first.
    static func within<T: Sendable>(
        _ limit: Duration, _ what: String, _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self, returning: T.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await ContinuousClock().sleep(for: limit)
                return nil
            }
            defer { group.cancelAll() }
            guard let value = try await group.next() ?? nil else { throw CLIError("\(what) took longer than \(limit)") }
            return value
        }
    }

    static func pad(_ text: String, _ width: Int, left: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(0, width - text.count))
        return left ? fill + text : text + fill
    }
}

/// `walletkit demo`: one relay, one dApp (`SignClient`), one wallet (the `WalletKit` actor), one session life.
struct DemoFlow: Sendable {
    let relayURL: String?
    let projectID: String?
    let logger: Logger
    let stepTimeout: Duration
    let output: OutputWriter

    /// The two clients and what the steps share.
    struct Parties: Sendable {
        let dapp: SignClient
        let wallet: WalletKit
        let dappInbox: EventInbox
        let walletInbox: EventInbox
        let privateKey: Data
        let address: EthereumAddress
    }

    func run() async throws {
        let started = ContinuousClock.now
        let trace = DemoTrace(output: output, limit: stepTimeout)
        trace.say("walletkit demo: a relay, a dApp and a wallet in one process")
        var server: RelayServer?
        let url: String
        if let relayURL {
            url = relayURL
            trace.say("  using the relay at \(relayURL)")
        } else {
            let relay = RelayServer(configuration: RelayServerConfiguration(host: "127.0.0.1", port: 0))
            url = try await trace.step("relay") {
                _ = try await relay.start()
                let url = await relay.url
                return (url, "listening on \(url) (in this process)")
            }
            server = relay
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("walletkit-demo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }

        let outcome: Result<DemoSummary, any Error>
        do {
            outcome = .success(try await runClients(relayURL: url, directory: directory, trace: trace))
        } catch {
            outcome = .failure(error)
        }
        let counters = await server?.counters()
        await server?.stop()
        let summary = try outcome.get()
        var relayNote = ""
        if let counters {
            relayNote = " · relay: \(counters.totalConnections) connections, \(counters.published) published, "
                + "\(counters.delivered) delivered"
        }
        trace.say(
            "✔ \(trace.steps.count) steps passed in \(started.elapsedMS) ms · session \(summary.topic.prefix(8))… · "
                + "\(summary.account) · signature verified\(relayNote)")
        trace.say("  temporary storage removed: \(directory.path)")
    }

    /// What the summary line reports.
    struct DemoSummary: Sendable {
        var topic: String
        var account: String
    }

    /// Starts both clients, runs the steps, shuts both down on every path.
    private func runClients(relayURL: String, directory: URL, trace: DemoTrace) async throws -> DemoSummary {
        func configuration(_ name: String, _ metadata: Metadata) -> SignClientConfiguration {
            SignClientConfiguration(
                metadata: metadata, relayURL: relayURL, projectID: projectID,
                storage: .sqlite(path: directory.appendingPathComponent("\(name).sqlite").path),
                logger: logger)
        }
        let dapp = try SignClient(configuration: configuration("dapp", Self.dappMetadata))
        let wallet = try WalletKit(configuration: WalletKitConfiguration(sign: configuration("wallet", Self.walletMetadata)))
        let key = PersonalSign.randomPrivateKey()
        let parties = Parties(
            dapp: dapp, wallet: wallet, dappInbox: EventInbox(), walletInbox: EventInbox(), privateKey: key,
            address: try EthereumAddress(privateKey: key))
        let dappEvents = dapp.events()
        let walletEvents = wallet.signEvents
        return try await withThrowingTaskGroup(of: Void.self, returning: DemoSummary.self) { group in
            group.addTask { try await dapp.run() }
            group.addTask { try await wallet.run() }
            group.addTask { await parties.dappInbox.pump(dappEvents) }
            group.addTask { await parties.walletInbox.pump(walletEvents) }
            let result: Result<DemoSummary, any Error>
            do {
                result = .success(try await steps(parties, trace: trace))
            } catch {
                result = .failure(error)
            }
            await dapp.shutdown()
            await wallet.shutdown()
            group.cancelAll()
            while true {
                do {
                    guard try await group.next() != nil else { break }
                } catch {
                    continue
                }
            }
            return try result.get()
        }
    }

    static let dappMetadata = Metadata(
        name: "walletkit demo dApp", description: "The dApp side of walletkit demo", url: "https://dapp.walletkit.invalid",
        icons: [])
    static let walletMetadata = Metadata(
        name: "walletkit demo wallet", description: "The wallet side of walletkit demo",
        url: "https://wallet.walletkit.invalid", icons: [])
}
