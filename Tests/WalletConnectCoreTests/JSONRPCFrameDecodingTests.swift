import Foundation
import Testing
@testable import WalletConnectCore

/// The one-pass JSON-RPC readers: `JSONRPCMessage.decode` and the Relayer's `RelayInboundFrame` classify and
/// reject frames the same way.
@Suite("JSON-RPC frame decoding", .timeLimit(.minutes(1)))
struct JSONRPCFrameDecodingTests {
    static let subscription = #"{"id":"1700000000000000001","jsonrpc":"2.0","method":"irn_subscription","params":{"id":"sub","data":{"topic":"t1","message":"m1","publishedAt":1700000000000,"tag":1108}}}"#

    @Test("requests and responses are classified with their members")
    func classifies() throws {
        guard case .request(let request) = try JSONRPCMessage.decode(Self.subscription) else {
            Issue.record("not a request")
            return
        }
        #expect(request.id == RPCID(1_700_000_000_000_000_001) && request.method == "irn_subscription")
        #expect(request.params.objectValue?["id"] == .string("sub"))
        let result = try JSONRPCMessage.decode(#"{"id":5,"jsonrpc":"2.0","result":true}"#)
        #expect(result == .response(JSONRPCResponse(id: RPCID(5), result: .bool(true))))
        let error = try JSONRPCMessage.decode(#"{"id":6,"error":{"code":-32000,"message":"no"}}"#)
        #expect(error == .response(JSONRPCResponse(id: RPCID(6), error: JSONRPCError(code: -32000, message: "no"))))
        let noParams = try JSONRPCMessage.decode(#"{"id":7,"method":"m"}"#)
        #expect(noParams == .request(JSONRPCRequest(id: RPCID(7), method: "m")))
    }

    @Test("malformed frames fail with the reason", arguments: [
        ("not json", JSONRPCDecodingError.notJSON),
        ("[1,2]", .notAnObject),
        (#""text""#, .notAnObject),
        (#"{"id":1,"jsonrpc":"1.0","result":true}"#, .badVersion),
        (#"{"id":1,"jsonrpc":null,"result":true}"#, .badVersion),
        (#"{"jsonrpc":"2.0","result":true}"#, .missingID),
        (#"{"id":"x","result":true}"#, .missingID),
        (#"{"id":1.5,"result":true}"#, .missingID),
        (#"{"id":1,"jsonrpc":"2.0"}"#, .invalidShape),
        (#"{"id":1,"method":5}"#, .invalidShape),
    ])
    func rejects(frame: String, expected: JSONRPCDecodingError) {
        #expect(throws: expected) { try JSONRPCMessage.decode(frame) }
        let relayFrame = { try JSONDecoder().decode(RelayInboundFrame.self, from: Data(frame.utf8)) }
        if expected == .notJSON {
            #expect(throws: DecodingError.self) { try relayFrame() }
        } else {
            #expect(throws: expected) { try relayFrame() }
        }
    }

    @Test("the relayer's frame reader decodes subscription params directly and keeps malformed ones for the ack")
    func relayerFrames() throws {
        func frame(_ text: String) throws -> RelayInboundFrame {
            try JSONDecoder().decode(RelayInboundFrame.self, from: Data(text.utf8))
        }
        guard case .subscription(let id, let params?) = try frame(Self.subscription) else {
            Issue.record("not a subscription with params")
            return
        }
        #expect(id == RPCID(1_700_000_000_000_000_001))
        #expect(params.id == "sub" && params.data.topic == "t1" && params.data.message == "m1")
        #expect(params.data.publishedAt == 1_700_000_000_000 && params.data.tag == 1108)
        guard case .subscription(RPCID(9), nil) = try frame(#"{"id":9,"method":"irn_subscription","params":{"id":"s"}}"#)
        else {
            Issue.record("malformed params should still be a subscription")
            return
        }
        guard case .request("irn_other") = try frame(#"{"id":9,"method":"irn_other","params":{}}"#) else {
            Issue.record("other requests are classified by method")
            return
        }
        guard case .response(let response) = try frame(#"{"id":3,"jsonrpc":"2.0","result":"ok"}"#) else {
            Issue.record("not a response")
            return
        }
        #expect(response.result == .string("ok"))
    }
}
