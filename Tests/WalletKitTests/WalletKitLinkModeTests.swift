import Foundation
import Testing
import WalletConnectCore
import WalletConnectRelayServer
import WalletConnectSign
import WalletKit
import WalletKitTesting

/// Link mode through the `WalletKit` API: `setLinkModeTransport`, `dispatchEnvelope(_:)`, with a dapp `SignClient`.
@Suite("WalletKit: link mode", .timeLimit(.minutes(1)))
struct WalletKitLinkModeTests {
    static let accountKey = Data(repeating: 0x11, count: 32)
    static let walletLink = "https://wallet.example/wc"
    static let dappLink = "https://dapp.example/wc"

    /// The dapp's and the wallet's configurations on the loopback relay `url`: both advertise link mode, each has
    /// its own SQLite file in `directory`.
    static func configurations(
        relayURL url: String, directory: WKTemporaryDirectory
    ) -> (dapp: SignClientConfiguration, wallet: WalletKitConfiguration) {
        var dappMetadata = WKFixture.dappMetadata
        dappMetadata.redirect = .init(universal: dappLink, linkMode: true)
        var walletMetadata = WKFixture.walletMetadata
        walletMetadata.redirect = .init(universal: walletLink, linkMode: true)
        let dapp = WKFixture.signConfiguration(
            metadata: dappMetadata, relayURL: url, databasePath: directory.path("dapp.sqlite"))
        var wallet = WKFixture.walletConfiguration(relayURL: url, databasePath: directory.path("wallet.sqlite"))
        wallet.sign.metadata = walletMetadata
        return (dapp, wallet)
    }

    /// One-click auth through links: the dapp (which has seen the wallet's link) asks by link, the wallet approves
    /// and answers by link. Returns the wallet's session (the dapp holds the same topic).
    static func authenticateByLinks(
        dapp: SignClient, kit: WalletKit, dappLinks: RecordingLinkModeTransport, walletLinks: RecordingLinkModeTransport
    ) async throws -> Session {
        await dapp.registerLinkModeApp(walletLink)
        let requests = kit.sessionAuthenticateRequests
        let authentication = try await dapp.authenticate(
            AuthRequestParams(
                chains: ["eip155:1"], domain: "dapp.example", nonce: "n0nce-link", uri: "https://dapp.example/login",
                statement: "Sign in", methods: ["personal_sign"]),
            walletUniversalLink: walletLink)
        #expect(authentication.uri == nil)
        try await kit.dispatchEnvelope(try #require(dappLinks.openedURLs.last))
        let pending = try await WKFixture.first(requests)
        #expect(pending.transportType == .linkMode)

        let populated = try kit.populateAuthPayload(
            authPayload: pending.authPayload, chains: ["eip155:1"], methods: ["personal_sign"])
        let iss = "did:pkh:eip155:1:" + (try EthereumAddress(privateKey: accountKey).checksummed)
        let signature = try EIP191.sign(
            message: try kit.formatAuthMessage(request: populated, iss: iss), privateKey: accountKey)
        let cacao = try kit.buildAuthObject(
            requestPayload: populated, signature: CacaoSignature(type: CacaoSignatureType.eip191, signature: signature),
            iss: iss)
        let session = try #require(try await kit.approveSessionAuthenticate(requestID: pending.id, auths: [cacao]))
        #expect(session.transportType == .linkMode)
        try await dapp.dispatchEnvelope(try #require(walletLinks.openedURLs.last))
        let result = try await BoundedWait.run { try await authentication.response() }
        #expect(result.session?.topic == session.topic)
        return session
    }

    /// The signer's address, as the session's accounts hold it.
    static var address: String { get throws { try EthereumAddress(privateKey: accountKey).checksummed } }

    /// The dapp sends a `personal_sign` request on `topic` (by relay when it has no link transport); returns the
    /// request as the wallet announces it. The dapp's call is cancelled once the wallet has it.
    static func requestHeardByWallet(dapp: SignClient, kit: WalletKit, topic: String) async throws -> PendingRequest {
        let requests = kit.sessionRequests
        let address = try address
        let call = Task {
            try await dapp.request(
                topic: topic, chainID: "eip155:1", method: "personal_sign", params: ["0x68656c6c6f", .string(address)])
        }
        defer { call.cancel() }
        return try await WKFixture.first(requests, within: .seconds(15))
    }

    @Test("one-click auth and a request as links through WalletKit.dispatchEnvelope")
    func authenticateAndRequest() async throws {
        try await withRelay { relay, directory in
            let (dappConfiguration, walletConfiguration) = Self.configurations(relayURL: await relay.url, directory: directory)
            try await SignClient.withSignClient(dappConfiguration) { dapp in
                try await WalletKit.withWalletKit(walletConfiguration) { kit in
                    let dappLinks = RecordingLinkModeTransport()
                    let walletLinks = RecordingLinkModeTransport()
                    await dapp.setLinkModeTransport(dappLinks)
                    await kit.setLinkModeTransport(walletLinks)
                    _ = try await Self.authenticateByLinks(
                        dapp: dapp, kit: kit, dappLinks: dappLinks, walletLinks: walletLinks)

                    // A forged link is refused with a typed error through the facade.
                    await #expect(throws: LinkModeError.self) {
                        try await kit.dispatchEnvelope(URL(string: "\(Self.walletLink)?wc_ev=AA&topic=zz")!)
                    }
                }
            }
        }
    }

    @Test("the peers' links seen survive a restart: a request pending across it is answered by link, not the relay")
    func seenLinksSurviveRestart() async throws {
        try await withRelay { relay, directory in
            let (dappConfiguration, walletConfiguration) = Self.configurations(relayURL: await relay.url, directory: directory)
            try await SignClient.withSignClient(dappConfiguration) { dapp in
                let dappLinks = RecordingLinkModeTransport()
                await dapp.setLinkModeTransport(dappLinks)
                let call = WKBox<Task<JSONValue, any Error>>()
                let topic = try await WalletKit.withWalletKit(walletConfiguration) { kit in
                    let walletLinks = RecordingLinkModeTransport()
                    await kit.setLinkModeTransport(walletLinks)
                    let session = try await Self.authenticateByLinks(
                        dapp: dapp, kit: kit, dappLinks: dappLinks, walletLinks: walletLinks)
                    let requests = kit.sessionRequests
                    let opened = dappLinks.links()
                    let address = try Self.address
                    call.set(Task {
                        try await dapp.request(
                            topic: session.topic, chainID: "eip155:1", method: "personal_sign",
                            params: ["0x68656c6c6f", .string(address)])
                    })
                    try await kit.dispatchEnvelope(try await BoundedWait.first(in: opened))
                    _ = try await WKFixture.first(requests)
                    return session.topic
                }
                let pendingCall = try #require(call.value)

                // A new instance on the same SQLite file: it has not received a link from the dapp since it started.
                try await WalletKit.withWalletKit(walletConfiguration) { kit in
                    let walletLinks = RecordingLinkModeTransport()
                    await kit.setLinkModeTransport(walletLinks)
                    #expect(await kit.signClient.engine.linkModeApps == [Self.dappLink])
                    let pending = try #require(await kit.pendingSessionRequests.first)
                    try await kit.respondSessionRequest(topic: topic, requestID: pending.id, response: .result("0xsigned"))
                    let answer = try #require(walletLinks.openedURLs.first, "the answer did not go by link")
                    try await dapp.dispatchEnvelope(answer)
                    #expect(try await pendingCall.boundedValue() == "0xsigned")
                }
                #expect(await relay.counters().published == 0)
            }
        }
    }

    @Test("a link-mode session's topic is subscribed on the relay: a request the dapp sends over the relay is heard")
    func linkModeSessionHearsTheRelay() async throws {
        try await withRelay { relay, directory in
            let (dappConfiguration, walletConfiguration) = Self.configurations(relayURL: await relay.url, directory: directory)
            try await SignClient.withSignClient(dappConfiguration) { dapp in
                try await WalletKit.withWalletKit(walletConfiguration) { kit in
                    let dappLinks = RecordingLinkModeTransport()
                    let walletLinks = RecordingLinkModeTransport()
                    await dapp.setLinkModeTransport(dappLinks)
                    await kit.setLinkModeTransport(walletLinks)
                    let session = try await Self.authenticateByLinks(
                        dapp: dapp, kit: kit, dappLinks: dappLinks, walletLinks: walletLinks)
                    #expect(await relay.counters().published == 0)

                    // The dapp can no longer open links: its next request is published on the session topic.
                    await dapp.setLinkModeTransport(nil)
                    let request = try await Self.requestHeardByWallet(dapp: dapp, kit: kit, topic: session.topic)
                    #expect(request.topic == session.topic)
                    #expect(await relay.counters().published == 1)
                    #expect(dappLinks.openedURLs.count == 1)
                }
            }
        }
    }

    @Test("the relay is down during the link exchange: nothing waits for it, and the session topic is subscribed once it is back")
    func relayDownDuringExchange() async throws {
        // Two relay nodes over one state (as in RelayRestartTests): only the wallet's goes down and comes back.
        let directory = try WKTemporaryDirectory()
        let state = RelayServerState()
        let dappNode = try await RelayRestartTests.startNode(state: state)
        var walletNode = try await RelayRestartTests.startNode(state: state)
        let walletPort = try #require(await walletNode.port)
        var (dappConfiguration, walletConfiguration) = Self.configurations(
            relayURL: await dappNode.url, directory: directory)
        dappConfiguration.relayURL = await dappNode.url
        walletConfiguration.sign.relayURL = await walletNode.url
        do {
            try await SignClient.withSignClient(dappConfiguration) { dapp in
                try await WalletKit.withWalletKit(walletConfiguration) { kit in
                    await walletNode.stop()
                    try await RelayRestartTests.disconnected(kit.connectionStates)
                    let dappLinks = RecordingLinkModeTransport()
                    let walletLinks = RecordingLinkModeTransport()
                    await dapp.setLinkModeTransport(dappLinks)
                    await kit.setLinkModeTransport(walletLinks)
                    let session = try await Self.authenticateByLinks(
                        dapp: dapp, kit: kit, dappLinks: dappLinks, walletLinks: walletLinks)

                    walletNode = try await RelayRestartTests.startNode(state: state, port: walletPort)
                    await dapp.setLinkModeTransport(nil)
                    let request = try await Self.requestHeardByWallet(dapp: dapp, kit: kit, topic: session.topic)
                    #expect(request.topic == session.topic)
                }
            }
        } catch {
            await dappNode.stop()
            await walletNode.stop()
            throw error
        }
        await dappNode.stop()
        await walletNode.stop()
    }
}
