import Synchronization
import WalletConnectCore

/// An in-memory relay shared by many ``InMemoryRelayClient``s, for unit tests of one actor.
///
/// Semantics (close to an IRN relay, minus the network):
/// - A published message goes to every *other* client subscribed to the topic, never back to the publisher.
/// - When no other client is subscribed, it is kept in the topic's mailbox (until its ttl passes on the hub's
///   `WallClock`) and delivered to the next client that subscribes.
/// - Each client dedupes by topic and message text (its own publishes included, so echoes are dropped);
///   unsubscribing forgets the topic's entries.
/// - Delivered messages stay unhandled until `markHandled`; `replayUnhandled` yields them again.
/// - `wc_proposeSession` / `wc_approveSession` subscribe the caller and publish with tags 1100 / 1101 / 1102.
/// - Every successful publish is recorded (``publishes`` and ``publishEvents()``) with its options.
/// - Faults can be injected: fail the next publish, drop a delivery, deliver twice, fail the next subscribe.
package actor InMemoryRelayHub {
    /// How a recorded message was published.
    package enum PublishKind: Sendable, Hashable {
        /// A plain `irn_publish`.
        case publish
        /// Part of a composite `wc_proposeSession` call.
        case proposeSession
        /// Part of a composite `wc_approveSession` call.
        case approveSession
    }

    /// One recorded publish.
    package struct RecordedPublish: Sendable, Hashable {
        /// The id of the publishing client.
        package var clientID: String
        /// The topic published on.
        package var topic: String
        /// The message text (an envelope).
        package var message: String
        /// The options the message was published with.
        package var options: PublishOptions
        /// How the message was published.
        package var kind: PublishKind
    }

    /// One recorded `irn_subscribe`-equivalent call (composite calls and `markSubscribed` are not recorded).
    package struct RecordedSubscribe: Sendable, Hashable {
        /// The id of the subscribing client.
        package var clientID: String
        /// The topic subscribed to.
        package var topic: String
    }

    private enum FaultAction {
        case failPublish(any Error)
        case failSubscribe(any Error)
        case drop
        case duplicate
    }

    private struct Fault {
        var action: FaultAction
        var topic: String?
    }

    private struct MessageKey: Hashable {
        var topic: String
        var message: String
    }

    private struct MailboxItem {
        var message: RelayMessage
        var publisherID: String?
        var expiresAtMilliseconds: Int64
    }

    private let wallClock: WallClock
    private nonisolated let clientCounter = Locked(0)
    private let publishBroadcaster = EventBroadcaster<RecordedPublish>()

    private var clients: [String: InMemoryRelayClient] = [:]
    private var subscribers: [String: [String]] = [:]
    private var mailbox: [String: [MailboxItem]] = [:]
    private var seen: [String: Set<MessageKey>] = [:]
    private var unhandled: [String: [RelayMessage]] = [:]
    private var faults: [Fault] = []

    /// Every successful publish, in order (composite calls appear as their individual publishes).
    package private(set) var publishes: [RecordedPublish] = []
    /// Publishes that failed through an injected fault or a disconnected client.
    package private(set) var failedPublishes: [RecordedPublish] = []
    /// Every recorded subscribe call.
    package private(set) var subscribeCalls: [RecordedSubscribe] = []
    /// Every unsubscribe call.
    package private(set) var unsubscribeCalls: [RecordedSubscribe] = []
    /// Params of every successful `wc_proposeSession`.
    package private(set) var proposeSessionCalls: [ProposeSessionParams] = []
    /// Params of every successful `wc_approveSession`.
    package private(set) var approveSessionCalls: [ApproveSessionParams] = []
    /// Deliveries a client dropped because it had already seen the message.
    package private(set) var duplicatesDropped = 0

    /// Creates a hub. `wallClock` stamps `publishedAt` and expires mailbox items.
    package init(wallClock: WallClock = .system) {
        self.wallClock = wallClock
    }

    /// Creates a client attached to this hub (default id `did:key:z6MkInMemory<n>`).
    package nonisolated func makeClient(clientID: String? = nil) -> InMemoryRelayClient {
        let id = clientID ?? clientCounter.withLock { counter in
            counter += 1
            return "did:key:z6MkInMemory\(counter)"
        }
        return InMemoryRelayClient(hub: self, clientID: id)
    }

    /// A new stream of recorded publishes (register it before triggering the publish you wait for).
    package nonisolated func publishEvents() -> AsyncStream<RecordedPublish> {
        publishBroadcaster.subscribe()
    }

    // MARK: Fault injection

    /// The next publish (on `topic`, or on any topic) throws `error` and delivers nothing.
    package func failNextPublish(with error: any Error = InMemoryRelayError.injected, topic: String? = nil) {
        faults.append(Fault(action: .failPublish(error), topic: topic))
    }

    /// The next subscribe (to `topic`, or to any topic) throws `error`.
    package func failNextSubscribe(with error: any Error = InMemoryRelayError.injected, topic: String? = nil) {
        faults.append(Fault(action: .failSubscribe(error), topic: topic))
    }

    /// The next publish succeeds for the publisher but reaches nobody (not even the mailbox).
    package func dropNextPublish(topic: String? = nil) {
        faults.append(Fault(action: .drop, topic: topic))
    }

    /// The next publish is delivered twice to each receiver (receivers dedupe the second copy).
    package func duplicateNextPublish(topic: String? = nil) {
        faults.append(Fault(action: .duplicate, topic: topic))
    }

    private func takeFault(topic: String, where matches: (FaultAction) -> Bool) -> FaultAction? {
        guard let index = faults.firstIndex(where: { ($0.topic == nil || $0.topic == topic) && matches($0.action) })
        else { return nil }
        return faults.remove(at: index).action
    }

    private func takePublishFault(topic: String) -> FaultAction? {
        takeFault(topic: topic) { action in
            if case .failSubscribe = action { return false }
            return true
        }
    }

    // MARK: Introspection

    /// Client ids subscribed to `topic`, in subscription order.
    package func subscribers(of topic: String) -> [String] { subscribers[topic] ?? [] }

    /// Topics `clientID` is subscribed to.
    package func topics(of clientID: String) -> Set<String> {
        Set(subscribers.filter { $0.value.contains(clientID) }.keys)
    }

    /// Messages waiting in the mailbox of `topic`.
    package func mailbox(of topic: String) -> [RelayMessage] { (mailbox[topic] ?? []).map(\.message) }

    /// Messages delivered to `clientID` and not yet marked handled.
    package func unhandledMessages(of clientID: String) -> [RelayMessage] { unhandled[clientID] ?? [] }

    /// Recorded publishes on `topic`.
    package func publishes(on topic: String) -> [RecordedPublish] { publishes.filter { $0.topic == topic } }

    // MARK: Client operations

    func publish(
        from client: InMemoryRelayClient, topic: String, message: String, options: PublishOptions, via kind: PublishKind
    ) throws {
        attach(client)
        let record = RecordedPublish(
            clientID: client.relayClientID, topic: topic, message: message, options: options, kind: kind)
        guard client.connectionState == .connected else {
            failedPublishes.append(record)
            throw InMemoryRelayError.notConnected
        }
        let fault = takePublishFault(topic: topic)
        if case .failPublish(let error) = fault {
            failedPublishes.append(record)
            throw error
        }
        commit(record, fault: fault)
    }

    private func commit(_ record: RecordedPublish, fault: FaultAction?) {
        publishes.append(record)
        publishBroadcaster.yield(record)
        seen[record.clientID, default: []].insert(MessageKey(topic: record.topic, message: record.message))
        if case .drop = fault { return }
        let message = RelayMessage(
            topic: record.topic, message: record.message, publishedAt: wallClock.nowMilliseconds,
            tag: record.options.tag, attestation: record.options.attestation)
        let copies = if case .duplicate = fault { 2 } else { 1 }
        route(message, from: record.clientID, ttl: record.options.ttl, copies: copies)
    }

    private func route(_ message: RelayMessage, from publisherID: String?, ttl: UInt32, copies: Int) {
        let receivers = (subscribers[message.topic] ?? []).filter { $0 != publisherID }
        guard !receivers.isEmpty else {
            let item = MailboxItem(
                message: message, publisherID: publisherID,
                expiresAtMilliseconds: message.publishedAt + Int64(ttl) * 1000)
            mailbox[message.topic, default: []].append(item)
            return
        }
        for receiver in receivers {
            for _ in 0..<copies { deliver(message, to: receiver) }
        }
    }

    private func deliver(_ message: RelayMessage, to clientID: String) {
        guard let client = clients[clientID] else { return }
        let key = MessageKey(topic: message.topic, message: message.message)
        guard seen[clientID, default: []].insert(key).inserted else {
            duplicatesDropped += 1
            return
        }
        unhandled[clientID, default: []].append(message)
        client.inbound.yield(message)
    }

    func subscribe(_ client: InMemoryRelayClient, topics: [String], recordCall: Bool) throws {
        attach(client)
        if recordCall {
            guard client.connectionState == .connected else { throw InMemoryRelayError.notConnected }
            for topic in topics {
                if case .failSubscribe(let error) = takeFault(topic: topic, where: { action in
                    if case .failSubscribe = action { return true }
                    return false
                }) {
                    throw error
                }
            }
        }
        let id = client.relayClientID
        for topic in topics {
            if recordCall { subscribeCalls.append(RecordedSubscribe(clientID: id, topic: topic)) }
            if !(subscribers[topic] ?? []).contains(id) { subscribers[topic, default: []].append(id) }
            deliverMailbox(of: topic, to: id)
        }
    }

    private func deliverMailbox(of topic: String, to clientID: String) {
        guard let items = mailbox[topic], !items.isEmpty else { return }
        let now = wallClock.nowMilliseconds
        var kept: [MailboxItem] = []
        for item in items where item.expiresAtMilliseconds > now {
            if item.publisherID == clientID {
                kept.append(item)
            } else {
                deliver(item.message, to: clientID)
            }
        }
        mailbox[topic] = kept.isEmpty ? nil : kept
    }

    func unsubscribe(_ client: InMemoryRelayClient, topic: String) throws {
        attach(client)
        let id = client.relayClientID
        unsubscribeCalls.append(RecordedSubscribe(clientID: id, topic: topic))
        subscribers[topic]?.removeAll { $0 == id }
        if subscribers[topic]?.isEmpty == true { subscribers[topic] = nil }
        seen[id] = seen[id]?.filter { $0.topic != topic }
    }

    func proposeSession(from client: InMemoryRelayClient, _ params: ProposeSessionParams) throws {
        attach(client)
        let options = PublishOptions(
            ttl: params.ttl ?? 300, tag: 1100, prompt: true, attestation: params.attestation,
            correlationID: params.correlationID)
        let record = RecordedPublish(
            clientID: client.relayClientID, topic: params.pairingTopic, message: params.sessionProposal,
            options: options, kind: .proposeSession)
        try checkComposite(client, record)
        let fault = takePublishFault(topic: params.pairingTopic)
        if case .failPublish(let error) = fault {
            failedPublishes.append(record)
            throw error
        }
        try subscribe(client, topics: [params.pairingTopic], recordCall: false)
        proposeSessionCalls.append(params)
        commit(record, fault: fault)
    }

    func approveSession(from client: InMemoryRelayClient, _ params: ApproveSessionParams) throws {
        attach(client)
        let ttl = params.ttl ?? 300
        let response = RecordedPublish(
            clientID: client.relayClientID, topic: params.pairingTopic, message: params.sessionProposalResponse,
            options: PublishOptions(ttl: ttl, tag: 1101, correlationID: params.correlationID), kind: .approveSession)
        let settle = RecordedPublish(
            clientID: client.relayClientID, topic: params.sessionTopic, message: params.sessionSettlementRequest,
            options: PublishOptions(ttl: ttl, tag: 1102, correlationID: params.correlationID), kind: .approveSession)
        try checkComposite(client, response)
        let fault = takePublishFault(topic: params.sessionTopic) ?? takePublishFault(topic: params.pairingTopic)
        if case .failPublish(let error) = fault {
            failedPublishes.append(response)
            failedPublishes.append(settle)
            throw error
        }
        try subscribe(client, topics: [params.sessionTopic], recordCall: false)
        approveSessionCalls.append(params)
        commit(response, fault: fault)
        commit(settle, fault: fault)
    }

    private func checkComposite(_ client: InMemoryRelayClient, _ record: RecordedPublish) throws {
        guard client.connectionState == .connected else {
            failedPublishes.append(record)
            throw InMemoryRelayError.notConnected
        }
    }

    func markHandled(_ message: RelayMessage, by client: InMemoryRelayClient) {
        let id = client.relayClientID
        guard let index = unhandled[id]?.firstIndex(where: { $0.topic == message.topic && $0.message == message.message })
        else { return }
        unhandled[id]?.remove(at: index)
    }

    func replayUnhandled(for client: InMemoryRelayClient) {
        attach(client)
        for message in unhandled[client.relayClientID] ?? [] { client.inbound.yield(message) }
    }

    // MARK: Test injection

    /// Delivers a raw message on `topic` as if a peer outside the hub had published it
    /// (to every subscriber, or into the mailbox when there is none).
    package func injectInbound(
        topic: String, message: String, tag: Int? = nil, attestation: String? = nil, ttl: UInt32 = 21_600
    ) {
        let relayMessage = RelayMessage(
            topic: topic, message: message, publishedAt: wallClock.nowMilliseconds, tag: tag, attestation: attestation)
        route(relayMessage, from: nil, ttl: ttl, copies: 1)
    }

    private func attach(_ client: InMemoryRelayClient) {
        if clients[client.relayClientID] == nil { clients[client.relayClientID] = client }
    }
}
