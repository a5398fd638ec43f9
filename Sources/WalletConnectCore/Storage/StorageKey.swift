/// The versioned storage keys of the spec: `"wc@2:" + context + ":" + version + [":" + prefix] + "//" + name`.
package struct StorageKey: Sendable, Hashable, CustomStringConvertible {
    /// The context: `core` or `client`.
    package var context: String
    /// The store version, e.g. `0.3`.
    package var version: String
    /// The custom storage prefix that separates instances sharing one storage; empty for none.
    package var customPrefix: String
    /// The store name, e.g. `keychain`.
    package var name: String

    /// Creates a key from its parts.
    /// - Parameters:
    ///   - context: The context: `core` or `client`.
    ///   - version: The store version.
    ///   - customPrefix: The custom storage prefix; empty for none.
    ///   - name: The store name.
    package init(context: String, version: String, customPrefix: String = "", name: String) {
        self.context = context
        self.version = version
        self.customPrefix = customPrefix
        self.name = name
    }

    /// The key text, e.g. `wc@2:core:0.3//keychain` or `wc@2:core:0.3:test//subscription`.
    package var rawValue: String {
        "wc@2:\(context):\(version)\(customPrefix.isEmpty ? "" : ":" + customPrefix)//\(name)"
    }

    /// The key text, as ``rawValue``.
    package var description: String { rawValue }

    /// A core store key (context `core`, version `0.3`).
    package static func core(_ name: String, prefix: String = "") -> StorageKey {
        StorageKey(context: "core", version: "0.3", customPrefix: prefix, name: name)
    }

    /// A Sign client store key (context `client`, version `0.3`).
    package static func client(_ name: String, prefix: String = "") -> StorageKey {
        StorageKey(context: "client", version: "0.3", customPrefix: prefix, name: name)
    }

    /// The key chain store, `wc@2:core:0.3//keychain`.
    package static func keychain(prefix: String = "") -> StorageKey { core("keychain", prefix: prefix) }
    /// The message tracker's seen messages, `wc@2:core:0.3//messages`.
    package static func messages(prefix: String = "") -> StorageKey { core("messages", prefix: prefix) }
    /// The inbound messages not yet handled, `wc@2:core:0.3//messages_withoutClientAck`.
    package static func messagesWithoutClientAck(prefix: String = "") -> StorageKey {
        core("messages_withoutClientAck", prefix: prefix)
    }
    /// The active relay subscriptions, `wc@2:core:0.3//subscription`.
    package static func subscription(prefix: String = "") -> StorageKey { core("subscription", prefix: prefix) }
    /// The JSON-RPC history, `wc@2:core:0.3//history`.
    package static func history(prefix: String = "") -> StorageKey { core("history", prefix: prefix) }
    /// The expirer's entries, `wc@2:core:0.3//expirer`.
    package static func expirer(prefix: String = "") -> StorageKey { core("expirer", prefix: prefix) }
    /// The pairings, `wc@2:core:0.3//pairing`.
    package static func pairing(prefix: String = "") -> StorageKey { core("pairing", prefix: prefix) }
    /// The universal links of peers seen using link mode, `wc@2:core:0.3//linkModeApps` (one row per link). JS keeps
    /// them under the bare key ``linkModeAppsKey``, shared by every prefix; here they belong to the namespace.
    package static func linkModeApps(prefix: String = "") -> StorageKey { core("linkModeApps", prefix: prefix) }
    /// Verify's cached public key, `wc@2:core:2//verify:public:key` (protocol version `2`).
    package static func verifyPublicKey(prefix: String = "") -> StorageKey {
        StorageKey(context: "core", version: "2", customPrefix: prefix, name: "verify:public:key")
    }
    /// The telemetry event client's queue, `wc@2:core:0.1//event-client`.
    package static func eventClient(prefix: String = "") -> StorageKey {
        StorageKey(context: "core", version: "0.1", customPrefix: prefix, name: "event-client")
    }

    /// The bare key under which the client id (`did:key:…`) is stored.
    package static let clientIDKey = "WALLETCONNECT_CLIENT_ID"
    /// The bare key under which JS keeps the link-mode apps (this port uses ``linkModeApps(prefix:)``).
    package static let linkModeAppsKey = "WALLETCONNECT_LINK_MODE_APPS"

    /// Whether `key` is a storage key (`wc@2:context:version[:prefix]//…`) of the namespace with custom prefix
    /// `prefix` (empty: no prefix). Keys of other prefixes, and keys not of this form, are not.
    package static func belongs(_ key: String, toPrefix prefix: String) -> Bool {
        guard key.hasPrefix("wc@2:") else { return false }
        // The namespace part ends at the first "//".
        let utf8 = Array(key.utf8)
        guard let end = utf8.indices.dropLast().first(where: { utf8[$0] == 0x2F && utf8[$0 + 1] == 0x2F }) else {
            return false
        }
        let parts = String(decoding: utf8[..<end], as: UTF8.self).split(separator: ":", omittingEmptySubsequences: false)
        switch parts.count {
        case 3: return prefix.isEmpty
        case 4: return !prefix.isEmpty && parts[3] == prefix
        default: return false
        }
    }
}
