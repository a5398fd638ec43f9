import Foundation
import Testing
import WalletConnectCore
import WalletConnectSign
import WalletKitTesting

/// Fixtures for the one-click-auth engine tests: a wallet's secp256k1 keys, request params, signing the way a
/// wallet app does (populate → SIWE message → EIP-191 → CACAO), and a hand-made (possibly dishonest) answer.
enum AuthFixture {
    /// The wallet's account key (a valid secp256k1 scalar).
    static let walletKey = Data(repeating: 0x11, count: 32)
    /// Another key: a CACAO signed by it for the wallet's address is forged.
    static let otherKey = Data(repeating: 0x22, count: 32)
    static let walletMethods = ["personal_sign", "eth_sendTransaction", "eth_signTypedData"]

    static var walletAddress: String {
        get throws { try EthereumAddress(privateKey: walletKey).checksummed }
    }

    static func params(methods: [String] = ["personal_sign", "eth_sendTransaction"], expiry: Int64? = nil) -> AuthRequestParams {
        AuthRequestParams(
            chains: ["eip155:1", "eip155:137"], domain: "dapp.example", nonce: "n0nce-\(UInt32.random(in: 1...UInt32.max))",
            uri: "https://dapp.example/login", statement: "Sign in to the test dapp", methods: methods, expiry: expiry)
    }

    /// CACAOs for `payload` as a wallet app builds them: one per chain of the populated payload.
    static func sign(
        _ payload: AuthPayload, chains: [String] = ["eip155:1"], methods: [String] = walletMethods,
        signingKey: Data = walletKey, issuerKey: Data = walletKey
    ) throws -> [Cacao] {
        let populated = try OneClickAuth.populateAuthPayload(authPayload: payload, chains: chains, methods: methods)
        let address = try EthereumAddress(privateKey: issuerKey).checksummed
        return try populated.chains.map { chain in
            let iss = "did:pkh:\(chain):\(address)"
            let message = try OneClickAuth.formatAuthMessage(request: populated, iss: iss)
            let signature = try EIP191.sign(message: message, privateKey: signingKey)
            return try OneClickAuth.buildAuthObject(
                requestPayload: populated, signature: CacaoSignature(type: CacaoSignatureType.eip191, signature: signature),
                iss: iss)
        }
    }

    /// Sends `cacaos` as the answer to `pending` from `wallet`'s relay client, bypassing the wallet engine's own
    /// checks (a dishonest or buggy wallet): a type-1 envelope from a fresh key on `sha256(requesterPublicKey)`.
    static func answer(from wallet: EngineClient, to pending: PendingAuthRequest, cacaos: [Cacao]) async throws {
        let responderKey = try await wallet.crypto.generateKeyPair()
        let body = SessionAuthenticateResponse(
            cacaos: try cacaos.map { try $0.jsonValue() },
            responder: Participant(publicKey: responderKey, metadata: EngineClient.walletMetadata))
        let response = JSONRPCResponse(id: RPCID(pending.id), result: try JSONValue(encoding: body))
        let topic = try SignTopics.authResponseTopic(requesterPublicKey: pending.requester.publicKey)
        let message = try await wallet.crypto.encode(
            topic: topic, payload: WireJSON.string(response), type: .type1, senderPublicKey: responderKey,
            receiverPublicKey: pending.requester.publicKey)
        try await wallet.relay.publish(topic: topic, message: message, options: PublishOptions(ttl: 3600, tag: 1117))
    }

    /// Starts authentication on `dapp`, pairs `wallet` with the URI and returns the wallet's pending request.
    static func request(
        dapp: EngineClient, wallet: EngineClient, params: AuthRequestParams = params()
    ) async throws -> (SignAuthentication, PendingAuthRequest) {
        let authentication = try await dapp.engine.authenticate(params)
        let uri = try #require(authentication.uri)
        #expect(uri.contains("methods=wc_sessionAuthenticate"))
        try await wallet.engine.pair(uri: uri)
        let event = try await wallet.next { if case .sessionAuthenticate = $0 { true } else { false } }
        guard case .sessionAuthenticate(let pending) = event else { throw EngineFixture.FixtureError.unexpected }
        return (authentication, pending)
    }

    /// The dapp's answer, bounded in real time.
    static func response(_ authentication: SignAuthentication) async throws -> SignAuthenticationResult {
        try await BoundedWait.run { try await authentication.response() }
    }
}

extension SignEvent {
    /// Whether this is `.sessionProposal`.
    var isSessionProposal: Bool {
        if case .sessionProposal = self { return true }
        return false
    }
}

extension SignEvent {
    /// Whether this is `.sessionAuthenticate`.
    var isSessionAuthenticate: Bool {
        if case .sessionAuthenticate = self { return true }
        return false
    }
}
