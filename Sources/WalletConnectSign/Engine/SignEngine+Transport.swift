import Foundation
import Logging
import WalletConnectCore

/// Sending and receiving client-to-client JSON-RPC through the relay (or, for link-mode sessions, links).
extension SignEngine {
    /// A fresh 16-digit client JSON-RPC id (`now_ms × 1000 + n`), strictly increasing within this engine.
    func nextPayloadID() -> Int64 {
        ids.payloadID()
    }

    /// Seals a JSON-RPC payload into a type-0 envelope with the key of `topic`.
    func seal(_ payload: some Encodable, topic: String) async throws -> String {
        let text = try WireJSON.string(payload)
        return try await crypto.encode(topic: topic, payload: text)
    }

    /// Publish options from the method table plus TVF fields.
    func publishOptions(
        _ options: RPCOptions, correlationID: Int64?, tvf: [String: JSONValue] = [:], ttl: Int64? = nil
    ) -> PublishOptions {
        PublishOptions(
            ttl: UInt32(clamping: ttl ?? options.ttl), tag: options.tag, prompt: options.prompt,
            correlationID: correlationID, tvf: tvf)
    }

    /// Sends a request of `method` on `topic`: records it in the history (outgoing), seals and publishes it.
    /// - Returns: The request id.
    /// - Throws: Encoding, crypto, storage or publish errors.
    @discardableResult
    func sendRequest(
        topic: String, method: SignMethod, params: some Encodable, id: Int64? = nil, chainID: String? = nil,
        ttl: Int64? = nil, tvf: [String: JSONValue] = [:]
    ) async throws -> Int64 {
        let id = id ?? nextPayloadID()
        let request = JSONRPCRequest(id: RPCID(id), method: method.rawValue, params: try JSONValue(encoding: params))
        let message = try await seal(request, topic: topic)
        try await history.set(id: id, topic: topic, method: method.rawValue, chainID: chainID, direction: .outgoing)
        try await transmit(
            topic: topic, message: message,
            options: publishOptions(method.requestOptions, correlationID: id, tvf: tvf, ttl: ttl))
        logger.debug("sent request", metadata: ["wk.topic": "\(topic)", "wk.rpc.id": "\(id)", "wk.method": "\(method.rawValue)"])
        return id
    }

    /// Sends a success result for the incoming request `id` with the response options of `method`.
    /// - Throws: Crypto, storage or publish errors.
    func sendResult(
        topic: String, id: Int64, method: SignMethod, result: JSONValue, tvf: [String: JSONValue] = [:]
    ) async throws {
        let response = JSONRPCResponse(id: RPCID(id), result: result)
        let message = try await seal(response, topic: topic)
        try await transmit(
            topic: topic, message: message, options: publishOptions(method.responseOptions, correlationID: id, tvf: tvf))
        try await history.resolveIncoming(topic: topic, id: id)
        logger.debug("sent result", metadata: ["wk.topic": "\(topic)", "wk.rpc.id": "\(id)", "wk.method": "\(method.rawValue)"])
    }

    /// Sends an error for the incoming request `id`, fire-and-forget (failures are logged, as in JS).
    func sendError(topic: String, id: Int64, error: SDKError, options: RPCOptions) async {
        do {
            let response = JSONRPCResponse(id: RPCID(id), error: error.jsonRPCError)
            let message = try await seal(response, topic: topic)
            try await transmit(topic: topic, message: message, options: publishOptions(options, correlationID: nil))
            try await history.resolveIncoming(topic: topic, id: id)
            logger.debug(
                "sent error", metadata: ["wk.topic": "\(topic)", "wk.rpc.id": "\(id)", "wk.code": "\(error.code.rawValue)"])
        } catch {
            logger.debug("could not send error response", metadata: ["wk.topic": "\(topic)", "wk.rpc.id": "\(id)"])
        }
    }

    /// Sends a request and waits for its response (timeout on the injected clock).
    ///
    /// The waiter is registered before the request is published. A peer error is thrown as ``SDKError``.
    /// - Returns: The result value.
    /// - Throws: ``SDKError`` (peer error), ``SignEngineError/timedOut(_:)``, `CancellationError`,
    ///   ``SignEngineError/shutDown``, or the send error.
    func sendRequestAwaitingResult(
        topic: String, method: SignMethod, params: some Encodable, chainID: String? = nil, ttl: Int64? = nil,
        tvf: [String: JSONValue] = [:], timeout: Duration, timeoutError: any Error
    ) async throws -> JSONValue {
        let id = nextPayloadID()
        guard responseWaiters.register(id) else { throw SignEngineError.shutDown }
        do {
            try await sendRequest(topic: topic, method: method, params: params, id: id, chainID: chainID, ttl: ttl, tvf: tvf)
        } catch {
            responseWaiters.discard(id)
            throw error
        }
        return try await awaitResult(id: id, timeout: timeout, timeoutError: timeoutError)
    }

    /// Waits for the response to `id` (already registered), failing after `timeout` on the injected clock.
    /// - Throws: ``SDKError`` for an error response, `timeoutError`, `CancellationError`.
    func awaitResult(id: Int64, timeout: Duration, timeoutError: any Error) async throws -> JSONValue {
        let response = try await Self.awaitValue(
            in: responseWaiters, id: id, timeout: timeout, clock: clock, timeoutError: timeoutError)
        switch response.outcome {
        case .result(let value): return value
        case .error(let error): throw SDKError(error)
        }
    }

    /// Waits for the slot `id` of `table`, resolving it with `timeoutError` after `timeout` on `clock`.
    nonisolated static func awaitValue<Value: Sendable>(
        in table: WaiterTable<Value>, id: Int64, timeout: Duration, clock: any Clock<Duration>,
        timeoutError: any Error
    ) async throws -> Value {
        try await withThrowingTaskGroup(of: Value?.self) { group in
            group.addTask { try await table.wait(id) }
            group.addTask {
                try await clock.sleep(for: timeout)
                table.resume(id, with: .failure(timeoutError))
                return nil
            }
            defer { group.cancelAll() }
            while let next = try await group.next() {
                if let value = next { return value }
            }
            throw timeoutError
        }
    }

    // MARK: - Inbound decoding

    /// Decodes a relay message into a JSON-RPC message; `nil` (logged) when it must be dropped: type-1/type-2
    /// envelopes over the relay, no key for the topic, bad ciphertext, or not JSON-RPC.
    func decode(_ message: RelayMessage) async -> JSONRPCMessage? {
        let type: EnvelopeType
        do {
            type = try Crypto.envelopeType(of: message.message)
        } catch {
            logger.debug("dropped malformed envelope", metadata: ["wk.topic": "\(message.topic)"])
            return nil
        }
        guard type == .type0 else {
            logger.debug(
                "dropped non type-0 envelope", metadata: ["wk.topic": "\(message.topic)", "wk.envelope.type": "\(type.rawValue)"])
            return nil
        }
        guard await crypto.hasKey(message.topic) else {
            logger.debug("dropped message for a topic without key", metadata: ["wk.topic": "\(message.topic)"])
            return nil
        }
        do {
            let text = try await crypto.decode(topic: message.topic, encoded: message.message)
            return try JSONRPCMessage.decode(text)
        } catch {
            logger.debug("dropped undecodable message", metadata: ["wk.topic": "\(message.topic)"])
            return nil
        }
    }
}
