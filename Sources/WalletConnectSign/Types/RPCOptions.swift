/// Relay publish options of one message: time to live, push prompt and tag (§2.1).
public struct RPCOptions: Sendable, Hashable, Codable {
    /// Time to live in seconds.
    public var ttl: Int64
    /// Ask the relay to push-notify the receiver.
    public var prompt: Bool
    /// Relay tag.
    public var tag: Int

    /// Creates publish options.
    public init(ttl: Int64, prompt: Bool, tag: Int) {
        self.ttl = ttl
        self.prompt = prompt
        self.tag = tag
    }

    /// Options of the error answer to an unknown method on a pairing topic (86400 / false / 0).
    public static let unregisteredMethod = RPCOptions(ttl: 86400, prompt: false, tag: 0)
}
