import WalletConnectCore

/// An error code of the Sign protocol: open, so codes sent by newer peers round-trip unchanged.
///
/// Statics mirror the SDK error table (§8.1), the internal error table (§8.2), the codes of the
/// written spec and the JSON-RPC reserved codes (§8.3). Match with `catch SDKErrorCode.userRejected`.
public struct SDKErrorCode: RawRepresentable, Codable, Hashable, Sendable, CustomStringConvertible {
    /// The numeric code.
    public var rawValue: Int

    /// Creates a code from its numeric value.
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// Creates a code from its numeric value.
    public init(_ rawValue: Int) { self.rawValue = rawValue }

    /// Decodes a bare JSON number.
    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(Int.self)
    }

    /// Encodes a bare JSON number.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    /// The numeric code as text.
    public var description: String { String(rawValue) }

    /// The JS base message (`getSdkError` / `getInternalError`) of a known code; `nil` otherwise.
    public var baseMessage: String? { Self.baseMessages[rawValue] }

    /// The JS key (`USER_REJECTED`, `NO_MATCHING_KEY`, …) of a known code; `nil` otherwise.
    public var key: String? { Self.keys[rawValue] }

    /// Looks up a code by its JS key (`USER_REJECTED`, `NO_MATCHING_KEY`, …).
    public init?(key: String) {
        guard let code = Self.keys.first(where: { $0.value == key })?.key else { return nil }
        self.rawValue = code
    }

    /// Whether the code is one of the internal (`getInternalError`) codes 1–9.
    public var isInternal: Bool { (1...9).contains(rawValue) }

    /// Matches an error carrying this code: ``SDKError`` or `JSONRPCError`.
    public static func ~= (pattern: SDKErrorCode, error: any Error) -> Bool {
        switch error {
        case let error as SDKError: error.code == pattern
        case let error as JSONRPCError: error.code == pattern.rawValue
        default: false
        }
    }
}

// MARK: - SDK errors (§8.1, getSdkError)
extension SDKErrorCode {
    /// 1001 Invalid method.
    public static let invalidMethod = SDKErrorCode(1001)
    /// 1002 Invalid event.
    public static let invalidEvent = SDKErrorCode(1002)
    /// 1003 Invalid update request.
    public static let invalidUpdateRequest = SDKErrorCode(1003)
    /// 1004 Invalid extend request.
    public static let invalidExtendRequest = SDKErrorCode(1004)
    /// 1005 Invalid session settle request.
    public static let invalidSessionSettleRequest = SDKErrorCode(1005)
    /// 3001 Unauthorized method.
    public static let unauthorizedMethod = SDKErrorCode(3001)
    /// 3002 Unauthorized event.
    public static let unauthorizedEvent = SDKErrorCode(3002)
    /// 3003 Unauthorized update request.
    public static let unauthorizedUpdateRequest = SDKErrorCode(3003)
    /// 3004 Unauthorized extend request.
    public static let unauthorizedExtendRequest = SDKErrorCode(3004)
    /// 5000 User rejected.
    public static let userRejected = SDKErrorCode(5000)
    /// 5001 User rejected chains.
    public static let userRejectedChains = SDKErrorCode(5001)
    /// 5002 User rejected methods.
    public static let userRejectedMethods = SDKErrorCode(5002)
    /// 5003 User rejected events.
    public static let userRejectedEvents = SDKErrorCode(5003)
    /// 5100 Unsupported chains.
    public static let unsupportedChains = SDKErrorCode(5100)
    /// 5101 Unsupported methods.
    public static let unsupportedMethods = SDKErrorCode(5101)
    /// 5102 Unsupported events.
    public static let unsupportedEvents = SDKErrorCode(5102)
    /// 5103 Unsupported accounts.
    public static let unsupportedAccounts = SDKErrorCode(5103)
    /// 5104 Unsupported namespace key.
    public static let unsupportedNamespaceKey = SDKErrorCode(5104)
    /// 6000 User disconnected.
    public static let userDisconnected = SDKErrorCode(6000)
    /// 7000 Session settlement failed.
    public static let sessionSettlementFailed = SDKErrorCode(7000)
    /// 10001 Unsupported wc_ method.
    public static let wcMethodUnsupported = SDKErrorCode(10001)
}

// MARK: - Written-spec / reown-swift codes (§8.3)
extension SDKErrorCode {
    /// 3005 Unauthorized target chain (spec / reown-swift).
    public static let unauthorizedChain = SDKErrorCode(3005)
    /// 4001 User rejected request (EIP-1193).
    public static let userRejectedRequest = SDKErrorCode(4001)
    /// 7001 No session for topic (spec / reown-swift).
    public static let noSessionForTopic = SDKErrorCode(7001)
    /// 8000 Session request expired (spec / reown-swift).
    public static let sessionRequestExpired = SDKErrorCode(8000)
    /// 11001 Malformed auth response params.
    public static let malformedResponseParams = SDKErrorCode(11001)
    /// 11002 Malformed auth request params.
    public static let malformedRequestParams = SDKErrorCode(11002)
    /// 11003 Auth message compromised.
    public static let messageCompromised = SDKErrorCode(11003)
    /// 11004 Auth signature verification failed.
    public static let signatureVerificationFailed = SDKErrorCode(11004)
    /// 11005 Auth request expired.
    public static let requestExpired = SDKErrorCode(11005)
    /// 11006 Auth issuer missing.
    public static let missingIssuer = SDKErrorCode(11006)
    /// 12001 Auth: user rejected request.
    public static let authUserRejectedRequest = SDKErrorCode(12001)
    /// 12002 Auth: user disconnected.
    public static let authUserDisconnected = SDKErrorCode(12002)
    /// 14001 Auth request rejected by the user (reown-swift).
    public static let authRequestRejected = SDKErrorCode(14001)
}

// MARK: - Internal errors (§8.2, getInternalError)
extension SDKErrorCode {
    /// 1 Not initialized.
    public static let notInitialized = SDKErrorCode(1)
    /// 2 No matching key.
    public static let noMatchingKey = SDKErrorCode(2)
    /// 3 Restore will override.
    public static let restoreWillOverride = SDKErrorCode(3)
    /// 4 Resubscribed.
    public static let resubscribed = SDKErrorCode(4)
    /// 5 Missing or invalid.
    public static let missingOrInvalid = SDKErrorCode(5)
    /// 6 Expired.
    public static let expired = SDKErrorCode(6)
    /// 7 Unknown type.
    public static let unknownType = SDKErrorCode(7)
    /// 8 Mismatched topic.
    public static let mismatchedTopic = SDKErrorCode(8)
    /// 9 Non conforming namespaces.
    public static let nonConformingNamespaces = SDKErrorCode(9)
}

// MARK: - JSON-RPC reserved codes
extension SDKErrorCode {
    /// -32700 Parse error.
    public static let parseError = SDKErrorCode(-32700)
    /// -32600 Invalid Request.
    public static let invalidRequest = SDKErrorCode(-32600)
    /// -32601 Method not found.
    public static let methodNotFound = SDKErrorCode(-32601)
    /// -32602 Invalid params.
    public static let invalidParams = SDKErrorCode(-32602)
    /// -32603 Internal error.
    public static let internalError = SDKErrorCode(-32603)

    /// Whether this is a JSON-RPC reserved code (its message is replaced by the standard text).
    public var isJSONRPCReserved: Bool { (-32700 ... -32600).contains(rawValue) && Self.baseMessages[rawValue] != nil }
}

extension SDKErrorCode {
    static let keys: [Int: String] = [
        1001: "INVALID_METHOD", 1002: "INVALID_EVENT", 1003: "INVALID_UPDATE_REQUEST",
        1004: "INVALID_EXTEND_REQUEST", 1005: "INVALID_SESSION_SETTLE_REQUEST",
        3001: "UNAUTHORIZED_METHOD", 3002: "UNAUTHORIZED_EVENT", 3003: "UNAUTHORIZED_UPDATE_REQUEST",
        3004: "UNAUTHORIZED_EXTEND_REQUEST", 5000: "USER_REJECTED", 5001: "USER_REJECTED_CHAINS",
        5002: "USER_REJECTED_METHODS", 5003: "USER_REJECTED_EVENTS", 5100: "UNSUPPORTED_CHAINS",
        5101: "UNSUPPORTED_METHODS", 5102: "UNSUPPORTED_EVENTS", 5103: "UNSUPPORTED_ACCOUNTS",
        5104: "UNSUPPORTED_NAMESPACE_KEY", 6000: "USER_DISCONNECTED", 7000: "SESSION_SETTLEMENT_FAILED",
        10001: "WC_METHOD_UNSUPPORTED",
        1: "NOT_INITIALIZED", 2: "NO_MATCHING_KEY", 3: "RESTORE_WILL_OVERRIDE", 4: "RESUBSCRIBED",
        5: "MISSING_OR_INVALID", 6: "EXPIRED", 7: "UNKNOWN_TYPE", 8: "MISMATCHED_TOPIC",
        9: "NON_CONFORMING_NAMESPACES",
    ]

    static let baseMessages: [Int: String] = [
        1001: "Invalid method.", 1002: "Invalid event.", 1003: "Invalid update request.",
        1004: "Invalid extend request.", 1005: "Invalid session settle request.",
        3001: "Unauthorized method.", 3002: "Unauthorized event.", 3003: "Unauthorized update request.",
        3004: "Unauthorized extend request.", 5000: "User rejected.", 5001: "User rejected chains.",
        5002: "User rejected methods.", 5003: "User rejected events.", 5100: "Unsupported chains.",
        5101: "Unsupported methods.", 5102: "Unsupported events.", 5103: "Unsupported accounts.",
        5104: "Unsupported namespace key.", 6000: "User disconnected.", 7000: "Session settlement failed.",
        10001: "Unsupported wc_ method.",
        1: "Not initialized.", 2: "No matching key.", 3: "Restore will override.", 4: "Resubscribed.",
        5: "Missing or invalid.", 6: "Expired.", 7: "Unknown type.", 8: "Mismatched topic.",
        9: "Non conforming namespaces.",
        -32700: "Parse error", -32600: "Invalid Request", -32601: "Method not found",
        -32602: "Invalid params", -32603: "Internal error",
        // Spec-only codes (JS has no text for these; use the written spec's meaning).
        3005: "Unauthorized chain.", 4001: "User rejected request.", 7001: "No session for topic.",
        8000: "Session request expired.",
    ]
}
