import WalletConnectCore
import WalletConnectSign

extension WalletKit {
    /// Wipes this instance's storage namespace: every stored row of its `customStoragePrefix` (sessions,
    /// pairings, proposals, requests, history, expirations, subscriptions, the link-mode apps seen, telemetry) and every key of its key
    /// chain. Other prefixes in the same database are untouched. The dapps are not told (disconnect first to tell
    /// them).
    ///
    /// Only while this instance is not running (before ``run()`` or after ``shutdown()``): a running client would
    /// keep using what this deletes.
    /// - Throws: ``WalletKitError/alreadyRunning`` while running or draining; the storage or key chain error.
    public func cleanup() async throws {
        switch state {
        case .idle, .stopped: break
        case .running, .draining: throw WalletKitError.alreadyRunning
        }
        let prefix = configuration.sign.customStoragePrefix
        let storage = signClient.storage
        let rows = try await storage.values(withPrefix: "wc@2:")
        let mine = rows.map(\.key).filter { StorageKey.belongs($0, toPrefix: prefix) }
        try await storage.write(mine.map { StorageChange.remove(key: $0) })
        try await signClient.crypto.deleteAllKeys()
    }
}
