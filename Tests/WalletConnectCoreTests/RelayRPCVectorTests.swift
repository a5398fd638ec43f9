import Foundation
import Testing
import WalletConnectCore
import WalletKitTesting

/// Every case of `core-relay-rpc.json` against the IRN types.
@Suite("Relay RPC vectors", .enabled(if: SharedVectors.isAvailable, SharedVectors.skipNote))
struct RelayRPCVectorTests {
    /// Decodes a request frame as its typed `IRN.Request` and re-encodes it with the wire encoder.
    static func typedRoundTrip(method: String, frame: Data) throws -> String {
        func trip<P: Codable & Sendable>(_: P.Type) throws -> String {
            try IRN.wireString(JSONDecoder().decode(IRN.Request<P>.self, from: frame))
        }
        switch method {
        case IRN.Method.publish: return try trip(IRN.PublishParams.self)
        case IRN.Method.batchPublish: return try trip(IRN.BatchPublishParams.self)
        case IRN.Method.subscribe, IRN.Method.fetchMessages, IRN.Method.createTopic, IRN.Method.subscribeBlocking:
            return try trip(IRN.SubscribeParams.self)
        case IRN.Method.batchSubscribe, IRN.Method.batchFetchMessages, IRN.Method.batchSubscribeBlocking:
            return try trip(IRN.BatchSubscribeParams.self)
        case IRN.Method.unsubscribe: return try trip(IRN.UnsubscribeParams.self)
        case IRN.Method.batchUnsubscribe: return try trip(IRN.BatchUnsubscribeParams.self)
        case IRN.Method.subscription, IRN.Method.legacySubscription: return try trip(IRN.SubscriptionParams.self)
        case IRN.Method.proposeSession: return try trip(ProposeSessionParams.self)
        case IRN.Method.approveSession: return try trip(ApproveSessionParams.self)
        case IRN.Method.batchReceive: return try trip(IRN.BatchReceiveParams.self)
        case IRN.Method.watchRegister: return try trip(IRN.WatchRegisterParams.self)
        case IRN.Method.watchUnregister: return try trip(IRN.WatchUnregisterParams.self)
        default: throw UnknownMethod(method: method)
        }
    }

    struct UnknownMethod: Error { var method: String }

    /// Re-encodes any frame (typed request, or response) with the wire encoder.
    static func reencode(_ text: String) throws -> (message: JSONRPCMessage, encoded: String) {
        let message = try JSONRPCMessage.decode(text)
        switch message {
        case .request(let request):
            return (message, try typedRoundTrip(method: request.method, frame: Data(text.utf8)))
        case .response(let response):
            return (message, try IRN.wireString(response))
        }
    }

    static func jsonValue(_ text: String) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    @Test("core-relay-rpc.json case", arguments: SharedVectors.cases("core-relay-rpc.json"))
    func vectorCase(_ vector: VectorCase) throws {
        let object = vector.object
        if let frame = object["json"] as? String {
            try checkFrame(vector.name, kind: try #require(object["kind"] as? String), frame: frame)
            return
        }
        switch vector.name {
        case "blocking_batch_subscribe_result_items":
            let items = try #require(object["items"] as? [Any])
            let data = try JSONSerialization.data(withJSONObject: items)
            let decoded = try JSONDecoder().decode([IRN.BlockingSubscribeResult].self, from: data)
            #expect(decoded.count == 2)
            #expect(decoded.first == .id("c4163cf65859106b3f5435fc296e7765411178ed452d1c30337a6230138c9840"))
            #expect(decoded.last == .error(IRN.error(.batchLimitExceeded)))
        case "local_subscription_id":
            let input = try #require(object["input"] as? [String: String])
            let expected = try #require(object["expected"] as? [String: String])
            let id = IRN.subscriptionID(topic: try #require(input["topic"]), clientID: try #require(input["clientId"]))
            #expect(id == expected["subscriptionId"])
        case "relay_message_id":
            let input = try #require(object["input"] as? [String: String])
            let expected = try #require(object["expected"] as? [String: String])
            #expect(IRN.messageID(try #require(input["message"])) == expected["messageId"])
        case "request_id_validation":
            let input = try #require(object["input"] as? [String: Any])
            let expected = try #require(object["expected"] as? [String: Any])
            let ids = try #require(input["ids"] as? [Int])
            let valid = try #require(expected["valid"] as? [Bool])
            #expect(ids.map { IRN.isValidRequestID(RPCID(Int64($0))) } == valid)
            #expect(IRN.ErrorTag(rawValue: try #require(expected["errorData"] as? String)) == .invalidRequestID)
            #expect(IRN.ErrorTag.invalidRequestID.category == .payload)
        case "error_codes":
            try checkErrorTable(try #require(object["expected"] as? [String: String]))
        default:
            Issue.record("unhandled vector case \(vector.name)")
        }
    }

    func checkFrame(_ name: String, kind: String, frame: String) throws {
        let (message, encoded) = try Self.reencode(frame)
        switch kind {
        case "exact":
            #expect(encoded == frame, "byte-exact re-encoding of \(name)")
        case "exact-input", "shape":
            // Same members and values (ids compare as numbers; JS sends them as strings).
            var original = try Self.jsonValue(frame).objectValue ?? [:]
            var reencoded = try Self.jsonValue(encoded).objectValue ?? [:]
            #expect(original.removeValue(forKey: "id")?.int64Value == reencoded.removeValue(forKey: "id")?.int64Value)
            #expect(original == reencoded, "semantic round trip of \(name)")
        default:
            Issue.record("unknown kind \(kind)")
        }
        try checkDecodedValues(name, message: message, frame: frame)
    }

    /// Field-level checks of what the typed decoders produced.
    func checkDecodedValues(_ name: String, message: JSONRPCMessage, frame: String) throws {
        let data = Data(frame.utf8)
        let decoder = JSONDecoder()
        switch name {
        case "publish_with_attestation_and_tvf":
            let request = try decoder.decode(IRN.Request<IRN.PublishParams>.self, from: data)
            #expect(request.params.ttl == 12 && request.params.tag == 0 && request.params.prompt == nil)
            #expect(request.params.attestation == "attestation_payload" && request.params.correlationID == 123_456_789)
            #expect(request.params.contractAddresses == ["contract_address"] && request.params.additionalFields.isEmpty)
        case "js_publish_shape":
            let request = try decoder.decode(IRN.Request<IRN.PublishParams>.self, from: data)
            #expect(request.id == RPCID(1_712_345_678_901_234_567))
            #expect(request.params.ttl == 900 && request.params.tag == 1108 && request.params.prompt == true)
            #expect(request.params.correlationID == 1_712_345_678_901_001 && request.params.chainID == "eip155:1")
        case "subscription_from_relay", "subscription_legacy_method_alias":
            let request = try decoder.decode(IRN.Request<IRN.SubscriptionParams>.self, from: data)
            #expect(IRN.Method.isSubscription(request.method))
            #expect(request.params.id == "test_id" && request.params.data.publishedAt == 123)
            #expect(request.params.data.tag == 1000 && request.params.data.topic == "test_topic")
            #expect(request.params.data.attestation == (name == "subscription_from_relay" ? "test_attestation" : nil))
        case "approve_session_object_properties_accepted":
            let request = try decoder.decode(IRN.Request<ApproveSessionParams>.self, from: data)
            #expect(request.params.sessionProperties == ["key": "value"])
            #expect(request.params.scopedProperties == ["prop1", "prop2"])
        case "approve_session_minimal":
            let request = try decoder.decode(IRN.Request<ApproveSessionParams>.self, from: data)
            #expect(request.params.approvedChains == nil && request.params.ttl == nil)
        case "subscribe_response_with_19_digit_id":
            guard case .response(let response) = message else { Issue.record("not a response"); return }
            #expect(response.id == RPCID(1_702_044_452_707_006_208))
            #expect(response.result == "cb0072aaf3f3aab9b5a334f3a273634a2a6d2bee5fe7be205dc9f30f032c9734")
        case "ack_of_subscription":
            guard case .response(let response) = message else { Issue.record("not a response"); return }
            #expect(response.result == .bool(true))
        case "response_error_without_data":
            guard case .response(let response) = message else { Issue.record("not a response"); return }
            #expect(response.error == JSONRPCError(code: 32, message: "some message"))
        case "batch_receive":
            let request = try decoder.decode(IRN.Request<IRN.BatchReceiveParams>.self, from: data)
            #expect(request.params.receipts.first?.messageID == 123)
        case "js_unsubscribe_shape":
            let request = try decoder.decode(IRN.Request<IRN.UnsubscribeParams>.self, from: data)
            #expect(request.params.id == "2136948c9af72205cb46bd9fd7da55d6481c27f638205a58ccb781e85fff3748")
        default:
            break
        }
    }

    func checkErrorTable(_ table: [String: String]) throws {
        for (key, description) in table where key != "format" {
            let code = try #require(Int(key))
            let category = try #require(IRN.ErrorCategory(rawValue: code), "code \(code)")
            // Tags listed in parentheses belong to this category.
            if let open = description.firstIndex(of: "("), let close = description.firstIndex(of: ")") {
                var list = String(description[description.index(after: open)..<close])
                list = list.replacingOccurrences(of: "data tag: ", with: "")
                list = list.replacingOccurrences(of: "per method, e.g. ", with: "")
                let names = list.split(whereSeparator: { $0 == "|" || $0 == "," }).map {
                    $0.trimmingCharacters(in: .whitespaces)
                }
                for tagName in names {
                    let tag = try #require(IRN.ErrorTag(rawValue: tagName), "tag \(tagName)")
                    // Serialization appears under both −32600 and −32603; it is reported as a payload error.
                    if tag != .serialization { #expect(tag.category == category, "\(tagName)") }
                    let error = IRN.error(tag)
                    #expect(error.data == .string(tagName))
                    #expect(error.message.hasPrefix(tag.category.messagePrefix + ": "))
                }
            } else {
                #expect(category == .tooManyRequests)
            }
        }
        #expect(IRN.error(.batchLimitExceeded).message == "Invalid payload: The batch contains too many items")
    }

    @Test("method table: every method of the file has a constant")
    func methodTable() throws {
        let file = try #require(try SharedVectors.json("core-relay-rpc.json") as? [String: Any])
        let methods = try #require(file["methods"] as? [String: Any])
        #expect(methods.count >= 17)
        for name in methods.keys {
            #expect(IRN.Method.all.contains(name), "\(name)")
        }
        #expect(IRN.Method.publish == "irn_publish")
        #expect(IRN.Method.batchPublish == "irn_batchPublish")
        #expect(IRN.Method.subscribe == "irn_subscribe")
        #expect(IRN.Method.batchSubscribe == "irn_batchSubscribe")
        #expect(IRN.Method.unsubscribe == "irn_unsubscribe")
        #expect(IRN.Method.batchUnsubscribe == "irn_batchUnsubscribe")
        #expect(IRN.Method.subscription == "irn_subscription")
        #expect(IRN.Method.fetchMessages == "irn_fetchMessages")
        #expect(IRN.Method.batchFetchMessages == "irn_batchFetchMessages")
        #expect(IRN.Method.proposeSession == "wc_proposeSession")
        #expect(IRN.Method.approveSession == "wc_approveSession")
        #expect(!IRN.Method.isSubscription(IRN.Method.subscribe))
    }

    @Test("publish params from PublishOptions keep the TVF fields")
    func publishFromOptions() throws {
        let options = PublishOptions(
            ttl: 300, tag: 1100, prompt: true, attestation: "a", correlationID: 7,
            tvf: ["chainId": "eip155:1", "rpcMethods": ["eth_sign"], "custom": 1])
        let params = IRN.PublishParams(topic: String(repeating: "a", count: 64), message: "m", options: options)
        let text = try IRN.wireString(params)
        let expected =
            "{\"topic\":\"\(String(repeating: "a", count: 64))\",\"message\":\"m\",\"attestation\":\"a\",\"ttl\":300,"
            + "\"tag\":1100,\"prompt\":true,\"correlationId\":7,\"chainId\":\"eip155:1\",\"rpcMethods\":[\"eth_sign\"],"
            + "\"custom\":1}"
        #expect(text == expected)
        #expect(try JSONDecoder().decode(IRN.PublishParams.self, from: Data(text.utf8)) == params)
    }

    @Test("topic validation")
    func topics() {
        #expect(IRN.isValidTopic(String(repeating: "0f", count: 32)))
        #expect(!IRN.isValidTopic(String(repeating: "0f", count: 31)))
        #expect(!IRN.isValidTopic(String(repeating: "zz", count: 32)))
        #expect(!IRN.isValidTopic("topic"))
    }
}
