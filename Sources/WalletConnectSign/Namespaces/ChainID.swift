/// A CAIP-2 chain id `namespace:reference` (§6), validated the way the JS SDK does.
///
/// Valid means: not blank after trimming, and exactly two `:`-separated parts. Like JS, the CAIP-2
/// character classes are not enforced and an empty reference (`eip155:`) is accepted.
package struct ChainID: Sendable, Hashable, Codable, CustomStringConvertible, LosslessStringConvertible {
    /// Namespace, e.g. `eip155`.
    package let namespace: String
    /// Reference, e.g. `1`.
    package let reference: String

    /// Parses a chain id; `nil` when invalid.
    package init?(_ description: String) {
        guard Self.isValid(description) else { return nil }
        let parts = description.split(separator: ":", omittingEmptySubsequences: false)
        namespace = String(parts[0])
        reference = String(parts[1])
    }

    /// Creates a chain id from its parts.
    package init(namespace: String, reference: String) {
        self.namespace = namespace
        self.reference = reference
    }

    /// `namespace:reference`.
    package var description: String { "\(namespace):\(reference)" }

    /// JS `isValidChainId`: non-blank string with exactly two `:`-separated parts.
    package static func isValid(_ value: String) -> Bool {
        guard !value.isBlank, value.contains(":") else { return false }
        return value.split(separator: ":", omittingEmptySubsequences: false).count == 2
    }

    /// Decodes from a string.
    package init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = ChainID(text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "Invalid CAIP-2 chain id"))
        }
        self = value
    }

    /// Encodes as a string.
    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

extension String {
    /// Whether the string is empty after trimming whitespace (JS `!value.trim().length`).
    var isBlank: Bool { allSatisfy(\.isWhitespace) }

    /// The namespace part of a namespace key or chain id: the text before the first `:`.
    var namespacePrefix: String {
        guard let index = firstIndex(of: ":") else { return self }
        return String(self[..<index])
    }

    /// Whether a namespace key is an inline chain (`eip155:1`).
    var isInlineChainKey: Bool { contains(":") }
}
