/// A CAIP-10 account id `namespace:reference:address` (§6), validated the way the JS SDK does.
package struct AccountID: Sendable, Hashable, Codable, CustomStringConvertible, LosslessStringConvertible {
    /// The chain.
    package let chainID: ChainID
    /// The address.
    package let address: String

    /// Parses an account id; `nil` when invalid.
    package init?(_ description: String) {
        guard Self.isValid(description) else { return nil }
        let parts = description.split(separator: ":", omittingEmptySubsequences: false)
        chainID = ChainID(namespace: String(parts[0]), reference: String(parts[1]))
        address = String(parts[2])
    }

    /// Creates an account id from its parts.
    package init(chainID: ChainID, address: String) {
        self.chainID = chainID
        self.address = address
    }

    /// Parses a `did:pkh:<ns>:<ref>:<address>` issuer (the prefix is optional).
    package init?(didPKH: String) {
        let stripped = didPKH.hasPrefix("did:pkh:") ? String(didPKH.dropFirst("did:pkh:".count)) : didPKH
        self.init(stripped)
    }

    /// `namespace:reference:address`.
    package var description: String { "\(chainID):\(address)" }

    /// The `did:pkh:` issuer of this account.
    package var didPKH: String { "did:pkh:\(description)" }

    /// JS `isValidAccountId`: exactly three parts, a non-empty address, and a valid chain id.
    package static func isValid(_ value: String) -> Bool {
        guard !value.isBlank, value.contains(":") else { return false }
        let parts = value.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[2].isEmpty else { return false }
        return ChainID.isValid("\(parts[0]):\(parts[1])")
    }

    /// The `namespace:reference` prefix of an account string (first two `:`-parts), without validation.
    package static func chainPrefix(of account: String) -> String {
        let parts = account.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count >= 2 else { return account }
        return "\(parts[0]):\(parts[1])"
    }

    /// Decodes from a string.
    package init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = AccountID(text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "Invalid CAIP-10 account id"))
        }
        self = value
    }

    /// Encodes as a string.
    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
