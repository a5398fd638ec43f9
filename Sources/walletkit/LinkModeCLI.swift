import Foundation
import WalletConnectCore
import WalletConnectSign
import WalletKit

/// The CLI's link-mode transport: every link the client would open is printed as
/// `{"event":"open_url","url":"…"}` on stdout.
struct PrintingLinkTransport: LinkModeTransport {
    let output: OutputWriter

    func open(_ url: URL) async throws {
        output.emit(JSONLine("open_url").with("url", .string(url.absoluteString)))
    }
}

/// Reads links from standard input, one per line, and hands each to `dispatch`; a refused link prints
/// `{"event":"link_refused","message":…}` and the run goes on. Blank lines are skipped.
enum LinkInput {
    /// Lines of standard input, read on a dedicated thread (a blocking read must not hold a task thread).
    static func lines() -> AsyncStream<String> {
        let (stream, continuation) = AsyncStream<String>.makeStream()
        let thread = Thread {
            while let line = readLine(strippingNewline: true) {
                continuation.yield(line)
            }
            continuation.finish()
        }
        thread.start()
        return stream
    }

    /// Dispatches every link read from stdin until stdin ends or the task is cancelled.
    static func pump(output: OutputWriter, dispatch: @Sendable (URL) async throws -> Void) async {
        for await line in lines() {
            let text = line.trimmingCharacters(in: .whitespaces)
            guard !text.isEmpty else { continue }
            guard let url = URL(string: text) else {
                output.emit(JSONLine("link_refused").with("message", "not a URL"))
                continue
            }
            do {
                try await dispatch(url)
                output.emit(JSONLine("link_dispatched"))
            } catch is CancellationError {
                return
            } catch {
                output.emit(JSONLine("link_refused").with("message", .string(CLIRunner.describe(error))))
            }
        }
    }

    /// Runs `flow` while the links read from stdin are dispatched; returns the flow's status.
    /// - Throws: The flow's error.
    static func run(
        output: OutputWriter, dispatch: @escaping @Sendable (URL) async throws -> Void,
        flow: @escaping @Sendable () async throws -> FlowStatus
    ) async throws -> FlowStatus {
        try await withThrowingTaskGroup(of: FlowStatus?.self) { group in
            group.addTask {
                await pump(output: output, dispatch: dispatch)
                return nil
            }
            group.addTask { try await flow() }
            defer { group.cancelAll() }
            while let status = try await group.next() {
                if let status { return status }
            }
            throw CancellationError()
        }
    }

    /// In link mode, which needs no relay, a relay that cannot be reached is reported as
    /// `{"event":"relay_unreachable","message":…}` and the run goes on with links only; otherwise `nil` (it ends the
    /// run, see ``CLIRunner/run(make:subscribe:timeout:relayUnreachable:flow:)``).
    static func unreachableRelayReport(linkMode: Bool, output: OutputWriter) -> (@Sendable (String) -> Void)? {
        guard linkMode else { return nil }
        return { reason in output.emit(JSONLine("relay_unreachable").with("message", .string(reason))) }
    }

    /// `metadata` advertising link mode with `universalLink`.
    static func metadata(_ metadata: Metadata, universalLink: String) -> Metadata {
        var copy = metadata
        var redirect = copy.redirect ?? Metadata.Redirect()
        redirect.universal = universalLink
        redirect.linkMode = true
        copy.redirect = redirect
        return copy
    }
}
