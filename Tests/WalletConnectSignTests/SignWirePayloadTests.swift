import Foundation
import Testing
import WalletConnectCore
import WalletConnectSign
import WalletKitTesting

@Suite("Sign wire payloads (sign-wire-payloads.json)", .enabled(if: SharedVectors.isAvailable, SharedVectors.skipNote))
struct SignWirePayloadTests {
    static let file = "sign-wire-payloads.json"

    /// Decodes `value` as `T`, re-encodes it and checks it is the same JSON.
    static func roundTrip<T: Codable & Equatable>(_ type: T.Type, _ value: OrderedJSON) throws -> T {
        let decoded = try JSONDecoder().decode(T.self, from: Data(value.compact.utf8))
        let encoded = try JSONEncoder().encode(decoded)
        #expect(try OrderedJSON.parse(encoded).jsonValue == value.jsonValue, "\(T.self) re-encodes differently")
        #expect(try JSONDecoder().decode(T.self, from: encoded) == decoded)
        return decoded
    }

    /// The request method a message belongs to (from its name).
    static func method(of name: String) -> String {
        String(name.prefix { $0 != " " })
    }

    @Test("plaintext decodes into the typed params and re-encodes", arguments: SignVector.load(file, "messages"))
    func payload(vector: SignVector) throws {
        let plaintext = try #require(vector.json["plaintext"]?.string)
        let message = try OrderedJSON.parse(plaintext)
        // The plaintext is the compact JSON of the structured payload.
        #expect(message.compact == plaintext)
        #expect(message.jsonValue == vector.json["payload"]?.jsonValue)

        let relay = try #require(vector.json["relay"])
        let options = RPCOptions(
            ttl: try #require(relay["ttl"]?.int), prompt: try #require(relay["prompt"]?.bool as Bool?),
            tag: Int(try #require(relay["tag"]?.int)))

        if let methodName = message["method"]?.string {
            let request = try JSONDecoder().decode(JSONRPCRequest.self, from: Data(plaintext.utf8))
            #expect(request.method == methodName)
            let method = try #require(SignMethod(rawValue: methodName))
            #expect(method.requestOptions == options)
            try Self.checkParams(method, try #require(message["params"]))
        } else if let result = message["result"] {
            let method = try #require(SignMethod(rawValue: Self.method(of: vector.name.split(separator: " ", maxSplits: 1)[1].description)))
            #expect(method.responseOptions == options)
            switch method {
            case .sessionPropose:
                let response = try Self.roundTrip(SessionProposeResponse.self, result)
                #expect(response.relay.protocol == "irn")
            case .sessionAuthenticate:
                let response = try Self.roundTrip(SessionAuthenticateResponse.self, result)
                #expect(response.cacaos.count == result["cacaos"]?.items.count)
            default:
                #expect(result.jsonValue == .bool(true) || result.string != nil)
            }
        } else {
            let errorJSON = try #require(message["error"])
            let error = try Self.roundTrip(SDKError.self, errorJSON)
            let label = vector.name.split(separator: " ", maxSplits: 1)[1].description
            if let method = SignMethod(rawValue: Self.method(of: label)) {
                let expected =
                    label.contains("auto-reject") ? method.autoRejectOptions
                    : label.contains("reject") ? method.rejectOptions : method.responseOptions
                #expect(expected == options)
            } else {
                #expect(RPCOptions.unregisteredMethod == options)
                #expect(error == SDKError.sdk(.wcMethodUnsupported, context: "wc_someFutureMethod"))
            }
        }
    }

    static func checkParams(_ method: SignMethod, _ params: OrderedJSON) throws {
        switch method {
        case .sessionPropose:
            let decoded = try roundTrip(SessionProposeParams.self, params)
            let proposal = Proposal(id: 1, pairingTopic: "fallback", params: decoded, now: 1_700_000_000)
            #expect(proposal.id == params["id"]?.int)
            #expect(proposal.expiryTimestamp == params["expiryTimestamp"]?.int)
            #expect(proposal.pairingTopic == params["pairingTopic"]?.string)
            #expect(NamespaceValidator.validateProposalNamespaces(decoded.optionalNamespaces ?? [:], method: "connect()", type: "optionalNamespaces") == nil)
        case .sessionSettle:
            let decoded = try roundTrip(SessionSettleParams.self, params)
            #expect(NamespaceValidator.validateSessionNamespaces(decoded.namespaces, method: "approve()") == nil)
        case .sessionUpdate:
            let decoded = try roundTrip(SessionUpdateParams.self, params)
            #expect(NamespaceValidator.validateSessionNamespaces(decoded.namespaces, method: "update()") == nil)
        case .sessionExtend:
            let decoded = try roundTrip(SessionExtendParams.self, params)
            #expect(decoded.expiry == params["expiry"]?.int)
        case .sessionRequest:
            let decoded = try roundTrip(SessionRequestParams.self, params)
            #expect(ChainID(decoded.chainID) != nil)
        case .sessionEvent:
            _ = try roundTrip(SessionEventParams.self, params)
        case .sessionDelete, .pairingDelete:
            let decoded = try roundTrip(SessionDeleteParams.self, params)
            #expect(decoded == SessionDeleteParams(code: 6000, message: SDKError.sdk(.userDisconnected).message))
        case .sessionPing, .pairingPing:
            _ = try roundTrip(SessionPingParams.self, params)
        case .sessionAuthenticate:
            let decoded = try roundTrip(SessionAuthenticateParams.self, params)
            #expect(try SignTopics.authResponseTopic(requesterPublicKey: decoded.requester.publicKey).count == 64)
        }
    }

    @Test("envelope with the fixed iv decrypts to the plaintext and re-encrypts byte-exactly", arguments: SignVector.load(file, "messages"))
    func envelope(vector: SignVector) throws {
        let file = try SignVector.file(Self.file)
        let keys = try #require(file["keys"])
        let plaintext = try #require(vector.json["plaintext"]?.string)
        let envelopeText = try #require(vector.json["envelope"]?.string)
        let symKeyHex = try #require(vector.json["sym_key"]?.string)
        let symKey = try Hex.decode(symKeyHex)
        let iv = try Hex.decode(try #require(vector.json["iv"]?.string))

        let envelope = try Envelope.parse(envelopeText)
        #expect(envelope.type.rawValue == UInt8(try #require(vector.json["envelope_type"]?.int)))
        #expect(envelope.iv == iv)
        let opened = try ChaChaPoly.open(envelope.body, key: symKey, nonce: envelope.iv)
        #expect(String(decoding: opened, as: UTF8.self) == plaintext)

        let sealed = try ChaChaPoly.seal(Array(plaintext.utf8), key: symKey, nonce: iv)
        let rebuilt: Envelope
        if envelope.type == .type1 {
            let sender = try #require(envelope.senderPublicKey)
            #expect(Hex.encode(sender) == keys["wallet_session"]?["public"]?.string)
            rebuilt = try Envelope.type1(senderPublicKey: sender, iv: iv, sealed: sealed)
            // Type 1: topic = sha256(requester public key); key = HKDF(X25519(wallet, requester)).
            let requester = try #require(keys["dapp_proposer"]?["public"]?.string)
            #expect(try SignTopics.authResponseTopic(requesterPublicKey: requester) == vector.json["topic"]?.string)
            let walletPrivate = try #require(keys["wallet_session"]?["private"]?.string)
            #expect(try SignTopics.sessionSymKey(selfPrivateKey: walletPrivate, peerPublicKey: requester) == symKeyHex)
        } else {
            rebuilt = try Envelope.type0(iv: iv, sealed: sealed)
            #expect(try SignTopics.topic(symKey: symKeyHex) == vector.json["topic"]?.string)
        }
        #expect(rebuilt.serialized() == envelopeText)
    }

    @Test("keys: pairing and session topics derive from the fixture keys")
    func keys() throws {
        let keys = try #require(try SignVector.file(Self.file)["keys"])
        let pairingKey = try #require(keys["pairing_sym_key"]?.string)
        #expect(try SignTopics.topic(symKey: pairingKey) == keys["pairing_topic"]?.string)
        let walletPrivate = try #require(keys["wallet_session"]?["private"]?.string)
        let dappPublic = try #require(keys["dapp_proposer"]?["public"]?.string)
        #expect(try SignTopics.sessionSymKey(selfPrivateKey: walletPrivate, peerPublicKey: dappPublic) == keys["session_sym_key"]?.string)
        #expect(try SignTopics.sessionTopic(selfPrivateKey: walletPrivate, peerPublicKey: dappPublic) == keys["session_topic"]?.string)
        #expect(try SignTopics.authResponseTopic(requesterPublicKey: dappPublic) == keys["auth_response_topic"]?.string)
    }

    @Test("wc_approveSession approved chains/methods/events come from the settled namespaces")
    func approveSessionParams() throws {
        let messages = try #require(try SignVector.file(Self.file)["messages"]?.items)
        let settle = try #require(messages.first { $0["relay_params"]?["method"]?.string == "wc_approveSession" })
        let params = try #require(settle["relay_params"]?["params"])
        let settleParams = try #require(settle["payload"]?["params"]).decode(SessionSettleParams.self)
        #expect(Namespaces.approvedChains(settleParams.namespaces) == params["approvedChains"]?.strings)
        #expect(Namespaces.approvedMethods(settleParams.namespaces) == params["approvedMethods"]?.strings)
        #expect(Namespaces.approvedEvents(settleParams.namespaces) == params["approvedEvents"]?.strings)
    }
}
