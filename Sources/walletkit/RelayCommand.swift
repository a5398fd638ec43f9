import ArgumentParser
import Foundation
import WalletConnectRelayServer

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// `walletkit relay`: runs the IRN relay server until SIGINT/SIGTERM, then prints its counters as JSON.
struct RelayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "relay",
        abstract: "Run the IRN relay server (WebSocket JSON-RPC, loopback by default).",
        discussion: """
            Prints "relay listening on ws://HOST:PORT" (or wss://) as its first line, serves until SIGINT or \
            SIGTERM, then prints its counters as one JSON line and exits 0.
            """
    )

    @Option(help: "Address to bind.")
    var host = "127.0.0.1"

    @Option(help: "Port to bind, 0 to 65535 (0 picks a free port).", transform: RelayCommand.parsePort)
    var port = 0

    @Option(name: .customLong("tls-cert"), help: "PEM certificate chain file; serves wss:// (needs --tls-key).")
    var tlsCert: String?

    @Option(name: .customLong("tls-key"), help: "PEM private key file (needs --tls-cert).")
    var tlsKey: String?

    @Flag(name: .customLong("strict-auth"), help: "Verify the relay-auth JWT; refuse the upgrade with 401 otherwise.")
    var strictAuth = false

    /// `--port` as a number in 0...65535; anything else (also a number beyond Int) names the range.
    static func parsePort(_ text: String) throws -> Int {
        guard let port = Int(text), (0...65_535).contains(port) else {
            throw ValidationError("--port must be between 0 and 65535")
        }
        return port
    }

    /// Raises the soft open-file limit to the hard one: the relay holds one descriptor per connection, and
    /// ``RelayServer/connectionLimit`` follows the soft limit.
    static func raiseOpenFileLimit() {
        var limit = rlimit()
        #if canImport(Glibc)
        let resource = Int32(RLIMIT_NOFILE.rawValue)
        #else
        let resource = RLIMIT_NOFILE
        #endif
        guard getrlimit(resource, &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(resource, &limit)
    }

    /// Every 5 seconds in which connections ended, hands the memory they freed back to the system.
    ///
    /// A permessage-deflate connection holds about 300 KB of zlib state; glibc keeps what such connections free in
    /// its arenas, so 10 rounds of 1,000 connections grew the relay from 160 to 350 MB with nothing open. Freed is
    /// not leaked (`malloc_trim` returns it), so the relay trims after connections have come and gone.
    static func returnFreedMemory(of server: RelayServer) async {
        #if canImport(Glibc)
        // malloc.h is not part of the Glibc module: look the function up (absent on other C libraries).
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return }
        typealias MallocTrim = @convention(c) (Int) -> Int32
        let trim = unsafeBitCast(symbol, to: MallocTrim.self)
        var seen = await server.counters().totalConnections
        var open = await server.counters().connections
        while (try? await ContinuousClock().sleep(for: .seconds(5))) != nil {
            let counters = await server.counters()
            let ended = counters.totalConnections - seen + open - counters.connections
            seen = counters.totalConnections
            open = counters.connections
            if ended > 0 { _ = trim(0) }
        }
        #endif
    }

    func validate() throws {
        if (tlsCert == nil) != (tlsKey == nil) {
            throw ValidationError("--tls-cert and --tls-key must be given together")
        }
        if !(0...65_535).contains(port) {
            throw ValidationError("--port must be between 0 and 65535")
        }
    }

    func run() async throws {
        Self.raiseOpenFileLimit()
        var configuration = RelayServerConfiguration(host: host, port: port, strictAuth: strictAuth)
        if let tlsCert, let tlsKey {
            configuration.tls = .init(certificatePath: tlsCert, privateKeyPath: tlsKey)
        }
        let server = RelayServer(configuration: configuration)
        do {
            try await server.start()
        } catch {
            try? FileHandle.standardError.write(contentsOf: Data("walletkit relay: \(error)\n".utf8))
            throw ExitCode.failure
        }
        let url = await server.url
        // `try?`: a closed standard output (the reader went away) must not end the relay.
        try? FileHandle.standardOutput.write(contentsOf: Data("relay listening on \(url)\n".utf8))
        let trimming = Task { await Self.returnFreedMemory(of: server) }
        _ = await SignalWaiter.wait(for: [SIGINT, SIGTERM])
        trimming.cancel()
        await server.stop()
        let counters = await server.counters()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let line = String(decoding: try encoder.encode(counters), as: UTF8.self)
        try? FileHandle.standardOutput.write(contentsOf: Data((line + "\n").utf8))
    }
}
