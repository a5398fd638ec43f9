extension PairingURI {
    /// Parses a pairing URI, accepting every form the JS and Swift SDKs accept (spec §2.3): plain `wc:`,
    /// `wc://` (also `wc://wc:`), base64 of a URI (padding optional), and a fully percent-encoded URI.
    /// Query order does not matter; every `relay-<name>` key becomes a relay parameter; `methods` is split on `,`.
    ///
    /// Checks, in order: the URI shape (`Missing or invalid. pair() uri: <uri>`), `relay-protocol`, `symKey`,
    /// topic = 64 lowercase hex, symKey = 64 hex, version 2. Expiry is checked by ``validateForPairing(_:nowMilliseconds:)``.
    /// - Throws: ``PairingURIError``.
    package static func parse(_ text: String) throws -> PairingURI {
        guard let unwrapped = unwrap(text), unwrapped.hasPrefix("wc:") else { throw PairingURIError.invalidURI(text) }
        var rest = Substring(unwrapped)
        if rest.hasPrefix("wc://") { rest = rest.dropFirst(5) }
        if rest.hasPrefix("wc:") { rest = rest.dropFirst(3) }
        let path: Substring
        let query: Substring
        if let mark = rest.firstIndex(of: "?") {
            path = rest[..<mark]
            query = rest[rest.index(after: mark)...]
        } else {
            path = rest
            query = ""
        }
        guard let at = path.firstIndex(of: "@") else { throw PairingURIError.invalidURI(text) }
        var topic = path[..<at]
        if topic.hasPrefix("//") { topic = topic.dropFirst(2) }
        guard let version = Int(path[path.index(after: at)...]), !topic.isEmpty else {
            throw PairingURIError.invalidURI(text)
        }

        var parameters: [String: String] = [:]
        for item in query.split(separator: "&", omittingEmptySubsequences: true) {
            let pair = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = FormEncoding.decodeForm(String(pair[0]))
            parameters[name] = pair.count > 1 ? FormEncoding.decodeForm(String(pair[1])) : ""
        }
        guard let relayProtocol = parameters["relay-protocol"], !relayProtocol.isEmpty else {
            throw PairingURIError(.missingRelayProtocol)
        }
        guard let symKey = parameters["symKey"], !symKey.isEmpty else { throw PairingURIError(.missingSymKey) }
        guard Hex.isLowercaseHex(String(topic), byteCount: 32) else { throw PairingURIError(.invalidTopic) }
        guard Hex.isLowercaseHex(symKey.lowercased(), byteCount: 32) else { throw PairingURIError(.invalidSymKey) }
        guard version == 2 else { throw PairingURIError(.unsupportedVersion) }
        var expiry: Int64?
        if let raw = parameters["expiryTimestamp"] {
            guard let value = Int64(raw) else { throw PairingURIError.invalidURI(text) }
            expiry = value
        }
        var uri = PairingURI(
            topic: String(topic), symKey: symKey.lowercased(), relayProtocol: relayProtocol,
            relayData: parameters["relay-data"], expiryTimestamp: expiry,
            methods: parameters["methods"].map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) })
        for (name, value) in parameters where name.hasPrefix("relay-") {
            let field = String(name.dropFirst("relay-".count))
            if field != "protocol" && field != "data" { uri.additionalRelayParameters[field] = value }
        }
        return uri
    }

    /// `pair()` validation (spec §2.4): ``parse(_:)`` plus the JS expiry rule `expiryTimestamp × 1000 < now_ms`.
    /// - Throws: ``PairingURIError``; ``PairingURIError/description`` is the JS message.
    package static func validateForPairing(_ text: String, nowMilliseconds: Int64) throws -> PairingURI {
        let uri = try parse(text)
        // Saturating: `expiryTimestamp=9223372036854775807` must not trap (fuzzing finding).
        if let expiry = uri.expiryTimestamp, Expiry.milliseconds(fromSeconds: expiry) < nowMilliseconds {
            throw PairingURIError(.expired)
        }
        return uri
    }

    /// The text to parse: as is when it contains `wc:`, else its base64 decoding, else its percent decoding.
    private static func unwrap(_ text: String) -> String? {
        let trimmed = text.trimmingWhitespace()
        if trimmed.contains("wc:") { return trimmed }
        if let bytes = try? Base64Codec.decode(trimmed), let decoded = String(validating: bytes, as: UTF8.self),
            decoded.contains("wc:")
        {
            return decoded.trimmingWhitespace()
        }
        let percentDecoded = FormEncoding.percentDecode(trimmed)
        if percentDecoded.contains("wc:") { return percentDecoded.trimmingWhitespace() }
        return nil
    }
}

extension String {
    fileprivate func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let end = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[start...end])
    }
}
