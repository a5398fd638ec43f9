/// Checks signed CACAOs (sign.md §9.6) and that they answer a given request.
package enum CacaoVerifier {
    /// Accepts `cacao` only if it answers `request` and its signature verifies.
    ///
    /// Binding: same `domain`, same `nonce`, `aud` equal to the request's `aud` (or `uri`), and the
    /// issuer's chain among `request.chains`. Signature: the message is rebuilt from the CACAO
    /// payload (``SIWEMessage/format(request:iss:)``) and checked as ``verifySignature(cacao:rpcCaller:)``.
    /// - Throws: ``AuthError``: `.malformedCacao`, `.domainMismatch`, `.nonceMismatch`,
    ///   `.audienceMismatch`, `.chainNotRequested`, `.signatureMismatch`, `.unknownSignatureType`,
    ///   `.eip1271CallFailed`; or `CancellationError`.
    package static func verify(cacao: Cacao, request: AuthPayload, rpcCaller: (any EthereumRPCCaller)?) async throws {
        let issuer = try issuer(of: cacao)
        let payload = cacao.payload
        guard payload.domain == request.domain else {
            throw AuthError(.domainMismatch, "CACAO domain \(payload.domain) does not match the request")
        }
        guard payload.nonce == request.nonce else {
            throw AuthError(.nonceMismatch, "CACAO nonce does not match the request")
        }
        guard payload.aud == request.audience else {
            throw AuthError(.audienceMismatch, "CACAO aud \(payload.aud) does not match the request")
        }
        guard request.chains.contains(issuer.chainID) else {
            throw AuthError(.chainNotRequested, "CACAO chain \(issuer.chainID) was not requested")
        }
        try await verifySignature(cacao: cacao, rpcCaller: rpcCaller)
    }

    /// JS `validateSignedCacao` / `verifySignature` (with 2.23.10's line-break rule): the signature
    /// verifies for the issuer's address over the message rebuilt from the CACAO payload.
    ///
    /// `eip191`: EIP-191 recovery (UTF-8 length) must give the issuer address (case-insensitive).
    /// `eip1271`: `isValidSignature` through `rpcCaller` on the issuer's chain.
    /// - Throws: ``AuthError``: `.malformedCacao` (bad issuer, message cannot be built, malformed
    ///   signature, no caller for eip1271), `.signatureMismatch`, `.unknownSignatureType` (JS text),
    ///   `.eip1271CallFailed`; or `CancellationError`.
    package static func verifySignature(cacao: Cacao, rpcCaller: (any EthereumRPCCaller)?) async throws {
        let issuer = try issuer(of: cacao)
        let message: String
        do {
            message = try SIWEMessage.format(request: cacao.payload.authPayload, iss: cacao.payload.iss)
        } catch let error as AuthError {
            throw AuthError(.malformedCacao, "cannot rebuild the signed message: \(error.message)")
        }
        let signature = cacao.signature.signature
        switch cacao.signature.type {
        case CacaoSignatureType.eip191:
            let recovered: EthereumAddress
            let expected: EthereumAddress
            do {
                expected = try EthereumAddress(hex: issuer.address)
            } catch {
                throw AuthError(.malformedCacao, "issuer address is not an Ethereum address")
            }
            do {
                recovered = try EIP191.recoverAddress(message: message, signature: signature)
            } catch let error as AuthError where error.kind == .invalidSignatureEncoding {
                throw AuthError(.malformedCacao, "malformed signature: \(error.message)")
            } catch {
                throw AuthError(.signatureMismatch, "signature does not recover to the issuer")
            }
            guard recovered == expected else {
                throw AuthError(.signatureMismatch, "signature does not recover to the issuer")
            }
        case CacaoSignatureType.eip1271:
            guard let rpcCaller else {
                throw AuthError(.malformedCacao, "an eip1271 signature needs an RPC caller to verify")
            }
            let valid: Bool
            do {
                valid = try await EIP1271.isValidSignature(
                    message: message, signature: signature, address: issuer.address, chainID: issuer.chainID,
                    caller: rpcCaller)
            } catch let error as AuthError where error.kind == .invalidSignatureEncoding {
                throw AuthError(.malformedCacao, "malformed signature: \(error.message)")
            }
            guard valid else {
                throw AuthError(.signatureMismatch, "the account contract rejected the signature")
            }
        default:
            throw AuthError(
                .unknownSignatureType,
                "verifySignature failed: Attempted to verify CacaoSignature with unknown type: \(cacao.signature.type)")
        }
    }

    private static func issuer(of cacao: Cacao) throws -> DIDPKH {
        guard cacao.payload.iss.hasPrefix(DIDPKH.prefix) else {
            throw AuthError(.malformedCacao, "CACAO issuer is not did:pkh")
        }
        do {
            return try DIDPKH(cacao.payload.iss)
        } catch {
            throw AuthError(.malformedCacao, "CACAO issuer is not did:pkh")
        }
    }
}
