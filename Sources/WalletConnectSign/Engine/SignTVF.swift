import WalletConnectCore

/// Transaction-verification fields Sign adds to `irn_publish` of session requests and their results (§2.3), as
/// JS 2.23.10 computes them (`getTVFParams`): `contractAddresses` from the request's params on both the request and
/// the result, `txHashes` from the result.
///
/// The method-specific hash derivations of JS (sui, near, algo, cosmos, xrpl…) are left out: for those `txHashes`
/// holds what the simple rules find (the relay treats every field as optional analytics).
enum SignTVF {
    /// Result key holding the transaction hash(es) per method, for object results.
    static let txHashResultKeys: [String: String] = [
        "solana_signTransaction": "signature", "solana_signAllTransactions": "transactions",
        "solana_signAndSendTransaction": "signature", "hedera_signAndExecuteTransaction": "transactionId",
        "hedera_executeTransaction": "transactionId", "tron_signTransaction": "txID", "sendTransfer": "txid",
        "stacks_stxTransfer": "txId",
    ]

    /// Fields of a `wc_sessionRequest` request: `rpcMethods`, `chainId`, `contractAddresses`, `txHashes` (empty).
    static func requestFields(method: String, chainID: String, params: JSONValue) -> [String: JSONValue] {
        [
            "rpcMethods": [.string(method)], "chainId": .string(chainID),
            "contractAddresses": .array(contractAddresses(params).map(JSONValue.string)), "txHashes": [],
        ]
    }

    /// Fields of a `wc_sessionRequest` success result: `rpcMethods`, `chainId`, `txHashes` (from `result`),
    /// `contractAddresses` (from the request's `params`, as on the request).
    static func responseFields(method: String, chainID: String, params: JSONValue, result: JSONValue) -> [String: JSONValue] {
        [
            "rpcMethods": [.string(method)], "chainId": .string(chainID),
            "txHashes": .array(txHashes(method: method, result: result).map(JSONValue.string)),
            "contractAddresses": .array(contractAddresses(params).map(JSONValue.string)),
        ]
    }

    /// `[params[0].to]` when `params[0].data` is `0x` followed by an even number of hex digits (none included, as
    /// JS's `/^[0-9a-fA-F]*$/` and even-length test accept `"0x"`).
    static func contractAddresses(_ params: JSONValue) -> [String] {
        guard let first = params.arrayValue?.first, let to = first["to"]?.stringValue,
            let data = first["data"]?.stringValue, data.hasPrefix("0x")
        else { return [] }
        let digits = data.dropFirst(2)
        guard digits.count % 2 == 0, digits.allSatisfy(\.isHexDigit) else { return [] }
        return [to]
    }

    /// Transaction hashes found in `result` for `method`: a string result itself (any method, as JS), else the
    /// string or strings under the method's key of ``txHashResultKeys``.
    static func txHashes(method: String, result: JSONValue) -> [String] {
        if let text = result.stringValue { return [text] }
        guard let key = txHashResultKeys[method], let value = result[key] else { return [] }
        if let text = value.stringValue { return [text] }
        return value.arrayValue?.compactMap(\.stringValue) ?? []
    }
}
