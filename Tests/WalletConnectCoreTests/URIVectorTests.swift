import Testing
import WalletKitTesting
@testable import WalletConnectCore

@Suite("Pairing URI")
struct URIVectorTests {
    /// Builds the URI described by a format case's input.
    private static func uri(from input: [String: Any]) throws -> PairingURI {
        let relay = input["relay"] as? [String: String] ?? [:]
        return PairingURI(
            topic: try #require(input["topic"] as? String), symKey: try #require(input["symKey"] as? String),
            relayProtocol: try #require(relay["protocol"]), relayData: relay["data"],
            expiryTimestamp: CoreVector.int(input["expiryTimestamp"]), methods: input["methods"] as? [String])
    }

    @Test(
        "core-uri.json", .enabled(if: SharedVectors.isAvailable, SharedVectors.skipNote),
        arguments: SharedVectors.cases("core-uri.json"))
    func vector(_ vectorCase: VectorCase) throws {
        let v = CoreVector(vectorCase)
        if let expectedURI = v.expectedString("uri") {
            // Formatting: JS rules unless the case is the Swift-order one.
            let uri = try Self.uri(from: v.input)
            let text = v.name.hasSuffix("swift_rules") ? uri.swiftStyleString : uri.absoluteString
            #expect(text == expectedURI)
            // Whatever the order, parsing gives the same value back.
            #expect(try PairingURI.parse(expectedURI) == uri)
        } else if let error = v.expectedString("error") {
            if let text = v.inputString("uri") {
                let nowMs = (v.inputInt("now") ?? 0) * 1000
                do {
                    _ = try PairingURI.validateForPairing(text, nowMilliseconds: nowMs)
                    Issue.record("\(v.name): accepted")
                } catch let failure as PairingURIError {
                    #expect(failure.description == error)
                }
            } else if let uris = v.input["uris"] as? [String] {
                #expect(error == "invalidFormat")
                for text in uris {
                    #expect(throws: PairingURIError.self) { try PairingURI.parse(text) }
                    do {
                        _ = try PairingURI.parse(text)
                    } catch let failure as PairingURIError {
                        #expect(failure.kind == .invalidURI)
                    }
                }
            } else {
                // reject_active_pairing_reuse: a precondition on stored pairings, not a URI property.
                #expect(v.input["precondition"] != nil)
                #expect(error.hasPrefix("Pairing already exists: "))
                // Not a URI property: the pairing controller enforces it (reported as not applicable here).
            }
        } else if let text = v.inputString("uri") {
            let expected = (v.expected["swift"] as? [String: Any]) ?? v.expected
            let uri = try PairingURI.parse(text)
            if let topic = expected["topic"] as? String { #expect(uri.topic == topic) }
            if let symKey = expected["symKey"] as? String { #expect(uri.symKey == symKey) }
            if let version = CoreVector.int(expected["version"]) { #expect(Int64(uri.version) == version) }
            if let relay = expected["relay"] as? [String: String] {
                #expect(uri.relayProtocol == relay["protocol"])
                #expect(uri.relayData == relay["data"])
            }
            if expected.keys.contains("expiryTimestamp") {
                #expect(uri.expiryTimestamp == CoreVector.int(expected["expiryTimestamp"]))
            }
            if expected.keys.contains("methods") {
                #expect(uri.methods == expected["methods"] as? [String])
            }
            if let split = expected["methodsJsSplit"] as? [String] { #expect(uri.methods == split) }
            if let raw = expected["methodsRaw"] as? String { #expect(uri.methods?.joined(separator: ",") == raw) }
            // Anything that parses also passes pair() validation when not expired.
            #expect(try PairingURI.validateForPairing(text, nowMilliseconds: 0) == uri)
        } else {
            Issue.record("core-uri.json case \(v.name) has a shape this test does not know")
        }
    }

    // MARK: beyond the vectors

    private static let topic = "c9e6d30fb34afe70a15c14e9337ba8e4d5a35dd695c39b94884b0ee60c69d168"
    private static let symKey = "0653ca620c7b4990392e1c53c4a51c14a2840cd20f0f1524cf435b17b6fe988c"

    @Test("round trip with relay-data, extra relay params and percent-encoded values")
    func roundTrip() throws {
        var uri = PairingURI(
            topic: Self.topic, symKey: Self.symKey, relayData: "a b&c", expiryTimestamp: 1_705_667_684,
            methods: ["wc_sessionPropose", "wc_sessionAuthenticate"])
        uri.additionalRelayParameters["foo"] = "bar"
        let text = uri.absoluteString
        #expect(
            text
                == "wc:\(Self.topic)@2?expiryTimestamp=1705667684&methods=wc_sessionPropose%2Cwc_sessionAuthenticate"
                + "&relay-data=a+b%26c&relay-foo=bar&relay-protocol=irn&symKey=\(Self.symKey)")
        #expect(try PairingURI.parse(text) == uri)
        #expect(try PairingURI.parse(Base64Codec.encodeURL(Array(text.utf8)).replacingDashes()) == uri)
    }

    @Test("expiry boundary follows JS: expiry*1000 < now is expired")
    func expiryBoundary() throws {
        let text = PairingURI(topic: Self.topic, symKey: Self.symKey, expiryTimestamp: 100).absoluteString
        #expect(try PairingURI.validateForPairing(text, nowMilliseconds: 100_000).expiryTimestamp == 100)
        #expect(throws: PairingURIError.self) { try PairingURI.validateForPairing(text, nowMilliseconds: 100_001) }
    }

    @Test(
        "typed errors for bad topic, symKey and version",
        arguments: [
            ("wc:ABC@2?relay-protocol=irn&symKey=\(symKey)", PairingURIError.Kind.invalidTopic),
            ("wc:\(topic.uppercased())@2?relay-protocol=irn&symKey=\(symKey)", .invalidTopic),
            ("wc:\(topic)@2?relay-protocol=irn&symKey=1234", .invalidSymKey),
            ("wc:\(topic)@3?relay-protocol=irn&symKey=\(symKey)", .unsupportedVersion),
            ("wc:\(topic)@2?relay-protocol=irn&symKey=\(symKey)&expiryTimestamp=soon", .invalidURI),
            ("wc:\(topic)?relay-protocol=irn&symKey=\(symKey)", .invalidURI),
            ("wc:\(topic)@2", .missingRelayProtocol),
            ("wc:\(topic)@2?relay-protocol=irn", .missingSymKey),
            ("http://example.com", .invalidURI),
        ])
    func typedErrors(text: String, kind: PairingURIError.Kind) {
        do {
            _ = try PairingURI.parse(text)
            Issue.record("accepted \(text)")
        } catch let error as PairingURIError {
            #expect(error.kind == kind)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test("error and description texts never show the symKey")
    func redaction() {
        let text = "wc:\(Self.topic)@2?symKey=\(Self.symKey)&relay-protocol=irn&expiryTimestamp=x"
        do {
            _ = try PairingURI.parse(text)
            Issue.record("accepted")
        } catch {
            #expect(!"\(error)".contains(Self.symKey))
            #expect("\(error)".hasPrefix("Missing or invalid. pair() uri: wc:"))
        }
        #expect(!"\(PairingURI(topic: Self.topic, symKey: Self.symKey))".contains(Self.symKey))
    }

    /// Hostile spellings of a `symKey` parameter (after a plain one, so parsing gets as far as the bad expiry).
    static let disguisedKeyURIs: [String] = {
        let other = String(repeating: "ab", count: 32)
        let base = "wc:\(topic)@2?relay-protocol=irn&symKey=\(other)&expiryTimestamp=x"
        let plain = "wc:\(topic)@2?symKey=\(symKey)&relay-protocol=irn&expiryTimestamp=x"
        return [
            "\(base)&symK%65y=\(symKey)",
            "\(base)&%73%79%6D%4B%65%79=\(symKey)",
            "\(base)&symKey=\(symKey.uppercased())",
            "\(base)&symK%2565y=\(symKey)",
            "\(base)&+symKey+=\(symKey)",
            "\(base)#symKey=\(symKey)",
            FormEncoding.encodeComponent(plain),
            Base64Codec.encodeURL(Array(plain.utf8)).replacingDashes(),
        ]
    }()

    @Test(
        "an invalid URI's error hides the symKey however its name or the URI is encoded",
        .timeLimit(.minutes(1)), arguments: disguisedKeyURIs)
    func redactionAfterDecoding(text: String) {
        do {
            _ = try PairingURI.parse(text)
            Issue.record("accepted \(text)")
        } catch {
            let message = "\(error)"
            #expect(!message.lowercased().contains(Self.symKey), "\(message)")
            if !text.contains("wc:") { #expect(!message.contains(text), "repeats an encoded URI: \(message)") }
            #expect(message.hasPrefix("Missing or invalid. pair() uri: "))
        }
    }

    @Test("an invalid URI without a key is repeated as given", .timeLimit(.minutes(1)))
    func redactionKeepsOtherText() {
        let text = "wc:\(Self.topic)?relay-protocol=irn&relay-data=a%26b&relay-x=%2573ymKey"
        #expect(throws: PairingURIError.self) { try PairingURI.parse(text) }
        do {
            _ = try PairingURI.parse(text)
        } catch {
            #expect("\(error)" == "Missing or invalid. pair() uri: \(text)")
        }
    }
}

extension String {
    /// base64url text turned back into standard base64 (no padding), to exercise the lenient decoder.
    fileprivate func replacingDashes() -> String {
        String(map { $0 == "-" ? "+" : $0 == "_" ? "/" : $0 })
    }
}
