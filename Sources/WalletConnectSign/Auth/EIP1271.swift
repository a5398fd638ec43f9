import Foundation

/// Performs a read-only `eth_call` (block `"latest"`) for EIP-1271 checks.
///
/// Inject an implementation backed by your RPC provider (the JS SDK uses
/// `https://rpc.walletconnect.org/v1/?chainId=<caip2>&projectId=<id>`); tests use a fake.
public protocol EthereumRPCCaller: Sendable {
    /// Calls contract `to` with `data` (`0x`-hex) on CAIP-2 chain `chainID`; returns the `0x`-hex result.
    /// - Throws: any transport or RPC error.
    func call(chainID: String, to: String, data: String) async throws -> String
}

/// EIP-1271 smart-contract signature checks (`isValidSignature(bytes32,bytes)`).
package enum EIP1271 {
    /// The 4-byte selector of `isValidSignature(bytes32,bytes)`, also the "valid" magic value.
    package static let magicValue = "0x1626ba7e"

    /// The digest checked for a CACAO `message`: the message itself when it is `0x` + 32 bytes of
    /// hex (a pre-hashed payload, e.g. a Safe transaction), otherwise its EIP-191 hash.
    package static func digest(message: String) -> Data {
        if message.hasPrefix("0x"), let raw = AuthHex.decode(message), raw.count == 32 {
            return raw
        }
        return EIP191.hash(message: message)
    }

    /// ABI call data: selector ‖ hash (32) ‖ offset 0x40 (32) ‖ signature length (32) ‖ signature
    /// bytes, **not** right-padded (as the JS SDK sends it).
    package static func callData(hash: Data, signature: Data) -> String {
        var data = Data([0x16, 0x26, 0xBA, 0x7E])
        data.append(hash)
        data.append(word(UInt64(0x40)))
        data.append(word(UInt64(signature.count)))
        data.append(signature)
        return AuthHex.encodePrefixed(data)
    }

    /// Call data for `message` (see ``digest(message:)``) and a `0x`-hex signature.
    /// - Throws: ``AuthError`` `.invalidSignatureEncoding` if the signature is not hex.
    package static func callData(message: String, signature: String) throws -> String {
        guard let bytes = AuthHex.decode(signature) else {
            throw AuthError(.invalidSignatureEncoding, "signature is not hex")
        }
        return callData(hash: digest(message: message), signature: bytes)
    }

    /// Asks the account contract whether `signature` is valid for `message`.
    ///
    /// Valid iff the call result starts with ``magicValue``.
    /// - Throws: ``AuthError`` `.invalidChainID` (chain id not CAIP-2, JS text),
    ///   `.invalidSignatureEncoding`, `.eip1271CallFailed` (the call failed; treat as not verified),
    ///   or `CancellationError`.
    package static func isValidSignature(
        message: String, signature: String, address: String, chainID: String,
        caller: any EthereumRPCCaller
    ) async throws -> Bool {
        let parts = chainID.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw AuthError(
                .invalidChainID,
                "isValidEip1271Signature failed: chainId must be in CAIP-2 format, received: \(chainID)")
        }
        let data = try callData(message: message, signature: signature)
        let result: String
        do {
            result = try await caller.call(chainID: chainID, to: address, data: data)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw AuthError(.eip1271CallFailed, "isValidSignature eth_call failed")
        }
        return result.lowercased().hasPrefix(magicValue)
    }

    private static func word(_ value: UInt64) -> Data {
        var bytes = [UInt8](repeating: 0, count: 32)
        for index in 0..<8 {
            bytes[31 - index] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(index)))
        }
        return Data(bytes)
    }
}
