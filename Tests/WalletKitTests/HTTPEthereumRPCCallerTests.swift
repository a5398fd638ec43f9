import Foundation
import Testing
import WalletConnectCore
import WalletConnectSign
import WalletKit
import WalletKitTesting

/// `HTTPEthereumRPCCaller` against a loopback Hummingbird server answering `eth_call` with or without the EIP-1271
/// magic value, and EIP-1271 CACAO verification through it.
@Suite("HTTPEthereumRPCCaller over loopback HTTP", .timeLimit(.minutes(1)))
struct HTTPEthereumRPCCallerTests {
    static let contract = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
    static let magic = "0x1626ba7e00000000000000000000000000000000000000000000000000000000"
    static let notMagic = "0xffffffff00000000000000000000000000000000000000000000000000000000"

    /// An EIP-1271 CACAO for the contract account, bound to `payload`.
    static func contractCacao(_ payload: AuthPayload) throws -> Cacao {
        try OneClickAuth.buildAuthObject(
            requestPayload: payload,
            signature: CacaoSignature(type: CacaoSignatureType.eip1271, signature: "0x" + String(repeating: "ab", count: 65)),
            iss: "did:pkh:eip155:1:\(contract)")
    }

    static let payload = AuthPayload(
        chains: ["eip155:1"], statement: "Sign in", aud: "https://dapp.example/login", domain: "dapp.example",
        nonce: "abc123", iat: "2025-01-01T00:00:00.000Z")

    static func reply(result: String) -> LoopbackReply {
        .json(#"{"jsonrpc":"2.0","id":1,"result":"\#(result)"}"#)
    }

    @Test("sends eth_call to <base>?chainId&projectId and returns the result; the magic value verifies the CACAO")
    func magicValueVerifies() async throws {
        let server = HTTPLoopbackServer()
        try await AsyncHTTPClientTransport.withTransport { transport in
            try await server.run(handler: { _ in Self.reply(result: Self.magic) }) { base in
                let caller = HTTPEthereumRPCCaller(transport: transport, projectID: "p1d", baseURL: base + "/v1/")
                let cacao = try Self.contractCacao(Self.payload)
                try await CacaoVerifier.verify(cacao: cacao, request: Self.payload, rpcCaller: caller)

                let recorded = try #require(server.requests.first)
                #expect(recorded.method == "POST")
                #expect(recorded.path == "/v1/")
                #expect(recorded.query == "chainId=eip155:1&projectId=p1d")
                #expect(recorded.headers["content-type"] == "application/json")
                let body = try #require(recorded.bodyJSON as? [String: Any])
                #expect(body["method"] as? String == "eth_call")
                #expect(body["jsonrpc"] as? String == "2.0")
                let params = try #require(body["params"] as? [Any])
                #expect(params.count == 2)
                #expect(params.last as? String == "latest")
                let call = try #require(params.first as? [String: String])
                #expect(call["to"] == Self.contract)
                let message = try OneClickAuth.formatAuthMessage(request: cacao.payload.authPayload, iss: cacao.payload.iss)
                #expect(call["data"] == (try EIP1271.callData(message: message, signature: cacao.signature.signature)))
            }
        }
    }

    @Test("a result without the magic value: the CACAO is refused (signatureMismatch)")
    func otherValueRefused() async throws {
        let server = HTTPLoopbackServer()
        try await AsyncHTTPClientTransport.withTransport { transport in
            try await server.run(handler: { _ in Self.reply(result: Self.notMagic) }) { base in
                let caller = HTTPEthereumRPCCaller(transport: transport, projectID: "p1d", baseURL: base + "/v1/")
                let value = try await caller.call(chainID: "eip155:1", to: Self.contract, data: "0x00")
                #expect(value == Self.notMagic)
                let error = await #expect(throws: AuthError.self) {
                    try await CacaoVerifier.verify(cacao: try Self.contractCacao(Self.payload), request: Self.payload, rpcCaller: caller)
                }
                #expect(error?.kind == .signatureMismatch)
            }
        }
    }

    @Test("a JSON-RPC error, an HTTP error and a malformed body are typed errors; the CACAO is not verified")
    func failures() async throws {
        let server = HTTPLoopbackServer()
        try await AsyncHTTPClientTransport.withTransport { transport in
            try await server.run(handler: { request in
                switch request.query?.contains("chainId=eip155:10&") {
                case true?: .json(#"{"jsonrpc":"2.0","id":1,"error":{"code":-32000,"message":"execution reverted"}}"#)
                default:
                    request.query?.contains("chainId=eip155:137&") == true
                        ? .json("oops", status: 500) : .json(#"{"jsonrpc":"2.0","id":1,"result":42}"#)
                }
            }) { base in
                let caller = HTTPEthereumRPCCaller(transport: transport, projectID: "p1d", baseURL: base + "/v1/")
                let reverted = await #expect(throws: EthereumRPCError.self) {
                    _ = try await caller.call(chainID: "eip155:10", to: Self.contract, data: "0x00")
                }
                #expect(reverted?.rpcCode == -32000)
                let status = await #expect(throws: EthereumRPCError.self) {
                    _ = try await caller.call(chainID: "eip155:137", to: Self.contract, data: "0x00")
                }
                #expect(status?.httpStatus == 500)
                await #expect(throws: EthereumRPCError.malformedResponse("no hex result")) {
                    _ = try await caller.call(chainID: "eip155:1", to: Self.contract, data: "0x00")
                }
                let error = await #expect(throws: AuthError.self) {
                    try await CacaoVerifier.verify(cacao: try Self.contractCacao(Self.payload), request: Self.payload, rpcCaller: caller)
                }
                #expect(error?.kind == .eip1271CallFailed)
            }
        }
    }

    @Test("a custom endpoint per chain; an unsupported chain is refused without a request")
    func customEndpoint() async throws {
        let server = HTTPLoopbackServer()
        try await AsyncHTTPClientTransport.withTransport { transport in
            try await server.run(handler: { _ in Self.reply(result: Self.magic) }) { base in
                let caller = HTTPEthereumRPCCaller(transport: transport) { chainID in
                    chainID == "eip155:1" ? base + "/mainnet" : nil
                }
                let value = try await caller.call(chainID: "eip155:1", to: Self.contract, data: "0x00")
                #expect(value == Self.magic)
                await #expect(throws: EthereumRPCError.unsupportedChain("eip155:5")) {
                    _ = try await caller.call(chainID: "eip155:5", to: Self.contract, data: "0x00")
                }
                #expect(server.requests.map(\.path) == ["/mainnet"])
            }
        }
    }
}
