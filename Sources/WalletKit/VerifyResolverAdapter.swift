import WalletConnectCore
import WalletConnectSign

/// Plugs a ``VerifyClient`` into the Sign engine as its ``SignVerifyResolver``: every inbound proposal, session
/// request and auth request gets its Verify context from the client (bounded by its timeout, `UNKNOWN` on failure).
struct VerifyResolverAdapter: SignVerifyResolver {
    let client: VerifyClient

    func verifyContext(
        attestation: String?, encryptedMessage: String, decryptedMessage: String, metadata: Metadata
    ) async -> VerifyContext {
        await client.resolve(
            attestation: attestation, encryptedMessage: encryptedMessage, decryptedMessage: decryptedMessage,
            metadata: metadata)
    }
}
