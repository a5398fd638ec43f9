import WalletConnectCore

/// Resolves the Verify context (sign.md §10) of an inbound proposal or session request.
///
/// Without one, the engine reports `UNKNOWN` with the peer's metadata URL as origin. WalletKit's Verify client
/// can be plugged in here.
public protocol SignVerifyResolver: Sendable {
    /// The verify context of one inbound message. Must not throw; bounded in time by the implementation.
    /// - Parameters:
    ///   - attestation: The relay's `attestation` string, if any.
    ///   - encryptedMessage: The envelope text exactly as received (its hash is the JWT `id`).
    ///   - decryptedMessage: The plaintext JSON-RPC text exactly as received (the decrypted envelope): its hash is
    ///     the id of the `/attestation/<id>` lookup, the bytes a JS sender hashed.
    ///   - metadata: The peer's metadata (its `url` is the expected origin).
    func verifyContext(
        attestation: String?, encryptedMessage: String, decryptedMessage: String, metadata: Metadata
    ) async -> VerifyContext
}

extension SignEngine {
    /// The verify context of an inbound request: through the resolver when one is set, else `UNKNOWN`.
    ///
    /// The plaintext handed to the resolver is the envelope's, byte for byte: a JS sender hashes the JSON text it
    /// encrypts (`JSON.stringify` of the payload), and a tree decoded and serialised again here would come out in
    /// another key order (``JSONValue`` objects keep none), so its hash would never match. Only when the envelope
    /// cannot be opened again is the request re-serialised.
    func resolveVerifyContext(
        for request: JSONRPCRequest, message: RelayMessage, metadata: Metadata
    ) async -> VerifyContext {
        // A message from a link is verified by the link rule (sign.md §3.14), not by attestation.
        if linkMode.dispatching[message.message, default: 0] > 0 {
            return LinkModePolicy.verifyContext(for: metadata)
        }
        guard let verifier else { return Self.defaultVerifyContext(for: metadata) }
        var decrypted = await receivedPlaintext(of: message)
        if decrypted == nil { decrypted = try? WireJSON.string(request) }
        guard let decrypted else { return Self.defaultVerifyContext(for: metadata) }
        return await verifier.verifyContext(
            attestation: message.attestation, encryptedMessage: message.message, decryptedMessage: decrypted,
            metadata: metadata)
    }

    /// The plaintext of a type-0 envelope as received (decrypted once more with its topic's key), or `nil`.
    func receivedPlaintext(of message: RelayMessage) async -> String? {
        guard (try? Crypto.envelopeType(of: message.message)) == .type0 else { return nil }
        return try? await crypto.decode(topic: message.topic, encoded: message.message)
    }
}
