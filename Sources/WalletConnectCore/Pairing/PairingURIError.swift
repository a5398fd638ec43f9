/// Errors of pairing URI parsing and `pair()` validation. ``description`` is the JS message (spec §2.4).
///
/// The invalid-URI message repeats the input as JS does, with any `symKey` value redacted.
public struct PairingURIError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The failure class.
    public enum Kind: Sendable, Hashable {
        /// Not a `wc:` URI nor base64 / percent-encoding of one.
        case invalidURI
        /// No `relay-protocol` parameter.
        case missingRelayProtocol
        /// No `symKey` parameter.
        case missingSymKey
        /// The topic is not 64 lowercase hex characters.
        case invalidTopic
        /// The symKey is not 64 hex characters.
        case invalidSymKey
        /// The version is not 2.
        case unsupportedVersion
        /// `expiryTimestamp × 1000 < now_ms`.
        case expired
    }

    /// The failure class.
    public let kind: Kind
    private let detail: String

    init(_ kind: Kind, detail: String = "") {
        self.kind = kind
        self.detail = detail
    }

    static func invalidURI(_ uri: String) -> PairingURIError {
        PairingURIError(.invalidURI, detail: redacted(uri))
    }

    /// Matches an error of the same ``kind`` (for `catch` patterns).
    public static func ~= (pattern: Kind, value: PairingURIError) -> Bool { value.kind == pattern }

    /// The JS error message.
    public var description: String {
        switch kind {
        case .invalidURI: return "Missing or invalid. pair() uri: \(detail)"
        case .missingRelayProtocol: return "Missing or invalid. pair() uri#relay-protocol"
        case .missingSymKey: return "Missing or invalid. pair() uri#symKey"
        case .invalidTopic: return "Missing or invalid. pair() uri#topic: expected 64 lowercase hex characters"
        case .invalidSymKey: return "Missing or invalid. pair() uri#symKey: expected 64 hex characters"
        case .unsupportedVersion: return "Missing or invalid. pair() uri#version: expected 2"
        case .expired: return "Expired. pair() URI has expired. Please try again with a new connection URI."
        }
    }

    /// `text` with every `symKey=<value>` value replaced by `<redacted>` (the key must not reach logs).
    static func redacted(_ text: String) -> String {
        var out = ""
        var rest = Substring(text)
        while let range = rest.firstRange(of: "symKey=") {
            out += rest[..<range.upperBound]
            out += "<redacted>"
            rest = rest[range.upperBound...]
            if let end = rest.firstIndex(where: { $0 == "&" || $0 == "#" }) {
                rest = rest[end...]
            } else {
                rest = ""
            }
        }
        return out + rest
    }
}
