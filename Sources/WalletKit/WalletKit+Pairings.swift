import WalletConnectCore
import WalletConnectSign

extension WalletKit {
    /// Pairing events: created, activated, pinged by the peer, deleted (by this wallet or the peer), expired. Each
    /// access is a new stream; it finishes at shutdown.
    public nonisolated var pairingEvents: AsyncStream<PairingEvent> {
        signClient.pairing.events()
    }

    /// The stored pairings (JS `core.pairing.getPairings()`).
    public func pairings() async -> [PairingInfo] {
        await signClient.pairing.pairings()
    }

    /// Deletes pairing `topic` and tells the peer (`wc_pairingDelete`, JS `core.pairing.disconnect`); a
    /// ``pairingEvents`` `.deleted(topic:byPeer: false)` follows.
    /// - Throws: `PairingError` (`noMatchingTopic`), or a relay error when the peer could not be told (the
    ///   pairing is deleted locally all the same).
    public func disconnectPairing(topic: String) async throws {
        try await signClient.pairing.disconnect(topic: topic)
    }

    /// The URI of stored pairing `topic` (JS `formatUri`), e.g. to show its QR code again.
    /// - Throws: `PairingError` (`noMatchingTopic`).
    public func formatURI(pairing topic: String) async throws -> String {
        try await signClient.pairing.uri(topic: topic)
    }
}
