import Foundation
import NIOSSL
import Synchronization
import Testing
import WalletConnectCore
import WalletConnectRelayServer
import WalletKitTesting

/// An identity with a fixed client id and an unsigned JWT (enough for a relay without strict auth, which reads
/// the unverified `iss` to key the mailbox).
struct UnsignedIdentity: RelayIdentity {
    let id: String

    init(id: String = "did:key:z6MkTest" + RelayerFixtures.randomHex(bytes: 8)) { self.id = id }

    func clientID() async throws -> String { id }

    func signJWT(audience: String) async throws -> String {
        let header = Base64Codec.encodeURL(Array(#"{"alg":"EdDSA","typ":"JWT"}"#.utf8))
        let now = Int(Date().timeIntervalSince1970)
        let claims = #"{"iss":"\#(id)","sub":"test","aud":"\#(audience)","iat":\#(now),"exp":\#(now + 3600)}"#
        let payload = Base64Codec.encodeURL(Array(claims.utf8))
        let signature = Base64Codec.encodeURL([UInt8](repeating: 7, count: 64))
        return header + "." + payload + "." + signature
    }
}

/// A wall clock the test moves by hand.
final class SettableWallClock: Sendable {
    private let millis: Locked<Int64>

    init(start: Int64 = 1_800_000_000_000) { millis = Locked(start) }

    var wallClock: WallClock { WallClock { [self] in self.millis.withLock { $0 } } }

    func advance(seconds: Int64) { millis.withLock { $0 += seconds * 1000 } }
}

enum RelayerFixtures {
    static func randomHex(bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<bytes).map { _ in String(format: "%02x", generator.next() as UInt8) }.joined()
    }

    static func topic() -> String { randomHex(bytes: 32) }

    static func configuration(
        url: String, requestTimeout: Duration = .seconds(30), backoffMaximum: Duration = .milliseconds(300),
        tls: TLSConfiguration? = nil
    ) -> RelayerConfiguration {
        RelayerConfiguration(
            relayURL: url, projectID: "00000000000000000000000000000000", userAgent: "wc-2/swift-test/linux",
            tlsConfiguration: tls, requestTimeout: requestTimeout,
            backoff: .init(initial: .milliseconds(20), maximum: backoffMaximum))
    }

    static func relayer(
        url: String, identity: UnsignedIdentity = UnsignedIdentity(), storage: any KeyValueStorage = InMemoryStorage(),
        configuration: RelayerConfiguration? = nil
    ) -> Relayer {
        Relayer(configuration: configuration ?? Self.configuration(url: url), identity: identity, storage: storage)
    }

    /// Starts a loopback relay server (ws://127.0.0.1:random) with an optional shared state.
    static func startServer(
        state: RelayServerState = RelayServerState(), port: Int = 0, tls: RelayServerConfiguration.TLSFiles? = nil,
        strictAuth: Bool = false
    ) async throws -> RelayServer {
        let server = RelayServer(
            configuration: RelayServerConfiguration(host: "127.0.0.1", port: port, tls: tls, strictAuth: strictAuth),
            state: state)
        try await server.start()
        return server
    }
}

extension Relayer {
    /// Waits (bounded) until the relayer reports `.connected`.
    func waitUntilConnected(within limit: Duration = BoundedWait.defaultLimit) async throws {
        _ = try await BoundedWait.first(in: connectionStates(), within: limit) { $0 == .connected }
    }

    /// Waits (bounded) until `count` connections were opened and the relayer is connected; checked on every
    /// state change.
    func waitForConnections(_ count: UInt64, within limit: Duration = BoundedWait.defaultLimit) async throws {
        let states = connectionStates()
        _ = try await BoundedWait.first(in: states, within: limit) { [self] state in
            state == .connected && self.statistics.connectionsOpened >= count
        }
    }
}

/// Runs `body` with the relayer's `run()` going in a child task; shuts down afterwards.
func withRunningRelayers<T: Sendable>(
    _ relayers: [Relayer], _ body: @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: Void.self) { group in
        for relayer in relayers { group.addTask { try await relayer.run() } }
        do {
            let value = try await body()
            for relayer in relayers { await relayer.shutdown() }
            try await group.waitForAll()
            return value
        } catch {
            for relayer in relayers { await relayer.shutdown() }
            try? await group.waitForAll()
            throw error
        }
    }
}

extension Relayer {
    /// The next `count` messages of `stream`, each marked handled as it is taken (a relayer hands out at most
    /// `maxInboundBacklog` messages that are not finished), within `limit`.
    func collectHandling(
        _ count: Int, from stream: AsyncStream<RelayMessage>, within limit: Duration = BoundedWait.defaultLimit
    ) async throws -> [RelayMessage] {
        try await BoundedWait.run(within: limit) {
            var collected: [RelayMessage] = []
            guard count > 0 else { return collected }
            for await message in stream {
                collected.append(message)
                await self.markHandled(message)
                if collected.count == count { return collected }
            }
            throw BoundedWait.StreamFinished()
        }
    }
}
