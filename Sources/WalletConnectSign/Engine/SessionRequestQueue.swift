/// How the wallet serialises incoming `wc_sessionRequest`s before announcing them to the app (§11.4).
public enum SessionRequestQueueMode: Sendable, Hashable {
    /// One request at a time per session, in arrival order; sessions do not wait on each other (default).
    case perSession
    /// One request at a time across all sessions, in arrival order (the JS SDK's behaviour).
    case global
    /// Every request is announced at once (still deduplicated by topic and id); the app handles concurrency.
    case disabled
}

/// A session request's identity: JSON-RPC ids are unique per sender only, so the wallet knows a request by its
/// session topic and id together.
struct SessionRequestKey: Hashable, Sendable {
    var topic: String
    var id: Int64
}

extension PendingRequest {
    /// The request's (topic, id) identity.
    var key: SessionRequestKey { SessionRequestKey(topic: topic, id: id) }
}

/// The session-request queue as a pure state machine: callers feed it arrivals and completions, it returns
/// the requests to announce now.
///
/// A request is "active" from its announcement until ``complete(_:)`` (after the response and the release
/// delay) or ``remove(_:)`` (expiry). Requests announced recently (the last 500) are never announced twice.
struct SessionRequestQueue: Sendable {
    private struct Lane: Sendable {
        var active: PendingRequest?
        var waiting: [PendingRequest] = []
    }

    let mode: SessionRequestQueueMode
    private var lanes: [String: Lane] = [:]
    private var emittedOrder: [SessionRequestKey] = []
    private var emitted: Set<SessionRequestKey> = []
    private let emittedLimit: Int

    init(mode: SessionRequestQueueMode, emittedLimit: Int = 500) {
        self.mode = mode
        self.emittedLimit = emittedLimit
    }

    private func laneKey(for request: PendingRequest) -> String? {
        switch mode {
        case .perSession: request.topic
        case .global: "*"
        case .disabled: nil
        }
    }

    /// Requests currently announced and not yet completed.
    var activeKeys: [SessionRequestKey] { lanes.values.compactMap { $0.active?.key } }

    /// Requests waiting for their lane, in order.
    var waitingKeys: [SessionRequestKey] { lanes.values.flatMap { $0.waiting.map(\.key) } }

    /// Whether `key` is active or waiting.
    func contains(_ key: SessionRequestKey) -> Bool {
        lanes.values.contains { $0.active?.key == key || $0.waiting.contains { $0.key == key } }
    }

    /// A request arrived: returns it when it may be announced now, `[]` when it waits or is a duplicate.
    mutating func enqueue(_ request: PendingRequest) -> [PendingRequest] {
        if emitted.contains(request.key) || contains(request.key) { return [] }
        guard let key = laneKey(for: request) else {
            markEmitted(request.key)
            return [request]
        }
        var lane = lanes[key] ?? Lane()
        defer { lanes[key] = lane }
        if lane.active == nil {
            lane.active = request
            markEmitted(request.key)
            return [request]
        }
        lane.waiting.append(request)
        return []
    }

    /// The active request `request` is finished (answered, after the release delay): returns the next to
    /// announce.
    mutating func complete(_ request: SessionRequestKey) -> [PendingRequest] { remove(request) }

    /// Removes `request` wherever it is (expired or dropped); when it was active, returns the next to announce.
    mutating func remove(_ request: SessionRequestKey) -> [PendingRequest] {
        for (key, var lane) in lanes {
            if lane.active?.key == request {
                lane.active = nil
                let next = promote(&lane)
                store(lane, key)
                return next
            }
            if let index = lane.waiting.firstIndex(where: { $0.key == request }) {
                lane.waiting.remove(at: index)
                store(lane, key)
                return []
            }
        }
        return []
    }

    /// Drops every request of the session `topic`; returns the requests of other sessions to announce now.
    mutating func removeSession(topic: String) -> [PendingRequest] {
        var announce: [PendingRequest] = []
        for (key, var lane) in lanes {
            lane.waiting.removeAll { $0.topic == topic }
            if lane.active?.topic == topic {
                lane.active = nil
                announce += promote(&lane)
            }
            store(lane, key)
        }
        return announce
    }

    private mutating func promote(_ lane: inout Lane) -> [PendingRequest] {
        while !lane.waiting.isEmpty {
            let next = lane.waiting.removeFirst()
            if emitted.contains(next.key) { continue }
            lane.active = next
            markEmitted(next.key)
            return [next]
        }
        return []
    }

    private mutating func store(_ lane: Lane, _ key: String) {
        if lane.active == nil && lane.waiting.isEmpty {
            lanes.removeValue(forKey: key)
        } else {
            lanes[key] = lane
        }
    }

    private mutating func markEmitted(_ key: SessionRequestKey) {
        guard emitted.insert(key).inserted else { return }
        emittedOrder.append(key)
        if emittedOrder.count > emittedLimit {
            let dropped = emittedOrder.removeFirst()
            emitted.remove(dropped)
        }
    }
}
