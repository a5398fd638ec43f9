import Foundation
import Synchronization
import Testing
import WalletConnectCore
import WalletKitTesting

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The built `walletkit` executable: `<package>/.build/debug/walletkit`, located from this file's path.
enum CLIBinary {
    /// The package root (three levels above this file).
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The executable's path.
    static let path = packageRoot.appendingPathComponent(".build/debug/walletkit").path

    /// Whether the executable exists (tests are skipped with a note otherwise).
    static var isAvailable: Bool { FileManager.default.isExecutableFile(atPath: path) }

    /// The note shown when the tests are skipped.
    static let skipNote: Comment = "walletkit CLI not built: run `swift build --product walletkit` first"

    /// Whether the executable is older than a file under `Sources/` or `Package.swift`.
    static func isStale() -> Bool {
        let manager = FileManager.default
        guard let built = (try? manager.attributesOfItem(atPath: path))?[.modificationDate] as? Date else { return true }
        var newest = (try? manager.attributesOfItem(atPath: packageRoot.appendingPathComponent("Package.swift").path))?[
            .modificationDate] as? Date ?? .distantPast
        let sources = packageRoot.appendingPathComponent("Sources")
        let enumerator = manager.enumerator(at: sources, includingPropertiesForKeys: [.contentModificationDateKey])
        while let url = enumerator?.nextObject() as? URL {
            if let date = try? url.resourceValues(forKeys: [.contentModificationDateKey]).contentModificationDate,
                date > newest
            {
                newest = date
            }
        }
        return newest > built
    }

    /// Whether SwiftPM's build lock for this package is held right now (another build is running). SwiftPM keeps it
    /// as an `flock` on `<tmp>/<build path with / as _>.lock`; when that file is absent, the answer is `false`.
    static func isBuildLockHeld() -> Bool {
        let buildPath = packageRoot.appendingPathComponent(".build").path
        let lockPath = FileManager.default.temporaryDirectory.appendingPathComponent(
            buildPath.replacingOccurrences(of: "/", with: "_") + ".lock"
        ).path
        let fd = open(lockPath, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else { return true }
        _ = flock(fd, LOCK_UN)
        return false
    }

    /// Rebuilds the executable once per test process when a source is newer than it (unless the environment sets
    /// `WALLETKIT_CLI_NO_REBUILD=1`, or another build holds SwiftPM's lock). Bounded: after 120 s the build is
    /// stopped and the existing binary is used.
    static let rebuild = Task<String, Never> {
        if ProcessInfo.processInfo.environment["WALLETKIT_CLI_NO_REBUILD"] == "1" { return "rebuild skipped" }
        guard isStale() else { return "up to date" }
        guard !isBuildLockHeld() else { return "another SwiftPM build holds the lock; using the existing binary" }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["swift", "build", "--product", "walletkit"]
        process.currentDirectoryURL = packageRoot
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let done = AsyncStream<Int32>.makeStream()
        process.terminationHandler = { done.continuation.yield($0.terminationStatus) }
        do {
            try process.run()
        } catch {
            return "could not start swift build (\(error)); using the existing binary"
        }
        let pid = process.processIdentifier
        do {
            let status = try await BoundedWait.run(within: .seconds(120)) {
                for await status in done.stream { return status }
                return -1
            }
            return status == 0 ? "rebuilt" : "swift build exited \(status); using the existing binary"
        } catch {
            kill(pid, SIGKILL)
            return "swift build did not finish in 120 s; using the existing binary"
        }
    }
}

/// What a child wrote and whether it exited; shared by the reader threads, the termination handler and waiters.
private final class ChildState: Sendable {
    struct State {
        var lines: [String] = []
        var stderr = Data()
        var exitStatus: Int32?
        /// Whether the reader of each stream saw its end: the termination handler can run before the readers
        /// have drained the pipes, so an exit counts for waiters only once both have (``finishedStatus``).
        var stdoutDrained = false
        var stderrDrained = false
        /// The exit status once the process has exited and everything it wrote has been read.
        var finishedStatus: Int32? { stdoutDrained && stderrDrained ? exitStatus : nil }
        /// When the process last wrote anything (either stream) or was last signalled, and when it exited.
        var lastActivity = ContinuousClock.now
        var exitedAt: ContinuousClock.Instant?
        /// Ended by a signal it did not handle (a test's SIGKILL): not an exit of its own.
        var killedBySignal = false
        var waiters: [Int: AsyncStream<Void>.Continuation] = [:]
        var nextWaiter = 0
    }

    let state = Locked(State())

    func update(_ change: (inout State) -> Void) {
        let waiters = state.withLock { state -> [AsyncStream<Void>.Continuation] in
            change(&state)
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.yield() }
    }
}

/// Sends `signal` to `pid`.
private func send(_ signal: Int32, to pid: Int32) {
    _ = kill(pid, signal)
}

/// Why writing to a child failed.
enum CLIInputError: Error, Sendable {
    /// The child was launched without `stdin: true`.
    case noInput(String)
}

/// A `walletkit` child process whose stdout JSON lines are collected; stopped by ``stop()`` (call it in `defer`).
final class CLIProcess: Sendable {
    /// A short name for failure messages.
    let name: String
    /// The process id.
    let pid: Int32
    private let child: ChildState
    private let process: Locked<Process>
    /// The write end of the child's standard input, when launched with `stdin: true`.
    private let input: FileHandle?

    private init(name: String, pid: Int32, child: ChildState, process: sending Process, input: FileHandle?) {
        self.name = name
        self.pid = pid
        self.child = child
        self.process = Locked(process)
        self.input = input
    }

    /// Writes `line` and a newline to the child's standard input (launched with `stdin: true`).
    /// - Throws: When the child has no input pipe or the write fails.
    func writeLine(_ line: String) throws {
        guard let input else { throw CLIInputError.noInput(name) }
        try input.write(contentsOf: Data((line + "\n").utf8))
    }

    /// Starts `walletkit <arguments>`, with `environment` added to this process's environment.
    /// - Throws: When the executable cannot be started.
    /// `wrapper` (a command that execs its last argument in place, such as `prlimit --nofile=64:64`) runs the
    /// binary with changed limits; the process id stays the binary's.
    static func launch(
        _ name: String, _ arguments: [String], environment: [String: String] = [:], wrapper: [String] = [],
        stdin: Bool = false
    ) throws -> CLIProcess {
        let process = Process()
        if let command = wrapper.first {
            process.executableURL = URL(fileURLWithPath: command)
            process.arguments = Array(wrapper.dropFirst()) + [CLIBinary.path] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: CLIBinary.path)
            process.arguments = arguments
        }
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        let inputPipe = stdin ? Pipe() : nil
        process.standardInput = inputPipe ?? FileHandle.nullDevice
        let child = ChildState()
        process.terminationHandler = { finished in
            let status = finished.terminationStatus
            let signalled = finished.terminationReason == .uncaughtSignal
            child.update {
                $0.exitStatus = status
                $0.exitedAt = .now
                $0.killedBySignal = signalled
            }
        }
        try process.run()
        let pid = process.processIdentifier
        let out = stdout.fileHandleForReading
        let err = stderr.fileHandleForReading
        Thread.detachNewThread {
            var pending = Data()
            while true {
                let chunk = out.availableData
                if chunk.isEmpty {
                    // A last line without its newline still counts.
                    let tail = pending.isEmpty ? nil : String(decoding: pending, as: UTF8.self)
                    child.update {
                        if let tail { $0.lines.append(tail) }
                        $0.stdoutDrained = true
                    }
                    break
                }
                pending.append(chunk)
                while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
                    pending.removeSubrange(pending.startIndex...newline)
                    child.update {
                        $0.lines.append(line)
                        $0.lastActivity = .now
                    }
                }
            }
        }
        Thread.detachNewThread {
            while true {
                let chunk = err.availableData
                if chunk.isEmpty {
                    child.update { $0.stderrDrained = true }
                    break
                }
                child.update {
                    $0.stderr.append(chunk)
                    $0.lastActivity = .now
                }
            }
        }
        return CLIProcess(
            name: name, pid: pid, child: child, process: process, input: inputPipe?.fileHandleForWriting)
    }

    /// Every stdout line so far.
    var lines: [String] { child.state.withLock { $0.lines } }
    /// Every stdout line so far, parsed (non-JSON lines are skipped).
    var objects: [[String: JSONValue]] { lines.compactMap(Self.parse) }
    /// The stdout lines whose `event` is `event`.
    func events(_ event: String) -> [[String: JSONValue]] { objects.filter { $0["event"]?.stringValue == event } }
    /// What the process wrote to stderr so far.
    var stderr: String { child.state.withLock { String(decoding: $0.stderr, as: UTF8.self) } }

    /// Parses one JSON object line.
    static func parse(_ line: String) -> [String: JSONValue]? {
        (try? JSONDecoder().decode(JSONValue.self, from: Data(line.utf8)))?.objectValue
    }

    /// Waits until `find` returns a value for the lines and exit status so far, within `limit`.
    /// - Throws: ``CLIProcessError`` (with the output so far) on timeout.
    func wait<T: Sendable>(
        for what: String, within limit: Duration = .seconds(30),
        _ find: @escaping @Sendable (_ lines: [String], _ exitStatus: Int32?) -> T?
    ) async throws -> T {
        let child = self.child
        do {
            return try await BoundedWait.run(within: limit) {
                while true {
                    let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
                    let (found, id) = child.state.withLock { state -> (T?, Int) in
                        if let found = find(state.lines, state.finishedStatus) { return (found, -1) }
                        state.nextWaiter += 1
                        state.waiters[state.nextWaiter] = continuation
                        return (nil, state.nextWaiter)
                    }
                    if let found { return found }
                    for await _ in stream { break }
                    _ = child.state.withLock { $0.waiters.removeValue(forKey: id) }
                    try Task.checkCancellation()
                }
            }
        } catch is BoundedWait.TimedOut {
            throw CLIProcessError(message: "\(name): no \(what) within \(limit)", output: transcript)
        }
    }

    /// The first line with `"event": event`, within `limit`; fails early if the process exits without it.
    func line(_ event: String, within limit: Duration = .seconds(30)) async throws -> [String: JSONValue] {
        let found: [String: JSONValue]?? = try await wait(for: "\"\(event)\" line", within: limit) { lines, status in
            if let match = lines.lazy.compactMap(Self.parse).first(where: { $0["event"]?.stringValue == event }) {
                return .some(match)
            }
            return status != nil ? .some(nil) : nil
        }
        guard let found = found ?? nil else {
            throw CLIProcessError(message: "\(name) exited without a \"\(event)\" line", output: transcript)
        }
        return found
    }

    /// The longest a process may take to exit after its last output (or the signal that stops it): a process
    /// that printed its last line and then hangs is a bug (issue 12: a dapp that printed `session_rejected` and
    /// never exited).
    static let exitGrace: Duration = .seconds(2)

    /// The exit status, within `limit`. Records an issue when the process exited on its own (or on SIGTERM) more
    /// than ``exitGrace`` after its last output; a process killed by a signal it does not handle is not judged.
    func exitStatus(within limit: Duration = .seconds(30), sourceLocation: SourceLocation = #_sourceLocation) async throws
        -> Int32
    {
        let status = try await wait(for: "exit", within: limit) { _, status in status }
        let (last, exited, killed) = child.state.withLock { ($0.lastActivity, $0.exitedAt, $0.killedBySignal) }
        if !killed, let exited, exited - last > Self.exitGrace {
            Issue.record(
                "\(name) exited \(exited - last) after its last output (limit \(Self.exitGrace))\n\(transcript)",
                sourceLocation: sourceLocation)
        }
        return status
    }

    /// Sends SIGTERM (a graceful stop).
    func terminate() {
        child.update { $0.lastActivity = .now }
        send(SIGTERM, to: pid)
    }

    /// Sends SIGKILL if the process is still running (safe to call on every path).
    func stop() {
        if child.state.withLock({ $0.exitStatus }) == nil { send(SIGKILL, to: pid) }
    }

    /// Stdout and stderr, for failure messages.
    var transcript: String { "stdout:\n" + lines.joined(separator: "\n") + "\nstderr:\n" + stderr }
}

/// A failed wait on a ``CLIProcess``, with its output.
struct CLIProcessError: Error, CustomStringConvertible {
    var message: String
    var output: String
    var description: String { message + "\n" + output }
}
