import Foundation
import Testing
import WalletConnectCore
import WalletConnectRelayServer
import WalletKitTesting

/// The relayer against a relay with strict JWT checking: the `Crypto` identity's EdDSA JWT is accepted, a JWT
/// with a bad signature is refused with a fatal close (the relayer asks for `useOnCloseEvent`).
@Suite("Relayer auth", .timeLimit(.minutes(1)))
struct RelayerAuthTests {
    @Test("a JWT signed by the client's Ed25519 identity is accepted; the mailbox is keyed to its did:key")
    func goodJWTIsAccepted() async throws {
        let server = try await RelayerFixtures.startServer(strictAuth: true)
        let url = await server.url
        let crypto = Crypto(keyChain: KeyChain.inMemory())
        let relayer = Relayer(
            configuration: RelayerFixtures.configuration(url: url), identity: crypto, storage: InMemoryStorage())
        let peer = Relayer(
            configuration: RelayerFixtures.configuration(url: url), identity: Crypto(keyChain: KeyChain.inMemory()),
            storage: InMemoryStorage())
        let topic = RelayerFixtures.topic()
        try await withRunningRelayers([relayer, peer]) {
            #expect(try await relayer.clientID == crypto.clientID())
            #expect(await relayer.clientID.hasPrefix("did:key:z6Mk"))
            let inbox = relayer.messages()
            try await relayer.subscribe(topic: topic)
            try await peer.publish(topic: topic, message: "authenticated", options: PublishOptions(ttl: 300))
            let received = try await BoundedWait.first(in: inbox)
            #expect(received.message == "authenticated")
        }
        #expect(await server.counters().rejectedAuth == 0)
        await server.stop()
    }

    @Test("a JWT with a bad signature is refused: fatal close 3000, typed error, no reconnect")
    func badJWTIsRefused() async throws {
        let server = try await RelayerFixtures.startServer(strictAuth: true)
        let url = await server.url
        // A short keep-alive: if the close frame that follows the `101` at once is ever not read (a rare stall
        // seen below the relayer, also with swift-websocket's own client), the watchdog drops the socket and
        // the next attempt gets the close.
        var configuration = RelayerFixtures.configuration(url: url)
        configuration.keepAliveInterval = .seconds(1)
        let relayer = RelayerFixtures.relayer(url: url, configuration: configuration)
        let outcome: (any Error)?
        do {
            try await BoundedWait.run(within: .seconds(20)) { try await relayer.run() }
            outcome = nil
        } catch {
            outcome = error
        }
        let error = try #require(outcome as? RelayerError)
        #expect(error.isFatal)
        #expect(error.closeCode == 3000)
        #expect(await server.counters().rejectedAuth >= 1)
        if case .closed = relayer.connectionState {} else { Issue.record("relayer should be closed") }
        await server.stop()
    }
}
