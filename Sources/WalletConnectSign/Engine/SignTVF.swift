import WalletConnectCore

/// Transaction-verification fields Sign adds to `irn_publish` of session requests and their results (§2.3).
///
/// Only the simple extraction rules are implemented (`txHashes` from a string result or a named result field);
/// the method-specific hash derivations of JS (sui, near, xrpl, …) are left out, which the relay accepts.
enum SignTVF {
    /// Result key holding the transaction hash(es) per method; `""` means the result itself.
    static let txHashResultKeys: [String: String] = [
        "eth_sendTransaction": "", "eth_sendRawTransaction": "", "solana_signTransaction": "signature",
        "solana_signAllTransactions": "transactions", "solana_signAndSendTransaction": "signature",
        "hedera_signAndExecuteTransaction": "transactionId", "hedera_executeTransaction": "transactionId",
        "tron_signTransaction": "txID", "sendTransfer": "txid", "stacks_stxTransfer": "txId",
    ]

    /// Fields of a `wc_sessionRequest` request: `rpcMethods`, `chainId`, `contractAddresses`, `txHashes` (empty).
    static func requestFields(method: String, chainId: String, params: JSONValue) -> [String: JSONValue] {
        [
            "rpcMethods": [.string(method)], "chainId": .string(chainId),
            "contractAddresses": .array(contractAddresses(params).map(JSONValue.string)), "txHashes": [],
        ]
    }

    /// Fields of a `wc_sessionRequest` success result: `rpcMethods`, `chainId`, `txHashes`, `contractAddresses` (empty).
    static func responseFields(method: String, chainId: String, result: JSONValue) -> [String: JSONValue] {
        [
            "rpcMethods": [.string(method)], "chainId": .string(chainId),
            "txHashes": .array(txHashes(method: method, result: result).map(JSONValue.string)), "contractAddresses": [],
        ]
    }

    /// `[params[0].to]` when `params[0].data` is `0x` followed by an even number of hex digits.
    static func contractAddresses(_ params: JSONValue) -> [String] {
        guard let first = params.arrayValue?.first, let to = first["to"]?.stringValue,
            let data = first["data"]?.stringValue, data.hasPrefix("0x")
        else { return [] }
        let digits = data.dropFirst(2)
        guard !digits.isEmpty, digits.count % 2 == 0, digits.allSatisfy(\.isHexDigit) else { return [] }
        return [to]
    }

    /// Transaction hashes found in `result` for `method`.
    static func txHashes(method: String, result: JSONValue) -> [String] {
        guard let key = txHashResultKeys[method] else { return [] }
        let value = key.isEmpty ? result : result[key]
        if let text = value?.stringValue { return [text] }
        return value?.arrayValue?.compactMap(\.stringValue) ?? []
    }
}
