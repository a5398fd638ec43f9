/// Inbound relay messages read from the socket (or fetched) that the relayer has not taken yet: not recorded, not
/// acknowledged. One FIFO per topic, taken round-robin across topics, so a flood on one topic cannot keep a
/// message on another one waiting behind it (issue 16). A pure value owned by the ``Relayer`` actor.
struct InboundQueue {
    /// How to acknowledge a message delivered by `irn_subscription` (fetched ones have no acknowledgement).
    struct Acknowledgement: Sendable {
        var id: RPCID
        var connection: any RelayConnection
    }

    struct Item: Sendable {
        var message: RelayMessage
        var acknowledgement: Acknowledgement?
        var bytes: Int
    }

    /// A FIFO with an advancing head, compacted when half of it is taken.
    private struct FIFO {
        var items: [Item] = []
        var head = 0
        var isEmpty: Bool { head == items.count }
        mutating func append(_ item: Item) { items.append(item) }
        mutating func popFirst() -> Item? {
            guard head < items.count else { return nil }
            let item = items[head]
            head += 1
            if head == items.count {
                items.removeAll(keepingCapacity: true)
                head = 0
            } else if head >= 64, head * 2 >= items.count {
                items.removeFirst(head)
                head = 0
            }
            return item
        }
    }

    private var queues: [String: FIFO] = [:]
    /// Topics with queued items, in turn order; ``next`` is the index of the topic whose turn is next.
    private var turns: [String] = []
    private var next = 0
    /// Items queued.
    private(set) var count = 0
    /// UTF-8 bytes of the queued message texts.
    private(set) var bytes = 0

    var isEmpty: Bool { count == 0 }

    mutating func append(_ message: RelayMessage, acknowledgement: Acknowledgement?) {
        let item = Item(message: message, acknowledgement: acknowledgement, bytes: message.message.utf8.count)
        if queues[message.topic] == nil {
            queues[message.topic] = FIFO()
            // A topic that was idle takes the next turn: a lone message is never queued behind a busy topic's
            // backlog, only behind at most one message of each topic that was waiting.
            if next > turns.count { next = 0 }
            turns.insert(message.topic, at: next)
        }
        queues[message.topic]?.append(item)
        count += 1
        bytes += item.bytes
    }

    /// The oldest item of the topic whose turn it is; the turn then passes to the next topic.
    mutating func popNext() -> Item? {
        guard !turns.isEmpty else { return nil }
        if next >= turns.count { next = 0 }
        let topic = turns[next]
        guard let item = queues[topic]?.popFirst() else { return nil }
        count -= 1
        bytes -= item.bytes
        if queues[topic]?.isEmpty == true {
            queues[topic] = nil
            turns.remove(at: next)
        } else {
            next += 1
        }
        if next >= turns.count { next = 0 }
        return item
    }

    /// Forgets everything (the relayer stopped).
    mutating func removeAll() {
        self = InboundQueue()
    }
}
