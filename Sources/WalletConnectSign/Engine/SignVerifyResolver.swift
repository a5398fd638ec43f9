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
    ///   - decryptedMessage: The JSON-RPC request re-serialized as `{"id","jsonrpc","method","params"}`.
    ///   - metadata: The peer's metadata (its `url` is the expected origin).
    func verifyContext(
        attestation: String?, encryptedMessage: String, decryptedMessage: String, metadata: Metadata
    ) async -> VerifyContext
}

extension SignEngine {
    /// The verify context of an inbound request: through the resolver when one is set, else `UNKNOWN`.
    func resolveVerifyContext(
        for request: JSONRPCRequest, message: RelayMessage, metadata: Metadata
    ) async -> VerifyContext {
        // A message from a link is verified by the link rule (sign.md §3.14), not by attestation.
        if linkMode.dispatching[message.message, default: 0] > 0 {
            return LinkModePolicy.verifyContext(for: metadata)
        }
        guard let verifier, let decrypted = try? WireJSON.string(request) else {
            return Self.defaultVerifyContext(for: metadata)
        }
        return await verifier.verifyContext(
            attestation: message.attestation, encryptedMessage: message.message, decryptedMessage: decrypted,
            metadata: metadata)
    }
}
