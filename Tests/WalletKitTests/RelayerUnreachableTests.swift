import Foundation
import Testing
import WalletConnectCore
import WalletKitTesting

/// Issue 16 item 11: a relay that cannot be reached is named at once (``Relayer/unreachableReason``), for each
/// reason that can be produced on 127.0.0.1: refused, a TLS failure, an HTTP refusal of the upgrade. (DNS needs a
/// resolver, so it is not tested here.)
@Suite("Relayer: an unreachable relay is named at once", .timeLimit(.minutes(1)))
struct RelayerUnreachableTests {
    /// The first ``Relayer/unreachableReason`` of a relayer pointed at `url`, well before any call could time out.
    static func reason(url: String) async throws -> String {
        let relayer = Relayer(
            configuration: RelayerConfiguration(
                relayURL: url, projectID: "00000000000000000000000000000000", requestTimeout: .seconds(60),
                backoff: .init(initial: .milliseconds(50), maximum: .milliseconds(200))),
            identity: Crypto(keyChain: KeyChain.inMemory()), storage: InMemoryStorage())
        return try await relayer.withRunning {
            let states = relayer.connectionStates()
            return try await BoundedWait.run(within: .seconds(15)) {
                for await _ in states {
                    if let reason = await relayer.unreachableReason { return reason }
                }
                throw BoundedWait.StreamFinished()
            }
        }
    }

    @Test("connection refused")
    func refused() async throws {
        let url = try await HTTPLoopbackServer.closedPortURL().replacingOccurrences(of: "http://", with: "ws://")
        let reason = try await Self.reason(url: url)
        #expect(reason == "cannot reach the relay at \(url): connection refused")
    }

    @Test("an HTTP 401 answer to the upgrade is named as a refused upgrade")
    func httpRefusal() async throws {
        let server = HTTPLoopbackServer()
        try await server.run(handler: { _ in LoopbackReply(status: 401, body: "") }) { base in
            let url = base.replacingOccurrences(of: "http://", with: "ws://")
            let reason = try await Self.reason(url: url)
            #expect(reason.hasPrefix("cannot reach the relay at \(url): the relay refused the WebSocket upgrade"), "\(reason)")
            // The query (with the JWT) is not repeated.
            #expect(!reason.contains("auth="), "\(reason)")
            #expect(server.requests.contains { $0.method == "GET" })
        }
    }

    @Test("wss:// to a listener that does not speak TLS is named as a TLS failure")
    func tlsToPlainListener() async throws {
        let server = HTTPLoopbackServer()
        try await server.run(handler: { _ in .notFound }) { base in
            let url = base.replacingOccurrences(of: "http://", with: "wss://")
            let reason = try await Self.reason(url: url)
            #expect(reason.hasPrefix("cannot reach the relay at \(url): TLS handshake failed"), "\(reason)")
        }
    }
}
