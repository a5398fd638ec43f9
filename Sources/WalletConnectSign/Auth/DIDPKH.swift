/// A `did:pkh` issuer: `did:pkh:<namespace>:<reference>:<address>` (sign.md §6).
///
/// Also accepts the bare CAIP-10 form `<namespace>:<reference>:<address>` that `buildAuthObject`
/// receives from wallets. (JS `getNamespacedDidChainId` returns `"<address>:undefined"` for the
/// bare form; this type always yields the real chain.)
package struct DIDPKH: Sendable, Hashable, CustomStringConvertible {
    /// The `did:pkh:` prefix.
    package static let prefix = "did:pkh:"

    /// CAIP-2 namespace, e.g. `eip155`.
    package let namespace: String
    /// CAIP-2 reference, e.g. `1`.
    package let reference: String
    /// Account address, as written (no case normalisation).
    package let address: String

    /// Parses `did:pkh:<ns>:<ref>:<address>` or `<ns>:<ref>:<address>`.
    /// - Throws: ``AuthError`` `.invalidIssuer`.
    package init(_ text: String) throws {
        var parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        if parts.count == 5, parts[0] == "did", parts[1] == "pkh" {
            parts.removeFirst(2)
        }
        guard parts.count == 3, parts[0] != "did", parts.allSatisfy({ !$0.isEmpty && $0.trimmingWhitespace == $0 })
        else {
            throw AuthError(.invalidIssuer, "not a did:pkh issuer or CAIP-10 account: \(text)")
        }
        namespace = parts[0]
        reference = parts[1]
        address = parts[2]
    }

    /// Creates an issuer from its parts.
    package init(namespace: String, reference: String, address: String) {
        self.namespace = namespace
        self.reference = reference
        self.address = address
    }

    /// CAIP-2 chain id `<namespace>:<reference>`.
    package var chainID: String { "\(namespace):\(reference)" }

    /// CAIP-10 account `<namespace>:<reference>:<address>`.
    package var account: String { "\(chainID):\(address)" }

    /// The full DID `did:pkh:<namespace>:<reference>:<address>`.
    package var did: String { Self.prefix + account }

    /// The full DID.
    package var description: String { did }
}

extension String {
    fileprivate var trimmingWhitespace: String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
