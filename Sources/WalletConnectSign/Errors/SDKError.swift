import WalletConnectCore

/// A Sign error `{code, message}`: thrown locally and sent to peers as a JSON-RPC error.
///
/// Build with ``sdk(_:context:)`` / ``internal(_:context:)``, which produce exactly the JS
/// `getSdkError(key, context)` / `getInternalError(key, context)` messages: the base message, plus
/// `" " + context` when a non-empty context is given. Decoding is tolerant (`"error": {}` gives code 0).
public struct SDKError: Error, Codable, Hashable, Sendable, CustomStringConvertible {
    /// The code.
    public var code: SDKErrorCode
    /// The message.
    public var message: String

    /// Creates an error from its parts.
    public init(code: SDKErrorCode, message: String) {
        self.code = code
        self.message = message
    }

    /// The SDK error for `code` (§8.1) with an optional context appended after a space.
    public static func sdk(_ code: SDKErrorCode, context: String? = nil) -> SDKError {
        make(code, context: context)
    }

    /// The internal error for `code` (§8.2), e.g. `.internal(.noMatchingKey, context: "session topic doesn't exist: t")`.
    public static func `internal`(_ code: SDKErrorCode, context: String? = nil) -> SDKError {
        make(code, context: context)
    }

    private static func make(_ code: SDKErrorCode, context: String?) -> SDKError {
        let base = code.baseMessage ?? ""
        guard let context, !context.isEmpty else { return SDKError(code: code, message: base) }
        return SDKError(code: code, message: base.isEmpty ? context : base + " " + context)
    }

    /// The message (never contains key material).
    public var description: String { message }

    enum CodingKeys: String, CodingKey { case code, message }

    /// Decodes tolerantly: missing code → 0, missing message → `""`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        code = (try? container.decodeIfPresent(SDKErrorCode.self, forKey: .code)) ?? SDKErrorCode(0)
        message = (try? container.decodeIfPresent(String.self, forKey: .message)) ?? ""
    }
}

extension SDKError {
    /// Wraps a JSON-RPC error received from a peer. JSON-RPC reserved codes get their standard text.
    public init(_ error: JSONRPCError) {
        let code = SDKErrorCode(error.code)
        if code.isJSONRPCReserved, let standard = code.baseMessage {
            self.init(code: code, message: standard)
        } else {
            self.init(code: code, message: error.message)
        }
    }

    /// The JSON-RPC error object to send.
    public var jsonRPCError: JSONRPCError {
        JSONRPCError(code: code.rawValue, message: message)
    }
}
