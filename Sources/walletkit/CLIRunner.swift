import ArgumentParser
import Foundation
import WalletConnectCore
import WalletConnectSign
import WalletKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// How a command's flow ended when it did not throw.
enum FlowStatus: Sendable, Equatable {
    /// Everything asked for happened: exit 0.
    case completed
    /// The peer refused (session rejected, a request answered with an error, authentication refused): exit 3.
    case refused(String)
}

/// An error of the CLI itself (bad input, a missed deadline, an unexpected end).
struct CLIError: Error, Sendable, CustomStringConvertible {
    /// The message printed in the `error` line.
    var description: String

    init(_ description: String) {
        self.description = description
    }
}

/// A client the CLI runs: `SignClient` (the dapp) or `WalletKit` (the wallet).
protocol CLIClient: Sendable {
    /// Runs until shut down.
    func run() async throws
    /// Returns once the client is consuming relay messages.
    func untilRunning() async throws
    /// Stops the client and waits until it has stopped.
    func shutdown() async
    /// The client's relay connection.
    var relayer: Relayer { get }
}

extension SignClient: CLIClient {}
extension WalletKit: CLIClient {
    nonisolated var relayer: Relayer { signClient.relayer }
}

/// How ``CLIRunner/run(make:subscribe:timeout:flow:)`` ended.
enum RunEnd: Sendable {
    /// The flow returned.
    case finished(FlowStatus)
    /// The flow (or the client) threw.
    case failed(String)
    /// SIGINT or SIGTERM arrived first.
    case interrupted(Int32)
    /// The deadline passed first.
    case timedOut
}

/// Runs one ``SignClient`` with a flow, racing it against SIGINT/SIGTERM and an optional deadline. The client is
/// shut down on every path (which also ends any call the flow is still waiting in).
enum CLIRunner {
    private enum Outcome: Sendable {
        case flow(RunEnd)
        case clientStopped(String?)
        case signal(Int32)
        case deadline
        case cancelled
        case unreachable(String)
    }

    /// The process exit code for the peer refusing.
    static let refusedExitCode: Int32 = 3

    /// Builds the client, subscribes to its events (before it starts, so re-announced requests are seen), runs
    /// it and calls `flow` once it is running.
    ///
    /// A relay that cannot be reached before the first connection ends the run (`failed` with the reason), unless
    /// `relayUnreachable` is given (link mode, which needs no relay): then the reason is handed to it once and the
    /// run goes on, the relayer still retrying in the background.
    static func run<Client: CLIClient, Events: Sendable>(
        make: () throws -> Client, subscribe: (Client) -> Events, timeout: Duration?,
        relayUnreachable: (@Sendable (String) -> Void)? = nil,
        flow: @escaping @Sendable (Client, Events) async throws -> FlowStatus
    ) async -> RunEnd {
        signal(SIGPIPE, SIG_IGN)
        let client: Client
        do {
            client = try make()
        } catch {
            return .failed(describe(error))
        }
        let events = subscribe(client)
        return await withTaskGroup(of: Outcome.self, returning: RunEnd.self) { group in
            group.addTask {
                do {
                    try await client.run()
                    return .clientStopped(nil)
                } catch {
                    return .clientStopped(describe(error))
                }
            }
            group.addTask {
                do {
                    try await client.untilRunning()
                } catch {
                    // The client stopped before it ran (e.g. its storage server refused the credentials): the run
                    // task above reports why; "the sign client was shut down" would hide it.
                    return .cancelled
                }
                do {
                    return .flow(.finished(try await flow(client, events)))
                } catch is CancellationError {
                    return .cancelled
                } catch {
                    return .flow(.failed(describe(error)))
                }
            }
            group.addTask {
                // A relay that cannot be reached ends the run at once with the reason (refused, DNS, TLS, an HTTP
                // refusal), instead of a call timing out a minute later, or a wallet with a short --timeout exiting 0.
                // Only until the first connection: later drops are retried by the relayer.
                let relayer = client.relayer
                for await state in relayer.connectionStates() {
                    switch state {
                    case .connected, .closed: return .cancelled
                    case .connecting, .disconnected:
                        guard let reason = await relayer.unreachableReason else { continue }
                        guard let relayUnreachable else { return .unreachable(reason) }
                        relayUnreachable(reason)
                        return .cancelled
                    }
                }
                return .cancelled
            }
            group.addTask {
                let number = await SignalWaiter.wait(for: [SIGINT, SIGTERM])
                return Task.isCancelled ? .cancelled : .signal(number)
            }
            if let timeout {
                group.addTask {
                    do {
                        try await ContinuousClock().sleep(for: timeout)
                        return .deadline
                    } catch {
                        return .cancelled
                    }
                }
            }
            var end: RunEnd?
            while end == nil, let outcome = await group.next() {
                switch outcome {
                case .flow(let result): end = result
                case .clientStopped(let error): end = .failed(error ?? "the sign client stopped unexpectedly")
                case .signal(let number): end = .interrupted(number)
                case .deadline: end = .timedOut
                case .unreachable(let reason): end = .failed(reason)
                case .cancelled: continue
                }
            }
            await client.shutdown()
            group.cancelAll()
            while await group.next() != nil {}
            return end ?? .failed("the run ended without a result")
        }
    }

    /// A one-line description of an error without secrets (the library's errors never carry keys or payloads).
    static func describe(_ error: any Error) -> String {
        switch error {
        case let error as SDKError: "\(error.message) (code \(error.code.rawValue))"
        case let error as CLIError: error.description
        case let error as any CustomStringConvertible: error.description
        default: String(describing: error)
        }
    }

    /// Prints the final line for `end` and turns it into the process exit: returns normally for exit 0.
    /// - Parameter interruptionCompletes: Whether SIGINT/SIGTERM is a normal end (a serving wallet).
    static func finish(_ end: RunEnd, output: OutputWriter, interruptionCompletes: Bool, timeoutCompletes: Bool) throws {
        switch end {
        case .finished(.completed):
            return
        case .finished(.refused(let message)):
            output.error(message, [("refused", .bool(true))])
            throw ExitCode(refusedExitCode)
        case .failed(let message):
            output.error(message)
            throw ExitCode.failure
        case .interrupted(let number):
            if interruptionCompletes {
                output.emit(JSONLine("stopped").with("reason", "signal").with("signal", .int(Int64(number))))
                return
            }
            output.error("interrupted by signal \(number)")
            throw ExitCode.failure
        case .timedOut:
            if timeoutCompletes {
                output.emit(JSONLine("stopped").with("reason", "timeout"))
                return
            }
            output.error("timed out")
            throw ExitCode.failure
        }
    }
}
