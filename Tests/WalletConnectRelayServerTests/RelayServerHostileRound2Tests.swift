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
}
