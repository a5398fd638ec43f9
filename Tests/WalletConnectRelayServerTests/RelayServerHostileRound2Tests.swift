import Foundation
import Testing
import WSClient
import WSCompression
import WalletConnectCore
import WalletConnectRelayServer
import WalletKitTesting

/// The relay against hostile clients (issue 16, round 2): oversize compressed messages, JWTs for another relay.
@Suite("Relay server: hostile round 2", .timeLimit(.minutes(1)))
struct RelayServerHostileRound2Tests {
    @Test("an oversize message closes with 1009 (message too big), compressed or not; the server keeps serving",
        arguments: [false, true])
    func oversizeCloses1009(compressed: Bool) async throws {
        try await withRelay(RelayServerConfiguration(maxMessageBytes: 4096)) { server in
            let url = await server.url
            let client = try await RelayTestClient.connect(
                url, extensions: compressed ? [.perMessageDeflate(maxDecompressedFrameSize: 1 << 20)] : [])
            // Compresses to far less than 4096 bytes; inflates to 100 000.
            client.send(String(repeating: "x", count: 100_000))
            #expect(try await client.closed() == 1009)
            let next = try await connectClient(server)
            #expect(try await next.subscribe(RelayTest.topic()).count == 64)
            await next.close()
        }
    }

    @Test("strict auth: a JWT whose aud is another relay gets 401; the relay's own URL is accepted")
    func strictAuthChecksAudience() async throws {
        try await withRelay(RelayServerConfiguration(strictAuth: true)) { server in
            let url = await server.url
            let port = try #require(await server.port)
            let seed = [UInt8](repeating: 0x44, count: 32)
            let now = WallClock.system.nowSeconds
            for audience in ["wss://relay.walletconnect.org", "ws://127.0.0.2:\(port)", "not a url", ""] {
                let jwt = try RelayJWT.sign(seed: seed, audience: audience, subject: "x", issuedAt: now, ttl: 3600)
                let status = try await rawHTTPStatus(port: port, request: upgradeRequest(path: "/?auth=\(jwt)"))
                #expect(status.contains(" 401"), "aud \(audience): \(status)")
            }
            let valid = try RelayJWT.sign(seed: seed, audience: url, subject: "y", issuedAt: now, ttl: 3600)
            let client = try await RelayTestClient.connect("\(url)/?auth=\(valid)")
            #expect(try await client.subscribe(RelayTest.topic()).count == 64)
            await client.close()
            #expect(await server.counters().rejectedAuth == 4)
        }
    }
}
