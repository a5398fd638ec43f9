import Foundation
import WalletConnectCore

extension RelayServerState {
    /// Runs one valid request of connection `id` and sends its response (then any deliveries it causes).
    func execute(_ command: RelayOperation, id rpcID: RPCID, from id: UInt64) {
        switch command {
        case .publish(let params):
            switch store(params, from: id) {
            case .failure(let failure):
                sendError(rpcID, failure.tag, to: id)
            case .success(let seq):
                sendResult(true, id: rpcID, to: id)
                if let seq { fanOut(seq) }
            }
        case .batchPublish(let list):
            var stored: [UInt64] = []
            for params in list {
                switch store(params, from: id) {
                case .failure(let failure):
                    sendError(rpcID, failure.tag, to: id)
                    stored.forEach(fanOut)
                    return
                case .success(let seq):
                    if let seq { stored.append(seq) }
                }
            }
            sendResult(true, id: rpcID, to: id)
            stored.forEach(fanOut)
        case .subscribe(let topic, _):
            stats.subscribeCalls += 1
            stats.subscribeRequestedTopics += 1
            guard canSubscribe(id, to: [topic]) else {
                sendError(rpcID, .subscriberLimitExceeded, to: id)
                return
            }
            let subscriptionID = subscribe(id, to: topic)
            sendResult(subscriptionID, id: rpcID, to: id)
            deliverMailbox(topic: topic, to: id)
        case .batchSubscribe(let topics, let blocking):
            stats.batchSubscribeCalls += 1
            stats.subscribeRequestedTopics += topics.count
            guard canSubscribe(id, to: topics) else {
                sendError(rpcID, .subscriberLimitExceeded, to: id)
                return
            }
            let ids = topics.map { subscribe(id, to: $0) }
            if blocking {
                sendResult(ids.map { IRN.BlockingSubscribeResult.id($0) }, id: rpcID, to: id)
            } else {
                sendResult(ids, id: rpcID, to: id)
            }
            for topic in topics { deliverMailbox(topic: topic, to: id) }
        case .unsubscribe(let topics):
            for topic in topics { unsubscribe(id, from: topic) }
            sendResult(true, id: rpcID, to: id)
        case .fetch(let topics):
            sendResult(fetch(topics: topics, for: id), id: rpcID, to: id)
        case .proposeSession(let params):
            guard canSubscribe(id, to: [params.pairingTopic]) else {
                sendError(rpcID, .subscriberLimitExceeded, to: id)
                return
            }
            _ = subscribe(id, to: params.pairingTopic)
            let proposal = IRN.PublishParams(
                topic: params.pairingTopic, message: params.sessionProposal, ttl: IRN.compositeTTL,
                tag: IRN.Tag.sessionPropose, prompt: true, attestation: params.attestation,
                correlationID: params.correlationID)
            switch store(proposal, from: id) {
            case .failure:
                sendError(rpcID, .publishFailed, to: id)
            case .success(let seq):
                sendResult(true, id: rpcID, to: id)
                if let seq { fanOut(seq) }
                deliverMailbox(topic: params.pairingTopic, to: id)
            }
        case .approveSession(let params):
            guard canSubscribe(id, to: [params.sessionTopic]) else {
                sendError(rpcID, .subscriberLimitExceeded, to: id)
                return
            }
            _ = subscribe(id, to: params.sessionTopic)
            let response = IRN.PublishParams(
                topic: params.pairingTopic, message: params.sessionProposalResponse, ttl: IRN.compositeTTL,
                tag: IRN.Tag.sessionProposeResponse, correlationID: params.correlationID)
            let settlement = IRN.PublishParams(
                topic: params.sessionTopic, message: params.sessionSettlementRequest, ttl: IRN.compositeTTL,
                tag: IRN.Tag.sessionSettle, correlationID: params.correlationID)
            guard case .success(let first) = store(response, from: id),
                case .success(let second) = store(settlement, from: id)
            else {
                sendError(rpcID, .publishFailed, to: id)
                return
            }
            sendResult(true, id: rpcID, to: id)
            if let first { fanOut(first) }
            if let second { fanOut(second) }
            deliverMailbox(topic: params.sessionTopic, to: id)
        case .createTopic:
            sendResult(true, id: rpcID, to: id)
        }
    }

    struct StoreFailure: Error {
        var tag: IRN.ErrorTag
    }

    /// Stores a published message. `.success(nil)` means an identical message is already held for the topic.
    func store(_ params: IRN.PublishParams, from id: UInt64) -> Result<UInt64?, StoreFailure> {
        guard let connection = connections[id] else { return .failure(StoreFailure(tag: .unknown)) }
        purge(topic: params.topic)
        let messageID = IRN.messageID(params.message)
        if topicMessageIDs[params.topic]?.contains(messageID) == true {
            return .success(nil)
        }
        let heldInTopic = topicMessages[params.topic]?.count ?? 0
        let bytes = params.message.utf8.count
        func full() -> Bool {
            heldInTopic >= limits.maxMessagesPerTopic || messages.count >= limits.maxMessages
                || topicBytes[params.topic, default: 0] + bytes > limits.maxBytesPerTopic
                || heldBytes + bytes > limits.maxBytes
        }
        if full() {
            purgeAll()
            if full() { return .failure(StoreFailure(tag: .mailboxLimitExceeded)) }
        }
        let now = wallClock.nowMilliseconds
        let seq = nextSeq
        nextSeq += 1
        let expiresAt = now + Int64(params.ttl) * 1000
        messages[seq] = StoredMessage(
            seq: seq, topic: params.topic, message: params.message, bytes: bytes, messageID: messageID,
            publishedAt: now,
            expiresAt: expiresAt, tag: params.tag, attestation: params.attestation,
            publisherClientID: connection.clientID, publisherConnection: id)
        topicMessages[params.topic, default: []].append(seq)
        heldBytes += bytes
        topicBytes[params.topic, default: 0] += bytes
        topicMessageIDs[params.topic, default: []].insert(messageID)
        topicEarliestExpiry[params.topic] = min(topicEarliestExpiry[params.topic] ?? .max, expiresAt)
        stats.published += 1
        return .success(seq)
    }

    /// Delivers a new message to every subscribed socket except the publisher's.
    func fanOut(_ seq: UInt64) {
        guard let stored = messages[seq], let targets = subscribers[stored.topic] else { return }
        for target in targets.sorted() where target != stored.publisherConnection {
            deliver(seq, to: target)
        }
    }

    /// Whether connection `id` may add the subscriptions in `topics` (those it holds already count once).
    func canSubscribe(_ id: UInt64, to topics: [String]) -> Bool {
        guard let connection = connections[id] else { return true }
        let added = Set(topics).subtracting(connection.topics).count
        return connection.topics.count + added <= connection.limits.subscriptions
    }

    /// Subscribes connection `id` to `topic`; returns the subscription id.
    func subscribe(_ id: UInt64, to topic: String) -> String {
        guard let clientID = connections[id]?.clientID else { return "" }
        connections[id]?.topics.insert(topic)
        subscribers[topic, default: []].insert(id)
        return IRN.subscriptionID(topic: topic, clientID: clientID)
    }

    func unsubscribe(_ id: UInt64, from topic: String) {
        connections[id]?.topics.remove(topic)
        subscribers[topic]?.remove(id)
        if subscribers[topic]?.isEmpty == true { subscribers[topic] = nil }
    }

    /// Whether stored message `seq` is still owed to connection `id` (not acked, not its own, not in flight, not
    /// fetched on this connection).
    func isOwed(_ stored: StoredMessage, to connection: Connection) -> Bool {
        !stored.ackedBy.contains(connection.clientID) && stored.publisherClientID != connection.clientID
            && connection.inFlight[stored.seq] == nil && !connection.fetched.contains(stored.seq)
    }

    /// Delivers the held messages of `topic` that connection `id`'s client still needs.
    func deliverMailbox(topic: String, to id: UInt64) {
        purge(topic: topic)
        guard let connection = connections[id] else { return }
        for seq in topicMessages[topic] ?? [] {
            if let stored = messages[seq], isOwed(stored, to: connection) {
                deliver(seq, to: id)
            }
        }
    }

    /// One page of owed messages across `topics`, oldest first; the returned ones are retired for this connection
    /// (not for the client: a later connection of it gets them again, as a subscription it acknowledges).
    func fetch(topics: [String], for id: UInt64) -> IRN.FetchMessagesResult {
        guard let connection = connections[id] else { return IRN.FetchMessagesResult(messages: [], hasMore: false) }
        var owed: [StoredMessage] = []
        for topic in Set(topics) {
            purge(topic: topic)
            for seq in topicMessages[topic] ?? [] {
                if let stored = messages[seq], isOwed(stored, to: connection) { owed.append(stored) }
            }
        }
        owed.sort { $0.seq < $1.seq }
        let pageSize = max(1, limits.fetchPageSize)
        var page: ArraySlice<StoredMessage> = []
        var pageBytes = 0
        for stored in owed.prefix(pageSize) {
            if !page.isEmpty && pageBytes + stored.bytes > limits.fetchPageBytes { break }
            page.append(stored)
            pageBytes += stored.bytes
        }
        connections[id]?.fetched.formUnion(page.map(\.seq))
        stats.fetched += page.count
        return IRN.FetchMessagesResult(messages: page.map(\.relayMessage), hasMore: owed.count > page.count)
    }
}
