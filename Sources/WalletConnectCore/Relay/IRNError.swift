import Foundation

extension IRN {
    /// Relay error categories and their JSON-RPC codes (core.md §3.6).
    package enum ErrorCategory: Int, Sendable, Hashable, CaseIterable {
        /// 3000: authorization failures.
        case auth = 3000
        /// 3001: rate limiting.
        case tooManyRequests = 3001
        /// −32600: the request payload is invalid.
        case payload = -32600
        /// −32000: a method handler failed.
        case handler = -32000
        /// −32603: internal relay error.
        case `internal` = -32603

        /// The JSON-RPC error code.
        package var code: Int { rawValue }

        /// The prefix of `error.message` (`"<Category>: <text>"`).
        package var messagePrefix: String {
            switch self {
            case .auth: "Authorization error"
            case .tooManyRequests: "Too many requests"
            case .payload: "Invalid payload"
            case .handler: "Handler error"
            case .internal: "Internal error"
            }
        }
    }

    /// Relay error tags, sent as `error.data` (core.md §3.6).
    package enum ErrorTag: String, Sendable, Hashable, CaseIterable {
        // Auth (3000)
        /// Unknown project.
        case projectNotFound = "ProjectNotFound"
        /// No project id given.
        case projectIDNotSpecified = "ProjectIdNotSpecified"
        /// Project inactive.
        case projectInactive = "ProjectInactive"
        /// Origin not on the allow list.
        case originNotAllowed = "OriginNotAllowed"
        /// The JWT failed verification.
        case invalidJwt = "InvalidJwt"
        /// No JWT given.
        case missingJwt = "MissingJwt"
        /// Blocked country.
        case countryBlocked = "CountryBlocked"
        // Too many requests (3001)
        /// Rate limited.
        case tooManyRequests = "TooManyRequests"
        // Payload (-32600)
        /// Unknown method.
        case invalidMethod = "InvalidMethod"
        /// Params do not match the method.
        case invalidParams = "InvalidParams"
        /// Frame too large.
        case payloadSizeExceeded = "PayloadSizeExceeded"
        /// Topic is not 64 hex characters.
        case invalidTopic = "InvalidTopic"
        /// Bad subscription id.
        case invalidSubscriptionID = "InvalidSubscriptionId"
        /// Request id below 10⁹.
        case invalidRequestID = "InvalidRequestId"
        /// `jsonrpc` is not `"2.0"`.
        case invalidJsonRpcVersion = "InvalidJsonRpcVersion"
        /// More than 500 batch items.
        case batchLimitExceeded = "BatchLimitExceeded"
        /// An empty batch.
        case batchEmpty = "BatchEmpty"
        /// The frame is not valid JSON-RPC.
        case serialization = "Serialization"
        // Handler (-32000)
        /// Too many subscribers on a topic.
        case subscriberLimitExceeded = "SubscriberLimitExceeded"
        /// Publish ttl below the minimum.
        case ttlTooShort = "TtlTooShort"
        /// Publish ttl above the maximum.
        case ttlTooLong = "TtlTooLong"
        /// Mailbox full.
        case mailboxLimitExceeded = "MailboxLimitExceeded"
        /// Composite call could not create the topic.
        case createTopicFailed = "CreateTopicFailed"
        /// Composite call could not subscribe.
        case subscribeFailed = "SubscribeFailed"
        /// Composite call could not publish.
        case publishFailed = "PublishFailed"
        // Internal (-32603)
        /// Storage failure.
        case storageError = "StorageError"
        /// Unknown failure.
        case unknown = "Unknown"

        /// The category (and so the code) of this tag. `Serialization` is reported as a payload error.
        package var category: ErrorCategory {
            switch self {
            case .projectNotFound, .projectIDNotSpecified, .projectInactive, .originNotAllowed, .invalidJwt,
                .missingJwt, .countryBlocked:
                .auth
            case .tooManyRequests: .tooManyRequests
            case .invalidMethod, .invalidParams, .payloadSizeExceeded, .invalidTopic, .invalidSubscriptionID,
                .invalidRequestID, .invalidJsonRpcVersion, .batchLimitExceeded, .batchEmpty, .serialization:
                .payload
            case .subscriberLimitExceeded, .ttlTooShort, .ttlTooLong, .mailboxLimitExceeded, .createTopicFailed,
                .subscribeFailed, .publishFailed:
                .handler
            case .storageError, .unknown: .internal
            }
        }

        /// The human-readable text after the category prefix.
        package var text: String {
            switch self {
            case .projectNotFound: "Project not found"
            case .projectIDNotSpecified: "Project ID is missing"
            case .projectInactive: "Project is inactive"
            case .originNotAllowed: "Origin not allowed"
            case .invalidJwt: "Invalid JWT"
            case .missingJwt: "Missing JWT"
            case .countryBlocked: "Country blocked"
            case .tooManyRequests: "Too many requests"
            case .invalidMethod: "Unknown method"
            case .invalidParams: "Invalid params"
            case .payloadSizeExceeded: "The payload is too large"
            case .invalidTopic: "Invalid topic"
            case .invalidSubscriptionID: "Invalid subscription id"
            case .invalidRequestID: "Invalid request id"
            case .invalidJsonRpcVersion: "Invalid JSON-RPC version"
            case .batchLimitExceeded: "The batch contains too many items"
            case .batchEmpty: "The batch contains no items"
            case .serialization: "Failed to deserialize the request"
            case .subscriberLimitExceeded: "Subscriber limit exceeded"
            case .ttlTooShort: "TTL too short"
            case .ttlTooLong: "TTL too long"
            case .mailboxLimitExceeded: "Mailbox limit exceeded"
            case .createTopicFailed: "Failed to create the topic"
            case .subscribeFailed: "Failed to subscribe"
            case .publishFailed: "Failed to publish"
            case .storageError: "Storage error"
            case .unknown: "Unknown error"
            }
        }
    }

    /// The JSON-RPC error object for a relay error tag: code of its category, `"<Category>: <text>"`, data = tag.
    package static func error(_ tag: ErrorTag) -> JSONRPCError {
        JSONRPCError(
            code: tag.category.code, message: "\(tag.category.messagePrefix): \(tag.text)", data: .string(tag.rawValue))
    }

    /// The relay error tag carried in `error.data`, if it is a known one.
    package static func errorTag(of error: JSONRPCError) -> ErrorTag? {
        error.data?.stringValue.flatMap(ErrorTag.init(rawValue:))
    }
}
