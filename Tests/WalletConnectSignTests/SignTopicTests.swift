import Foundation
import Testing
import WalletConnectCore
import WalletConnectSign
import WalletKitTesting

@Suite("Sign topics (sign-topics.json)", .enabled(if: SharedVectors.isAvailable, SharedVectors.skipNote))
struct SignTopicTests {
    @Test("topic and key derivations", arguments: SignVector.load("sign-topics.json", "cases"))
    func derivation(vector: SignVector) throws {
        let json = vector.json
        var checked = 0
        if let selfPrivate = json["self_private"]?.string, let peerPublic = json["peer_public"]?.string {
            let peerPrivate = try #require(json["peer_private"]?.string)
            let selfPublic = try #require(json["self_public"]?.string)
            #expect(Hex.encode(try X25519.publicKey(privateKey: Hex.decode(selfPrivate))) == selfPublic)
            #expect(Hex.encode(try X25519.publicKey(privateKey: Hex.decode(peerPrivate))) == peerPublic)
            let shared = try X25519.sharedSecret(privateKey: Hex.decode(selfPrivate), peerPublicKey: Hex.decode(peerPublic))
            #expect(Hex.encode(shared) == json["x25519_shared"]?.string)
            let symKey = try SignTopics.sessionSymKey(selfPrivateKey: selfPrivate, peerPublicKey: peerPublic)
            #expect(symKey == json["sym_key"]?.string)
            // Both sides derive the same key.
            #expect(try SignTopics.sessionSymKey(selfPrivateKey: peerPrivate, peerPublicKey: selfPublic) == symKey)
            #expect(try SignTopics.sessionTopic(selfPrivateKey: selfPrivate, peerPublicKey: peerPublic) == json["session_topic"]?.string)
            checked += 1
        }
        if let input = json["input"]?.string {
            #expect(try CryptoHash.hashKey(input) == json["sha256"]?.string)
            checked += 1
        }
        if let requester = json["requester_public_key"]?.string {
            #expect(try SignTopics.authResponseTopic(requesterPublicKey: requester) == json["response_topic"]?.string)
            checked += 1
        }
        if let pairingTopic = json["pairing_topic"]?.string {
            #expect(try SignTopics.topic(symKey: try #require(json["sym_key"]?.string)) == pairingTopic)
            checked += 1
        }
        if let message = json["message"]?.string {
            #expect(CryptoHash.hashMessage(message) == json["sha256_hex"]?.string)
            checked += 1
        }
        if let envelopeText = json["envelope"]?.string {
            let symKey = try Hex.decode(try #require(json["sym_key"]?.string))
            let envelope = try Envelope.parse(envelopeText)
            #expect(Hex.encode(envelope.iv) == json["iv"]?.string)
            let plaintext = try ChaChaPoly.open(envelope.body, key: symKey, nonce: envelope.iv)
            #expect(String(decoding: plaintext, as: UTF8.self) == json["plaintext"]?.string)
            if let sender = json["sender_public_key"]?.string {
                #expect(envelope.type == .type1)
                #expect(envelope.senderPublicKey.map(Hex.encode) == sender)
            }
            if let encryptedID = json["encryptedId"]?.string {
                #expect(CryptoHash.hashMessage(envelopeText) == encryptedID)
            }
            checked += 1
        }
        if let envelopeText = json["envelope_base64url"]?.string {
            let envelope = try Envelope.parse(envelopeText, encoding: .base64url)
            #expect(envelope.type == .type2)
            #expect(String(decoding: envelope.body, as: UTF8.self) == json["plaintext"]?.string)
            checked += 1
        }
        #expect(checked > 0, "case has no recognised fields")
    }
}
