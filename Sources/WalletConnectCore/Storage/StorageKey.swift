/// The versioned storage keys of the spec: `"wc@2:" + context + ":" + version + [":" + prefix] + "//" + name`.
public struct StorageKey: Sendable, Hashable, CustomStringConvertible {
    public var context: String
    public var version: String
    public var customPrefix: String
    public var name: String

    public init(context: String, version: String, customPrefix: String = "", name: String) {
        self.context = context
        self.version = version
        self.customPrefix = customPrefix
        self.name = name
    }

    /// The key text, e.g. `wc@2:core:0.3//keychain` or `wc@2:core:0.3:test//subscription`.
    public var rawValue: String {
        "wc@2:\(context):\(version)\(customPrefix.isEmpty ? "" : ":" + customPrefix)//\(name)"
    }

    public var description: String { rawValue }

    /// A core store key (context `core`, version `0.3`).
    public static func core(_ name: String, prefix: String = "") -> StorageKey {
        StorageKey(context: "core", version: "0.3", customPrefix: prefix, name: name)
    }

    /// A Sign client store key (context `client`, version `0.3`).
    public static func client(_ name: String, prefix: String = "") -> StorageKey {
        StorageKey(context: "client", version: "0.3", customPrefix: prefix, name: name)
    }

    public static func keychain(prefix: String = "") -> StorageKey { core("keychain", prefix: prefix) }
    public static func messages(prefix: String = "") -> StorageKey { core("messages", prefix: prefix) }
    public static func messagesWithoutClientAck(prefix: String = "") -> StorageKey {
        core("messages_withoutClientAck", prefix: prefix)
    }
    public static func subscription(prefix: String = "") -> StorageKey { core("subscription", prefix: prefix) }
    public static func history(prefix: String = "") -> StorageKey { core("history", prefix: prefix) }
    public static func expirer(prefix: String = "") -> StorageKey { core("expirer", prefix: prefix) }
    public static func pairing(prefix: String = "") -> StorageKey { core("pairing", prefix: prefix) }
    public static func verifyPublicKey(prefix: String = "") -> StorageKey {
        StorageKey(context: "core", version: "2", customPrefix: prefix, name: "verify:public:key")
    }
    public static func eventClient(prefix: String = "") -> StorageKey {
        StorageKey(context: "core", version: "0.1", customPrefix: prefix, name: "event-client")
    }

    /// The bare key under which the client id (`did:key:…`) is stored.
    public static let clientIDKey = "WALLETCONNECT_CLIENT_ID"
    /// The bare key for link-mode apps.
    public static let linkModeAppsKey = "WALLETCONNECT_LINK_MODE_APPS"
}
