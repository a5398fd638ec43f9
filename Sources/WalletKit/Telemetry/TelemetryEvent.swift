/// One telemetry event of the EventClient (sign.md §13).
///
/// Wire shape: `{eventId, timestamp, bundleId?, domain?, props: {event, type, properties: {…}}}`.
public struct TelemetryEvent: Codable, Sendable, Hashable, Identifiable {
    /// The `props` object.
    public struct Props: Codable, Sendable, Hashable {
        /// `INIT` or `ERROR`.
        public var event: String
        /// The error name, or `""` (only events with a non-empty type are uploaded).
        public var type: String
        /// Event details.
        public var properties: Properties

        /// Creates props.
        public init(event: String, type: String, properties: Properties) {
            self.event = event
            self.type = type
            self.properties = properties
        }
    }

    /// The `props.properties` object: `{topic, trace}` for trace events, `{client_id, user_agent}` for INIT.
    public struct Properties: Codable, Sendable, Hashable {
        /// The topic the traced flow is about.
        public var topic: String?
        /// The step names reached, in order.
        public var trace: [String]?
        /// The client id (INIT).
        public var clientID: String?
        /// The user agent (INIT).
        public var userAgent: String?

        /// Creates properties.
        public init(topic: String? = nil, trace: [String]? = nil, clientID: String? = nil, userAgent: String? = nil) {
            self.topic = topic
            self.trace = trace
            self.clientID = clientID
            self.userAgent = userAgent
        }

        enum CodingKeys: String, CodingKey {
            case topic, trace
            case clientID = "client_id"
            case userAgent = "user_agent"
        }
    }

    /// A v4 UUID, lowercase.
    public var eventID: String
    /// Creation time, Unix milliseconds.
    public var timestamp: Int64
    /// The project id (trace/error events).
    public var bundleID: String?
    /// The app URL.
    public var domain: String?
    /// The event body.
    public var props: Props

    /// The event id.
    public var id: String { eventID }

    /// Creates an event.
    public init(eventID: String, timestamp: Int64, bundleID: String?, domain: String?, props: Props) {
        self.eventID = eventID
        self.timestamp = timestamp
        self.bundleID = bundleID
        self.domain = domain
        self.props = props
    }

    enum CodingKeys: String, CodingKey {
        case eventID = "eventId"
        case timestamp
        case bundleID = "bundleId"
        case domain, props
    }
}

/// Trace and error names of the reference EventClient (`sign-rpc-options.json` → `telemetry`).
public enum TelemetryNames {
    /// Trace steps of `pair()`.
    public static let pairingTraces = [
        "pairing_started", "pairing_uri_validation_success", "pairing_uri_not_expired", "store_new_pairing",
        "subscribing_pairing_topic", "subscribe_pairing_topic_success", "existing_pairing", "pairing_not_expired",
        "emit_inactive_pairing", "emit_session_proposal", "subscribing_to_pairing_topic",
    ]
    /// Error names of `pair()`.
    public static let pairingErrors = [
        "no_wss_connection", "no_internet_connection", "malformed_pairing_uri", "active_pairing_already_exists",
        "subscribe_pairing_topic_failure", "pairing_expired", "proposal_expired", "proposal_listener_not_found",
    ]
    /// Error names of the session flows (approve, respond).
    public static let sessionErrors = [
        "no_internet_connection", "no_wss_connection", "proposal_expired", "subscribe_session_topic_failure",
        "session_approve_publish_failure", "session_settle_publish_failure",
        "session_approve_namespace_validation_failure", "proposal_not_found",
        "session_request_response_validation_failure", "session_request_response_publish_failure",
    ]
}
