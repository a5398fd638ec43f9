import Foundation
import Logging
import WalletConnectCore
import WalletConnectSign

/// Push-notification helpers that work without a running client (sign.md §12.2), e.g. in a notification
/// service extension or a separate worker process. They open the same stores the client uses: the key chain
/// file and the key-value storage holding the Sign sessions.
public enum WalletKitNotifications {
    /// ``decryptMessage(topic:encodedEnvelope:keyChainFile:logger:)`` with the key chain already open (nothing is
    /// written to it).
    package static func decryptMessage(
        topic: String, encodedEnvelope: String, keyChain: KeyChain,
        logger: Logger = Logger(label: "walletkit.notifications", factory: { _ in SwiftLogNoOpLogHandler() })
    ) async -> String? {
        guard (try? Crypto.envelopeType(of: encodedEnvelope)) == .type0 else {
            logger.debug("push envelope refused: not type 0", metadata: ["wk.topic": "\(topic)"])
            return nil
        }
        guard keyChain.has(topic) else {
            logger.debug("push envelope refused: no key for topic", metadata: ["wk.topic": "\(topic)"])
            return nil
        }
        do {
            return try await Crypto(keyChain: keyChain, logger: logger).decode(topic: topic, encoded: encodedEnvelope)
        } catch {
            logger.debug("push envelope not decrypted", metadata: ["wk.topic": "\(topic)", "wk.error": "\(error)"])
            return nil
        }
    }

    /// Decrypts a pushed envelope (`always_raw` pushes carry `topic` and `message`) with the topic's sym key, read
    /// from the client's key chain file.
    ///
    /// Returns the JSON-RPC text, or `nil` when the file cannot be read, the key is missing, the envelope is not
    /// type 0 or decryption fails. Never throws and never writes to the key chain. Type-1 and type-2 envelopes are
    /// refused: pushes carry relay messages, which are type 0 (sign.md §1.2).
    /// - Parameters:
    ///   - topic: The topic of the pushed message.
    ///   - encodedEnvelope: The base64 envelope text.
    ///   - keyChainFile: The key chain file the client uses (`SignClientConfiguration.resolvedKeyChainPath()`);
    ///     it is only read.
    ///   - logger: Logger (no-op by default); never receives keys or plaintext.
    public static func decryptMessage(
        topic: String, encodedEnvelope: String, keyChainFile: URL,
        logger: Logger = Logger(label: "walletkit.notifications", factory: { _ in SwiftLogNoOpLogHandler() })
    ) async -> String? {
        guard let keyChain = try? KeyChain(fileURL: keyChainFile) else {
            logger.debug("push envelope not decrypted: key chain unreadable")
            return nil
        }
        return await decryptMessage(topic: topic, encodedEnvelope: encodedEnvelope, keyChain: keyChain, logger: logger)
    }

    /// The peer (dApp) metadata of the stored session on `topic`.
    ///
    /// Pairing-topic pushes (proposals, auth requests) have no session: take the metadata from the decrypted
    /// request's `proposer` / `requester` instead.
    /// - Parameters:
    ///   - topic: The session topic.
    ///   - storage: The key-value storage the client uses.
    ///   - storagePrefix: The client's custom storage prefix (must match the one used at init).
    /// - Throws: `StoreError` (`No matching key. session: <topic>`) when no such session exists; the storage error.
    public static func sessionMetadata(topic: String, storage: any KeyValueStorage, storagePrefix: String = "")
        async throws -> Metadata
    {
        let sessions = Store<Session>(storage: storage, storageKey: .client("session", prefix: storagePrefix))
        try await sessions.load()
        return try await sessions.get(topic).peer.metadata
    }

    /// ``sessionMetadata(topic:storage:storagePrefix:)`` opening the client's SQLite database at `databasePath`.
    /// - Throws: `StoreError` when no such session exists; `StorageError` when the database cannot be opened.
    public static func sessionMetadata(topic: String, databasePath: String, storagePrefix: String = "")
        async throws -> Metadata
    {
        try await sessionMetadata(topic: topic, storage: try SQLiteStorage(path: databasePath), storagePrefix: storagePrefix)
    }
}
