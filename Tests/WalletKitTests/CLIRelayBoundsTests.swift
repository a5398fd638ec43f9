import Foundation
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

/// `walletkit relay` at its open-file limit (issue 16, item 6): it used to retry `accept` on EMFILE without pause,
/// one core at 100 %, serving and refusing nobody, and ignored SIGTERM meanwhile.
@Suite(
    "walletkit relay: at the open-file limit", .serialized,
    .enabled(if: CLIBinary.isAvailable && FileManager.default.isExecutableFile(atPath: "/usr/bin/prlimit"),
        CLIBinary.skipNote),
    .timeLimit(.minutes(2)))
struct CLIRelayBoundsTests {
    init() async {
        let note = await CLIBinary.rebuild.value
        if note != "rebuilt" && note != "up to date" { print("note: walletkit CLI tests: \(note)") }
    }

    /// User plus system CPU seconds used so far by process `pid` (from /proc).
    static func cpuSeconds(_ pid: Int32) throws -> Double {
        let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        // Fields after the parenthesised command name: state is the first, utime the 12th, stime the 13th.
        let fields = stat[stat.index(after: try #require(stat.lastIndex(of: ")")))...].split(separator: " ")
        let ticks = try #require(Double(fields[11])) + #require(Double(fields[12]))
        return ticks / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// A plain TCP connection to 127.0.0.1:`port`, left open (the caller closes it).
    static func openSocket(port: Int) throws -> Int32 {
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        try #require(fd >= 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        try #require(connected == 0)
        return fd
    }

    @Test("with 64 open files, 150 connections leave the relay idle (no accept spin), refused ones counted; SIGTERM ends it")
    func noSpinAtFileLimit() async throws {
        let scenario = try CLIScenario()
        defer { scenario.stopAll() }
        let (relay, url) = try await scenario.startRelayProcess(wrapper: ["/usr/bin/prlimit", "--nofile=64:64"])
        let port = try #require(Int(url.split(separator: ":").last ?? ""))
        var sockets: [Int32] = []
        defer { for fd in sockets { close(fd) } }
        for _ in 0..<150 { sockets.append(try Self.openSocket(port: port)) }
        // A measurement window, not a synchronisation: the CPU the relay burns while 150 connections wait on it.
        // Spinning on EMFILE it used about 1 CPU second per second; serving and refusing takes a few milliseconds.
        let before = try Self.cpuSeconds(relay.pid)
        try await Task.sleep(for: .seconds(2))
        let used = try Self.cpuSeconds(relay.pid) - before
        #expect(used < 0.5, "the relay used \(used) CPU seconds in 2 s with 150 connections at its file limit")
        relay.terminate()
        #expect(try await relay.exitStatus(within: .seconds(15)) == 0, "\(relay.transcript)")
        let counters = try #require(relay.lines.last.flatMap(CLIProcess.parse))
        #expect((counters["refusedConnections"]?.int64Value ?? 0) > 0, "\(relay.transcript)")
    }
}
