import Logging
import WalletConnectCore

/// The engine's use of the pairing controller.
extension SignEngine {
    /// The Sign methods the pairing controller forwards to the engine instead of answering 10001.
    static let pairingForwardedMethods: [String] = [
        SignMethod.sessionPropose.rawValue, SignMethod.sessionAuthenticate.rawValue,
    ]

    /// Pairs a URI; returns the pairing topic.
    func pairWithURI(_ uri: String, activate: Bool) async throws -> String {
        try await pairing.pair(uri: uri, activate: activate).topic
    }

    /// Creates a pairing for a new proposal; `subscribe: false` when `wc_proposeSession` subscribes it.
    func createPairing(subscribe: Bool) async throws -> (topic: String, uri: String) {
        try await pairing.create(methods: nil, subscribe: subscribe)
    }

    /// Activates a pairing after a completed proposal exchange (failures are logged: the pairing may be gone).
    func activatePairing(topic: String) async {
        do {
            try await pairing.activate(topic: topic)
        } catch {
            logger.debug("could not activate pairing", metadata: ["wk.topic": "\(topic)"])
        }
    }

    /// Stores the peer's metadata on a pairing (failures are logged).
    func updatePairingMetadata(topic: String, metadata: Metadata) async {
        do {
            try await pairing.updateMetadata(topic: topic, metadata: JSONValue(encoding: metadata))
        } catch {
            logger.debug("could not update pairing metadata", metadata: ["wk.topic": "\(topic)"])
        }
    }

    /// Known pairing topics and their expiries (for validation).
    func pairingExpiries() async -> [String: Int64] {
        var result: [String: Int64] = [:]
        for info in await pairing.pairings() { result[info.topic] = info.expiry }
        return result
    }

    /// `wc_pairingPing` through the pairing controller.
    func pingPairing(topic: String) async throws {
        try await pairing.ping(topic: topic)
    }

    /// `wc_pairingDelete` through the pairing controller.
    func disconnectPairing(topic: String) async throws {
        try await pairing.disconnect(topic: topic)
    }
}
