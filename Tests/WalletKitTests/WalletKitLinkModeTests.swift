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

    @Test("one-click auth and a request as links through WalletKit.dispatchEnvelope")
    func authenticateAndRequest() async throws {
        try await withRelay { relay, directory in
            let url = await relay.url
            var dappMetadata = WKFixture.dappMetadata
            dappMetadata.redirect = .init(universal: Self.dappLink, linkMode: true)
            var walletMetadata = WKFixture.walletMetadata
            walletMetadata.redirect = .init(universal: Self.walletLink, linkMode: true)
            let dappConfiguration = WKFixture.signConfiguration(
                metadata: dappMetadata, relayURL: url, databasePath: directory.path("dapp.sqlite"))
            var walletConfiguration = WKFixture.walletConfiguration(
                relayURL: url, databasePath: directory.path("wallet.sqlite"))
            walletConfiguration.sign.metadata = walletMetadata
            try await SignClient.withSignClient(dappConfiguration) { dapp in
                try await WalletKit.withWalletKit(walletConfiguration) { kit in
                    let dappLinks = RecordingLinkModeTransport()
                    let walletLinks = RecordingLinkModeTransport()
                    await dapp.setLinkModeTransport(dappLinks)
                    await kit.setLinkModeTransport(walletLinks)
                    await dapp.registerLinkModeApp(Self.walletLink)
                    let requests = kit.sessionAuthenticateRequests

                    let authentication = try await dapp.authenticate(
                        AuthRequestParams(
                            chains: ["eip155:1"], domain: "dapp.example", nonce: "n0nce-link",
                            uri: "https://dapp.example/login", statement: "Sign in", methods: ["personal_sign"]),
                        walletUniversalLink: Self.walletLink)
                    #expect(authentication.uri == nil)
                    try await kit.dispatchEnvelope(try #require(dappLinks.openedURLs.last))
                    let pending = try await WKFixture.first(requests)
                    #expect(pending.transportType == .linkMode)

                    let populated = try kit.populateAuthPayload(
                        authPayload: pending.authPayload, chains: ["eip155:1"], methods: ["personal_sign"])
                    let iss = "did:pkh:eip155:1:" + (try EthereumAddress(privateKey: Self.accountKey).checksummed)
                    let signature = try EIP191.sign(
                        message: try kit.formatAuthMessage(request: populated, iss: iss), privateKey: Self.accountKey)
                    let cacao = try kit.buildAuthObject(
                        requestPayload: populated,
                        signature: CacaoSignature(type: CacaoSignatureType.eip191, signature: signature), iss: iss)
                    let session = try #require(try await kit.approveSessionAuthenticate(requestID: pending.id, auths: [cacao]))
                    #expect(session.transportType == .linkMode)
                    try await dapp.dispatchEnvelope(try #require(walletLinks.openedURLs.last))
                    let result = try await BoundedWait.run { try await authentication.response() }
                    #expect(result.session?.topic == session.topic)

                    // A forged link is refused with a typed error through the facade.
                    await #expect(throws: LinkModeError.self) {
                        try await kit.dispatchEnvelope(URL(string: "\(Self.walletLink)?wc_ev=AA&topic=zz")!)
                    }
                }
            }
        }
    }
}
