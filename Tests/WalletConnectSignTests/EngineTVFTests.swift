import Foundation
import Testing
import WalletConnectCore
import WalletConnectSign
import WalletKitTesting

/// Issue 13 §1 item 7: the transaction-verification fields of `wc_sessionRequest` publishes as JS 2.23.10 computes
/// them. Over the in-memory relay, whose publish log keeps the `irn_publish` options (the relay server does not
/// keep TVF fields, it only passes messages on).
@Suite("Sign engine: TVF fields like JS (in-memory relay)", .timeLimit(.minutes(1)))
struct EngineTVFTests {
    static let contract = "0x00000000219ab540356cBB839Cbe05303d7705Fa"

    /// Sends `method` with `params`, answers `result`, and returns the TVF of the request and of the result publish.
    static func exchange(
        _ hub: InMemoryRelayHub, _ dapp: EngineClient, _ wallet: EngineClient, session: Session, method: String,
        params: JSONValue, result: JSONValue
    ) async throws -> (request: [String: JSONValue], result: [String: JSONValue]) {
        let response = Task {
            try await dapp.engine.request(topic: session.topic, chainID: "eip155:1", method: method, params: params)
        }
        let event = try await wallet.next { $0.sessionRequest?.params.request.method == method }
        let pending = try #require(event.sessionRequest)
        try await wallet.engine.respondSessionRequest(
            topic: session.topic, response: JSONRPCResponse(id: RPCID(pending.id), result: result))
        #expect(try await response.boundedValue() == result)
        let publishes = await hub.publishes(on: session.topic).filter { $0.options.correlationID == pending.id }
        let request = try #require(publishes.first { $0.options.tag == 1108 })
        let answer = try #require(publishes.first { $0.options.tag == 1109 })
        return (request.options.tvf, answer.options.tvf)
    }

    @Test("a contract call: contractAddresses on the request and on the result (from the request), data \"0x\" included")
    func contractAddresses() async throws {
        try await EngineFixture.withSession { hub, dapp, wallet, session in
            for data in ["0x", "0xa9059cbb"] {
                let params: JSONValue = [["from": .string(EngineFixture.account), "to": .string(Self.contract), "data": .string(data)]]
                let tvf = try await Self.exchange(
                    hub, dapp, wallet, session: session, method: "eth_sendTransaction", params: params, result: "0xtxhash")
                #expect(tvf.request["contractAddresses"] == [.string(Self.contract)], "data \(data)")
                #expect(tvf.result["contractAddresses"] == [.string(Self.contract)], "data \(data)")
                #expect(tvf.result["txHashes"] == ["0xtxhash"])
                #expect(tvf.result["rpcMethods"] == ["eth_sendTransaction"])
                #expect(tvf.result["chainId"] == "eip155:1")
            }
        }
    }

    @Test("a string result is the txHashes of any method (JS extractTxHashesFromResult); odd-length data is no contract")
    func stringResults() async throws {
        try await EngineFixture.withSession { hub, dapp, wallet, session in
            let signed = try await Self.exchange(
                hub, dapp, wallet, session: session, method: "personal_sign", params: EngineRequestTests.signParams,
                result: "0xsignature")
            #expect(signed.result["txHashes"] == ["0xsignature"])
            #expect(signed.result["contractAddresses"] == [])
            let odd: JSONValue = [["to": .string(Self.contract), "data": "0xabc"]]
            let transaction = try await Self.exchange(
                hub, dapp, wallet, session: session, method: "eth_sendTransaction", params: odd, result: ["hash": "0x01"])
            #expect(transaction.request["contractAddresses"] == [])
            #expect(transaction.result["contractAddresses"] == [])
            // An object result of a method whose hashes sit under no known key: none (JS: the lookup throws, []).
            #expect(transaction.result["txHashes"] == [])
        }
    }
}
