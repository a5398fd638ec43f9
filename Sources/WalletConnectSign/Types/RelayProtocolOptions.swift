/// Relay protocol selection carried in proposals and sessions: `{protocol, data?}`.
public struct RelayProtocolOptions: Codable, Sendable, Hashable {
    /// Protocol name, normally `"irn"`.
    public var `protocol`: String
    /// Optional protocol data.
    public var data: String?

    /// Creates relay options (default protocol `irn`).
    public init(protocol: String = "irn", data: String? = nil) {
        self.protocol = `protocol`
        self.data = data
    }
}
