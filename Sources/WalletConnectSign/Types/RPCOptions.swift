/// Relay publish options of one message: time to live, push prompt and tag (§2.1).
package struct RPCOptions: Sendable, Hashable, Codable {
    /// Time to live in seconds.
    package var ttl: Int64
    /// Ask the relay to push-notify the receiver.
    package var prompt: Bool
    /// Relay tag.
    package var tag: Int

    /// Creates publish options.
    package init(ttl: Int64, prompt: Bool, tag: Int) {
        self.ttl = ttl
        self.prompt = prompt
        self.tag = tag
    }

    /// Options of the error answer to an unknown method on a pairing topic (86400 / false / 0).
    package static let unregisteredMethod = RPCOptions(ttl: 86400, prompt: false, tag: 0)
}
