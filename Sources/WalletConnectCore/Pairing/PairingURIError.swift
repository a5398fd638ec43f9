/// Errors of pairing URI parsing and `pair()` validation. ``description`` is the JS message (spec §2.4).
///
/// The invalid-URI message repeats the input as JS does, with any `symKey` value redacted — also when the
/// parameter name or the whole URI is percent-encoded or base64 (then the decoded URI is shown, redacted).
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

    /// `text` made safe to repeat: every parameter whose name decodes to `symKey` (any case, percent- or
    /// form-encoded, even twice) has its value replaced by `<redacted>`.
    ///
    /// When a key still shows once that text is decoded (a fully percent-encoded or base64 URI, whose separators the
    /// split cannot see), the decoded URI is shown instead, redacted the same way. Text without a key is unchanged.
    static func redacted(_ text: String) -> String {
        let redacted = redactingKeyParameters(text)
        let check = fullyDecoded(redacted)
        if redactingKeyParameters(check) == check { return redacted }
        return redactingKeyParameters(fullyDecoded(text))
    }

    /// `text` with percent-encoding removed until nothing changes (at most 4 rounds), after base64 decoding when
    /// that is how the URI parser would read it.
    private static func fullyDecoded(_ text: String) -> String {
        var current = text
        if !current.contains("wc:"), let bytes = try? Base64Codec.decode(current.filter { !$0.isWhitespace }),
            let unwrapped = String(validating: bytes, as: UTF8.self), unwrapped.contains("wc:")
        {
            current = unwrapped
        }
        for _ in 0..<4 {
            let next = FormEncoding.percentDecode(current)
            if next == current { break }
            current = next
        }
        return current
    }

    /// `text` with the value of every `name=value` item (items split at `?`, `&`, `#` and `;`) whose name
    /// decodes to `symkey` (case-insensitively, blanks trimmed) replaced by `<redacted>`.
    private static func redactingKeyParameters(_ text: String) -> String {
        var out = ""
        var item = ""
        func flush() {
            if let equals = item.firstIndex(of: "="), isKeyName(item[..<equals]) {
                out += item[...equals]
                out += "<redacted>"
            } else {
                out += item
            }
            item = ""
        }
        for character in text {
            if character == "?" || character == "&" || character == "#" || character == ";" {
                flush()
                out.append(character)
            } else {
                item.append(character)
            }
        }
        flush()
        return out
    }

    /// Whether a query item's name reads as `symKey` once decoded.
    private static func isKeyName(_ name: Substring) -> Bool {
        var current = String(name)
        for _ in 0..<4 {
            let next = FormEncoding.decodeForm(current)
            if next == current { break }
            current = next
        }
        return current.filter { !$0.isWhitespace }.lowercased() == "symkey"
    }
}
