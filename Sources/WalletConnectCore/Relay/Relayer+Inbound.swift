import Logging

extension Relayer {
    /// One inbound text frame: responses resolve their waiter; `*_subscription` requests are acknowledged first,
    /// then go through ``ingest(_:)``; anything else is ignored.
    nonisolated func handleFrame(_ text: String, on connection: any RelayConnection) async {
        let message: JSONRPCMessage
        do {
            message = try JSONRPCMessage.decode(text)
        } catch {
            logger.debug("ignored a frame that is not JSON-RPC", metadata: ["wk.error": "\(error)"])
            return
        }
        switch message {
        case .response(let response):
            if !pending.deliver(response) {
                logger.trace("response without a waiter", metadata: ["wk.rpc.id": "\(response.id)"])
            }
        case .request(let request):
            guard IRN.Method.isSubscription(request.method) else {
                logger.debug("ignored relay request", metadata: ["wk.method": "\(request.method)"])
                return
            }
            await acknowledge(request.id, on: connection)
            do {
                let params = try request.params.decode(as: IRN.SubscriptionParams.self)
                await ingest(params.data)
            } catch {
                logger.debug("malformed subscription params", metadata: ["wk.rpc.id": "\(request.id)"])
            }
        }
    }

    /// Sends `{"id":<same>,"jsonrpc":"2.0","result":true}` before anything else happens to the message.
    private nonisolated func acknowledge(_ id: RPCID, on connection: any RelayConnection) async {
        do {
            // Built by hand: fixed member order, no encoder round trip on the hot path.
            try await connection.send(#"{"id":\#(id.rawValue),"jsonrpc":"2.0","result":true}"#)
            counters.bump(.acknowledgementsSent)
        } catch {
            logger.debug("could not acknowledge", metadata: ["wk.rpc.id": "\(id)"])
        }
    }

    /// The shared delivery path (live pushes and fetched messages): drop empty messages and unknown topics,
    /// dedupe by (topic, sha256(message)), persist as unhandled, then yield to ``messages()`` subscribers.
    func ingest(_ message: RelayMessage) async {
        guard !message.message.isEmpty else { return }
        guard topics.contains(message.topic) else {
            logger.trace("dropped message for an unknown topic", metadata: ["wk.topic": "\(message.topic)"])
            return
        }
        let changes: [StorageChange]
        do {
            guard let recorded = try tracker.recordInbound(message) else {
                counters.bump(.duplicatesDropped)
                return
            }
            changes = recorded
        } catch {
            logger.debug("could not encode message record", metadata: ["wk.topic": "\(message.topic)"])
            return
        }
        do {
            try await persist(changes)
        } catch {
            logger.debug("could not persist message record", metadata: ["wk.topic": "\(message.topic)"])
        }
        counters.bump(.messagesDelivered)
        inbound.yield(message)
    }
}
