import Foundation
import Testing
import WalletConnectCore
import WalletConnectSign
import WalletKit

/// Swift spells ids `…ID` (`chainID`, `requestID`, …); the wire keeps the protocol's `…Id` (`chainId`,
/// `requestId`, …). Each public Codable type that carries such a member is decoded from wire JSON and encoded
/// again: the member must come back under the protocol's key, with its value, and never under a Swift spelling.
/// (The test names no Swift property, so it reads the same on both sides of a rename.)
@Suite("Wire key spellings")
struct WireKeySpellingTests {
    /// Decodes `json` as `T`, encodes it again and returns the encoded object.
    static func reencoded<T: Codable>(_: T.Type, _ json: String) throws -> [String: JSONValue] {
        let value = try JSONDecoder().decode(T.self, from: Data(json.utf8))
        let encoded = try JSONDecoder().decode(JSONValue.self, from: try JSONEncoder().encode(value))
        return try #require(encoded.objectValue)
    }

    /// `key` (a protocol spelling ending in `Id`) is in `object` with `expected`, and its `ID` spelling is absent.
    static func expectKey(
        _ key: String, _ expected: JSONValue, in object: [String: JSONValue],
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(object[key] == expected, "\(key)", sourceLocation: sourceLocation)
        let swiftSpelling = String(key.dropLast(2)) + "ID"
        #expect(object[swiftSpelling] == nil, "\(swiftSpelling) must not reach the wire", sourceLocation: sourceLocation)
    }

    @Test("wc_sessionRequest and wc_sessionEvent params carry chainId")
    func sessionParamsChainId() throws {
        let request = try Self.reencoded(
            SessionRequestParams.self,
            #"{"request":{"method":"personal_sign","params":["0x01"],"expiryTimestamp":1800000000},"chainId":"eip155:1"}"#)
        Self.expectKey("chainId", .string("eip155:1"), in: request)
        let event = try Self.reencoded(
            SessionEventParams.self, #"{"event":{"name":"chainChanged","data":1},"chainId":"eip155:10"}"#)
        Self.expectKey("chainId", .string("eip155:10"), in: event)
    }

    @Test("CAIP-122 auth payload and CACAO payload carry requestId")
    func authRequestId() throws {
        let payload = try Self.reencoded(
            AuthPayload.self,
            #"{"chains":["eip155:1"],"domain":"app.example","version":"1","nonce":"n1","iat":"2026-01-01T00:00:00Z","#
                + #""aud":"https://app.example/login","requestId":"req-7"}"#)
        Self.expectKey("requestId", .string("req-7"), in: payload)
        let cacao = try Self.reencoded(
            CacaoPayload.self,
            #"{"iss":"did:pkh:eip155:1:0xabc","domain":"app.example","aud":"https://app.example","version":"1","#
                + #""nonce":"n1","iat":"2026-01-01T00:00:00Z","requestId":"req-8"}"#)
        Self.expectKey("requestId", .string("req-8"), in: cacao)
    }

    @Test("a stored proposal keeps encryptedId")
    func proposalEncryptedId() throws {
        let proposal = try Self.reencoded(
            Proposal.self,
            #"{"id":1700000000000001,"expiryTimestamp":1800000000,"relays":[{"protocol":"irn"}],"#
                + #""proposer":{"publicKey":"aa","metadata":{"name":"d","description":"","url":"https://d.example","icons":[]}},"#
                + #""requiredNamespaces":{},"optionalNamespaces":{},"pairingTopic":"pt","encryptedId":"abc123"}"#)
        Self.expectKey("encryptedId", .string("abc123"), in: proposal)
    }

    @Test("Wallet Pay request and result carry orderId")
    func walletPayOrderId() throws {
        let params = try Self.reencoded(
            WalletPayParams.self, #"{"version":"1","orderId":"o-1","acceptedPayments":[],"expiry":1800000000}"#)
        Self.expectKey("orderId", .string("o-1"), in: params)
        let result = try Self.reencoded(
            WalletPayResult.self,
            #"{"version":"1","orderId":"o-2","txid":"0x1","recipient":"eip155:1:0xabc","asset":"eip155:1/slip44:60","amount":"0x1"}"#)
        Self.expectKey("orderId", .string("o-2"), in: result)
    }

    @Test("the persisted JSON-RPC history keeps chainId")
    func historyChainId() throws {
        let record = try Self.reencoded(
            RPCHistoryRecord.self,
            #"{"id":5,"topic":"t","method":"wc_sessionRequest","chainId":"eip155:1","direction":"incoming","#
                + #""isResolved":false,"expiry":1800000000}"#)
        Self.expectKey("chainId", .string("eip155:1"), in: record)
    }

    @Test("relay composite calls and irn_publish carry correlationId (and chainId)")
    func relayCorrelationId() throws {
        let propose = try Self.reencoded(
            ProposeSessionParams.self,
            #"{"pairingTopic":"pt","sessionProposal":"e1","correlationId":1700000000000001,"ttl":300}"#)
        Self.expectKey("correlationId", .int(1_700_000_000_000_001), in: propose)
        let approve = try Self.reencoded(
            ApproveSessionParams.self,
            #"{"pairingTopic":"pt","sessionTopic":"st","sessionProposalResponse":"e2","sessionSettlementRequest":"e3","#
                + #""correlationId":1700000000000002,"ttl":300}"#)
        Self.expectKey("correlationId", .int(1_700_000_000_000_002), in: approve)
        let publish = try Self.reencoded(
            IRN.PublishParams.self,
            #"{"topic":"t","message":"m","ttl":300,"tag":1108,"correlationId":1700000000000003,"chainId":"eip155:1"}"#)
        Self.expectKey("correlationId", .int(1_700_000_000_000_003), in: publish)
        Self.expectKey("chainId", .string("eip155:1"), in: publish)
    }

    @Test("telemetry events keep eventId and bundleId")
    func telemetryEventId() throws {
        let event = try Self.reencoded(
            TelemetryEvent.self,
            #"{"eventId":"e-1","timestamp":1800000000000,"bundleId":"proj1","domain":"","#
                + #""props":{"event":"ERROR","type":"t","properties":{"topic":"x"}}}"#)
        Self.expectKey("eventId", .string("e-1"), in: event)
        Self.expectKey("bundleId", .string("proj1"), in: event)
    }

    @Test("the relay URL spells projectId and bundleId")
    func relayURLProjectId() throws {
        let url = RelayURLBuilder(
            relayURL: "wss://relay.example", projectID: "p1", useOnCloseEvent: nil, bundleID: "b1"
        ).urlString
        #expect(url == "wss://relay.example?bundleId=b1&projectId=p1")
    }
}
