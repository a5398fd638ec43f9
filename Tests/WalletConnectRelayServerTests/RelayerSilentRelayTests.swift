import Dispatch
import Foundation
import Testing
import WalletConnectCore
import WalletConnectRelayServer
import WalletKitTesting

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A relay that accepts the TCP connection, reads the upgrade request and never answers it (seen from a relay
/// node that stopped reading): the relayer's connect must not hold its shutdown.
@Suite("Relayer against a relay that never answers the upgrade", .timeLimit(.minutes(1)))
struct RelayerSilentRelayTests {
    @Test("shutdown while the upgrade request waits for an answer returns at once; run() ends")
    func shutdownDuringAPendingUpgrade() async throws {
        let listener = try SilentListener()
        defer { listener.close() }
        let relayer = RelayerFixtures.relayer(url: "ws://127.0.0.1:\(listener.port)")
        let running = Task { try await relayer.run() }
        // The request has arrived: the relayer is waiting for the 101 that never comes.
        let request = try await listener.acceptAndReadRequest()
        #expect(request.hasPrefix("GET /"))
        #expect(request.lowercased().contains("upgrade: websocket"))
        #expect(relayer.connectionState == .connecting)
        try await BoundedWait.run(within: .seconds(10)) { await relayer.shutdown() }
        try await running.boundedValue(within: .seconds(10))
        #expect(relayer.connectionState == .closed(reason: "shutdown"))
    }
}

extension RelayerSilentRelayTests {
    @Test("an unanswered upgrade times out on the relayer's clock: the socket is closed and the relayer tries again")
    func unansweredUpgradeTimesOut() async throws {
        let listener = try SilentListener()
        defer { listener.close() }
        let clock = ManualClock()
        var configuration = RelayerFixtures.configuration(url: "ws://127.0.0.1:\(listener.port)")
        configuration.upgradeTimeout = .seconds(5)
        let relayer = Relayer(
            configuration: configuration, identity: UnsignedIdentity(), storage: InMemoryStorage(), clock: clock)
        let running = Task { try await relayer.run() }
        _ = try await listener.acceptAndReadRequest()
        try await clock.waitForSleepers(count: 1)
        clock.advance(by: .seconds(5))
        // Closed by the relayer, which then sleeps its backoff (on the same clock) and connects again.
        try await clock.waitForSleepers(count: 1)
        clock.advance(by: .seconds(1))
        let again = try await listener.acceptAndReadRequest()
        #expect(again.hasPrefix("GET /"))
        await relayer.shutdown()
        try await running.boundedValue()
    }

    @Test("the upgrade timeout bounds the upgrade only: an open connection outlives it")
    func openConnectionOutlivesTheUpgradeTimeout() async throws {
        let server = try await RelayerFixtures.startServer()
        let clock = ManualClock()
        var configuration = RelayerFixtures.configuration(url: await server.url)
        configuration.upgradeTimeout = .seconds(5)
        let relayer = Relayer(
            configuration: configuration, identity: UnsignedIdentity(), storage: InMemoryStorage(), clock: clock)
        try await withRunningRelayers([relayer]) {
            try await relayer.waitUntilConnected()
            // Only the keep-alive sleeps now (20 s); the upgrade's 5 s timer is gone.
            #expect(clock.nextDeadline.map { $0.offset >= .seconds(20) } ?? true)
            clock.advance(by: .seconds(10))
            try await relayer.subscribe(topic: RelayerFixtures.topic())
            #expect(relayer.statistics.connectionsOpened == 1)
            #expect(await server.counters().totalConnections == 1)
        }
        await server.stop()
    }
}

/// A listening socket on 127.0.0.1 that accepts one connection, reads its HTTP request and never writes.
final class SilentListener: Sendable {
    let fd: Int32
    let port: Int

    init() throws {
        #if canImport(Darwin)
        let stream = SOCK_STREAM
        #else
        let stream = Int32(SOCK_STREAM.rawValue)
        #endif
        let fd = socket(AF_INET, stream, 0)
        guard fd >= 0 else { throw SocketError(call: "socket") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0, listen(fd, 4) == 0 else { throw SocketError(call: "bind/listen") }
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { throw SocketError(call: "getsockname") }
        self.fd = fd
        self.port = Int(UInt16(bigEndian: address.sin_port))
    }

    struct SocketError: Error { let call: String }

    /// Accepts one connection (on a dispatch thread, not the cooperative pool) and returns its request head.
    /// The connection stays open, unanswered, until ``close()``.
    func acceptAndReadRequest() async throws -> String {
        let fd = self.fd
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                let client = accept(fd, nil, nil)
                guard client >= 0 else {
                    continuation.resume(throwing: SocketError(call: "accept"))
                    return
                }
                var received: [UInt8] = []
                var buffer = [UInt8](repeating: 0, count: 4096)
                while !received.ends(with: Array("\r\n\r\n".utf8)) {
                    let count = read(client, &buffer, buffer.count)
                    guard count > 0 else { break }
                    received += buffer[0..<count]
                }
                continuation.resume(returning: String(decoding: received, as: UTF8.self))
            }
        }
    }

    func close() {
        #if canImport(Glibc)
        _ = Glibc.close(fd)
        #elseif canImport(Musl)
        _ = Musl.close(fd)
        #else
        _ = Darwin.close(fd)
        #endif
    }
}

extension Array where Element: Equatable {
    fileprivate func ends(with suffix: [Element]) -> Bool {
        count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix
    }
}
