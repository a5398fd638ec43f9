import Foundation
import Testing
import WalletConnectCore
import WalletConnectRelayServer
import WalletConnectSign
import WalletKitTesting

/// One-click auth between a dapp engine and a wallet engine through the project's relay server on 127.0.0.1,
/// each client with its own `Relayer` (WebSocket), and expiry of auth requests on manual clocks.
@Suite("Sign engine: one-click auth over the relay server", .timeLimit(.minutes(1)))
struct EngineAuthenticateRelayTests {
    /// A client on a `Relayer` connected to `url`; the relayer runs in the returned task.
    static func client(name: String, url: String) async throws -> (EngineClient, Relayer, Task<Void, Never>) {
        let identity = Crypto(keyChain: KeyChain.inMemory())
        let relayer = Relayer(
            configuration: RelayerConfiguration(
                relayURL: url, projectID: "00000000000000000000000000000000", userAgent: "wc-2/swift-test/linux"),
            identity: identity, storage: InMemoryStorage())
        let running = Task { _ = try? await relayer.run() }
        let client = try await EngineClient.make(name: name, relay: relayer)
        return (client, relayer, running)
    }

    @Test("secp256k1-signed SIWE → the dapp gets a verified CACAO and a working session")
    func approveThroughRelayServer() async throws {
        let server = RelayServer(configuration: RelayServerConfiguration(host: "127.0.0.1", port: 0), state: RelayServerState())
        try await server.start()
        let url = await server.url
        #expect(url.hasPrefix("ws://127.0.0.1:"))
        let (dapp, dappRelayer, dappRunning) = try await Self.client(name: "dapp", url: url)
        let (wallet, walletRelayer, walletRunning) = try await Self.client(name: "wallet", url: url)
        func stop() async {
            await dapp.stop()
            await wallet.stop()
            await dappRelayer.shutdown()
            await walletRelayer.shutdown()
            await dappRunning.value
            await walletRunning.value
            await server.stop()
        }
        do {
            let (authentication, pending) = try await AuthFixture.request(dapp: dapp, wallet: wallet)
            let cacaos = try AuthFixture.sign(pending.authPayload, chains: ["eip155:137", "eip155:1"])
            #expect(cacaos.count == 2)
            let walletSession = try #require(
                try await wallet.engine.approveSessionAuthenticate(requestID: pending.id, auths: cacaos))
            let result = try await AuthFixture.response(authentication)
            guard case .authenticated(let received, let session?) = result else {
                Issue.record("expected an authenticated session, got \(result)")
                await stop()
                return
            }
            #expect(received == cacaos)
            let address = try AuthFixture.walletAddress
            #expect(
                session.namespaces
                    == OneClickAuth.buildNamespacesFromAuth(
                        methods: ["eth_sendTransaction", "personal_sign"],
                        accounts: ["eip155:1:\(address)", "eip155:137:\(address)"]))
            #expect(session.topic == walletSession.topic)
            // A session request goes through and is answered.
            let answer = Task {
                try await dapp.engine.request(
                    topic: session.topic, chainID: "eip155:137", method: "personal_sign", params: ["0x68656c6c6f", .string(address)])
            }
            let requestEvent = try await wallet.next { $0.sessionRequest != nil }
            let request = try #require(requestEvent.sessionRequest)
            try await wallet.engine.respondSessionRequest(
                topic: session.topic, response: JSONRPCResponse(id: RPCID(request.id), result: "0xsigned"))
            #expect(try await BoundedWait.run { try await answer.boundedValue() } == "0xsigned")
        } catch {
            await stop()
            throw error
        }
        await stop()
    }

    @Test("expiry: the wallet drops the pending request; the dapp's wait fails with .expired after the fallback expired")
    func expiry() async throws {
        let dappClock = ManualClock()
        let walletClock = ManualClock()
        let epoch = WallClock.system.nowMilliseconds
        let dappWall = ManualWallClock(clock: dappClock, epochMilliseconds: epoch)
        let walletWall = ManualWallClock(clock: walletClock, epochMilliseconds: epoch)
        try await EngineFixture.withPair(
            dappClock: dappClock, dappWallClock: dappWall.wallClock, walletClock: walletClock,
            walletWallClock: walletWall.wallClock
        ) { hub, dapp, wallet in
            let (authentication, pending) = try await AuthFixture.request(
                dapp: dapp, wallet: wallet, params: AuthFixture.params(expiry: 3600))
            #expect(pending.expiryTimestamp == epoch / 1000 + 3600)
            let published = try #require(await hub.publishes.first { $0.options.tag == 1116 })
            #expect(published.options.ttl == 3600)

            // Wallet: the request expires silently and can no longer be approved.
            walletClock.advance(by: .seconds(3601))
            await wallet.expirer.checkNow()
            try await BoundedWait.until { await wallet.engine.pendingAuthRequests().isEmpty }
            let cacaos = try AuthFixture.sign(pending.authPayload)
            let late = await #expect(throws: SDKError.self) {
                _ = try await wallet.engine.approveSessionAuthenticate(requestID: pending.id, auths: cacaos)
            }
            #expect(late?.code == .noMatchingKey)

            // Dapp: the fallback proposal (300 s) expiring does not end the wait; the request (3600 s) does.
            let waiting = Task { try await authentication.response() }
            dappClock.advance(by: .seconds(301))
            await dapp.expirer.checkNow()
            try await BoundedWait.until { await dapp.engine.pendingSessionProposals().isEmpty }
            dappClock.advance(by: .seconds(3300))
            await dapp.expirer.checkNow()
            let error = await #expect(throws: SignAuthenticationError.self) {
                _ = try await BoundedWait.run { try await waiting.boundedValue() }
            }
            #expect(error?.kind == .expired)
            #expect(await hub.subscribers(of: authentication.responseTopic).isEmpty)
        }
    }

    @Test("a shorter caller expiry is the publish TTL but the request still lives an hour")
    func shortExpiryTTL() async throws {
        try await EngineFixture.withPair { hub, dapp, wallet in
            let (_, pending) = try await AuthFixture.request(
                dapp: dapp, wallet: wallet, params: AuthFixture.params(expiry: 600))
            let published = try #require(await hub.publishes.first { $0.options.tag == 1116 })
            #expect(published.options.ttl == 600)
            #expect(pending.expiryTimestamp >= WallClock.system.nowSeconds + 3600 - 5)
        }
    }

    @Test("a pending auth request survives a wallet restart and can be approved afterwards")
    func pendingRequestSurvivesRestart() async throws {
        let hub = InMemoryRelayHub()
        let dapp = try await EngineClient.make(name: "dapp", relay: hub.makeClient())
        let storage = InMemoryStorage()
        let keyChain = KeyChain.inMemory()
        let first = try await EngineClient.make(
            name: "wallet", relay: hub.makeClient(clientID: "did:key:z6MkWallet"), storage: storage, keyChain: keyChain)
        let (authentication, pending) = try await AuthFixture.request(dapp: dapp, wallet: first)
        await first.stop()

        let second = try await EngineClient.make(
            name: "wallet", relay: hub.makeClient(clientID: "did:key:z6MkWallet"), storage: storage, keyChain: keyChain)
        #expect(await second.engine.pendingAuthRequests() == [pending])
        #expect(await second.expirer.has(.id(pending.id)))
        let session = try await second.engine.approveSessionAuthenticate(
            requestID: pending.id, auths: try AuthFixture.sign(pending.authPayload))
        let result = try await AuthFixture.response(authentication)
        #expect(result.session?.topic == session?.topic)
        #expect(result.cacaos.count == 1)
        await second.stop()
        await dapp.stop()
    }
}
