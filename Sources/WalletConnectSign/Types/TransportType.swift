/// How a session's messages travel: over the relay or through link mode.
public struct TransportType: RawRepresentable, Codable, Sendable, Hashable {
    /// The wire value, e.g. `relay`.
    public var rawValue: String
    /// Creates a transport type from its wire value.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// Messages go through the relay.
    public static let relay = TransportType(rawValue: "relay")
    /// Messages go through universal links.
    public static let linkMode = TransportType(rawValue: "link_mode")

    /// Decodes any string (unknown values round-trip).
    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    /// Encodes the wire string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
