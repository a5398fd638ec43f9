/// A pairing URI v2 (spec §2): `wc:<topic>@2?<query>` with `symKey`, `relay-protocol`, optional `relay-data`,
/// `expiryTimestamp` (Unix seconds) and `methods`.
package struct PairingURI: Sendable, Hashable {
    /// The pairing topic (`sha256(symKey)` for producers), 64 lowercase hex.
    package var topic: String
    /// The protocol version (always 2).
    package var version: Int
    /// The pairing symmetric key, 64 lowercase hex.
    package var symKey: String
    /// The relay protocol, `irn`.
    package var relayProtocol: String
    /// Opaque relay data (`relay-data`), omitted when `nil` or empty.
    package var relayData: String?
    /// Expiry, Unix seconds.
    package var expiryTimestamp: Int64?
    /// Methods, serialized comma-separated.
    package var methods: [String]?
    /// Other `relay-<name>` parameters, keyed by `<name>` (e.g. a future `relay-foo`).
    package var additionalRelayParameters: [String: String] = [:]

    /// Creates a URI (version 2).
    package init(
        topic: String, symKey: String, relayProtocol: String = "irn", relayData: String? = nil,
        expiryTimestamp: Int64? = nil, methods: [String]? = nil
    ) {
        self.topic = topic
        self.version = 2
        self.symKey = symKey
        self.relayProtocol = relayProtocol
        self.relayData = relayData
        self.expiryTimestamp = expiryTimestamp
        self.methods = methods
    }

    /// The JS `formatUri` form: query keys sorted alphabetically, values form-encoded like `URLSearchParams`
    /// (so `,` in `methods` becomes `%2C`). Example:
    /// `wc:<topic>@2?expiryTimestamp=<s>&relay-protocol=irn&symKey=<hex>`.
    package var absoluteString: String {
        var items: [(String, String)] = [("symKey", symKey), ("relay-protocol", relayProtocol)]
        if let relayData, !relayData.isEmpty { items.append(("relay-data", relayData)) }
        for (name, value) in additionalRelayParameters where name != "protocol" && name != "data" {
            items.append(("relay-" + name, value))
        }
        if let expiryTimestamp { items.append(("expiryTimestamp", String(expiryTimestamp))) }
        if let methods { items.append(("methods", methods.joined(separator: ","))) }
        items.sort { $0.0.lowercased() < $1.0.lowercased() }
        let query = items.map { FormEncoding.encode($0.0) + "=" + FormEncoding.encode($0.1) }.joined(separator: "&")
        return "wc:\(topic)@\(version)?\(query)"
    }

    /// The reown-swift form: fixed order `symKey, relay-protocol, expiryTimestamp[, relay-data][, methods]`,
    /// no percent-encoding. Parsers accept either form.
    package var swiftStyleString: String {
        var parts = ["symKey=\(symKey)", "relay-protocol=\(relayProtocol)"]
        if let expiryTimestamp { parts.append("expiryTimestamp=\(expiryTimestamp)") }
        if let relayData, !relayData.isEmpty { parts.append("relay-data=\(relayData)") }
        if let methods { parts.append("methods=\(methods.joined(separator: ","))") }
        return "wc:\(topic)@\(version)?" + parts.joined(separator: "&")
    }
}

extension PairingURI: CustomStringConvertible {
    /// The URI with the symmetric key redacted (safe to log).
    package var description: String { PairingURIError.redacted(absoluteString) }
}
