import Foundation
import Testing
import WalletConnectCore
import WalletConnectRelayServer
import WalletConnectSign
import WalletKit
import WalletKitTesting

/// One-click auth through the WalletKit API (request stream, populate, SIWE message, CACAO, approve/reject) with
/// a dapp ``SignClient``, over the loopback relay.
@Suite("WalletKit: one-click auth", .timeLimit(.minutes(1)))
struct WalletKitAuthenticateTests {
    static let accountKey = Data(repeating: 0x11, count: 32)

    static func params() -> AuthRequestParams {
        AuthRequestParams(
            chains: ["eip155:1", "eip155:137"], domain: "dapp.example", nonce: "n0nce-\(UInt32.random(in: 1...UInt32.max))",
            uri: "https://dapp.example/login", statement: "Sign in to the test dapp", methods: ["personal_sign"])
    }

    static func withPair(_ body: (SignClient, WalletKit) async throws -> Void) async throws {
        try await withRelay { relay, directory in
            let url = await relay.url
            let dappConfiguration = WKFixture.signConfiguration(
                metadata: WKFixture.dappMetadata, relayURL: url, databasePath: directory.path("dapp.sqlite"))
            let walletConfiguration = WKFixture.walletConfiguration(relayURL: url, databasePath: directory.path("wallet.sqlite"))
            try await SignClient.withSignClient(dappConfiguration) { dapp in
                try await WalletKit.withWalletKit(walletConfiguration) { kit in try await body(dapp, kit) }
            }
        }
    }

    @Test("approve: the dapp receives the verified CACAO and both hold the same session")
    func approve() async throws {
        try await Self.withPair { dapp, kit in
            let requests = kit.sessionAuthenticateRequests
            let authentication = try await dapp.authenticate(Self.params())
            try await kit.pair(uri: try #require(authentication.uri))
            let pending = try await WKFixture.first(requests)
            #expect(pending.requester.metadata == WKFixture.dappMetadata)
            #expect(await kit.pendingAuthRequests.map(\.id) == [pending.id])

            let populated = try kit.populateAuthPayload(
                authPayload: pending.authPayload, chains: ["eip155:1"], methods: ["personal_sign", "eth_sendTransaction"])
            #expect(populated.chains == ["eip155:1"])
            let iss = "did:pkh:eip155:1:" + (try EthereumAddress(privateKey: Self.accountKey).checksummed)
            let message = try kit.formatAuthMessage(request: populated, iss: iss)
            #expect(message.hasPrefix("dapp.example wants you to sign in with your Ethereum account:"))
            let signature = try EIP191.sign(message: message, privateKey: Self.accountKey)
            let cacao = try kit.buildAuthObject(
                requestPayload: populated, signature: CacaoSignature(type: CacaoSignatureType.eip191, signature: signature),
                iss: iss)
            let session = try #require(try await kit.approveSessionAuthenticate(requestID: pending.id, auths: [cacao]))

            let result = try await BoundedWait.run { try await authentication.response() }
            guard case .authenticated(let cacaos, let dappSession) = result else {
                Issue.record("expected an authenticated result, got \(result)")
                return
            }
            #expect(cacaos == [cacao])
            #expect(dappSession?.topic == session.topic)
            #expect(await kit.activeSessions.keys.sorted() == [session.topic])
            #expect(await kit.pendingAuthRequests.isEmpty)
        }
    }

    @Test("reject: the dapp receives 5000; the request is gone")
    func reject() async throws {
        try await Self.withPair { dapp, kit in
            let requests = kit.sessionAuthenticateRequests
            let authentication = try await dapp.authenticate(Self.params())
            try await kit.pair(uri: try #require(authentication.uri))
            let pending = try await WKFixture.first(requests)
            try await kit.rejectSessionAuthenticate(requestID: pending.id)
            let failure = await BoundedWait.outcome { try await authentication.response() }
            #expect((failure as? SDKError)?.code == .userRejected)
            #expect(await kit.pendingAuthRequests.isEmpty)
        }
    }
}
