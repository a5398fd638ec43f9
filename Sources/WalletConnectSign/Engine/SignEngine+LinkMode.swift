import Foundation
import Logging
import WalletConnectCore

/// Link mode (sign.md §3.14, core.md §1.6 and §5.2): requests and responses travel as universal links
/// `<peer universal link>?wc_ev=<base64url envelope>&topic=<topic>` instead of the relay.
///
/// Links are sent only when this app and the peer both advertise `redirect.linkMode` with a universal link,
/// a ``LinkModeTransport`` is set, and the peer's link was seen (``registerLinkModeApp(_:)``, or a link-mode
/// message from it). Otherwise the relay is used, as before.
extension SignEngine {
    /// Sets the transport that opens link-mode URLs (`nil` turns link mode off: every message uses the relay).
    package func setLinkModeTransport(_ transport: (any LinkModeTransport)?) {
        linkMode.transport = transport
    }

    /// Records `universalLink` as the link of a peer known to support link mode (JS `linkModeSupportedApps`).
    /// A peer's link is also recorded when a link-mode message from it is handled.
    ///
    /// The links are stored in this engine's storage namespace and loaded by ``start()``, so a restarted app still
    /// answers an established link-mode session by link. When the write fails the link is kept for this run only
    /// (after a restart the relay is used until the peer's next link).
    package func registerLinkModeApp(_ universalLink: String) async {
        await rememberLinkModeApp(universalLink)
    }

    /// The universal links of peers known to support link mode.
    package var linkModeApps: Set<String> { linkMode.seenLinks }

    /// Records a peer's universal link as seen: in memory at once (the decision), then in storage when it is new.
    func rememberLinkModeApp(_ universalLink: String) async {
        guard linkMode.seenLinks.insert(universalLink).inserted else { return }
        do {
            try await linkModeAppStore.set(universalLink, universalLink)
        } catch {
            logger.debug("could not store a link-mode app")
        }
    }

    /// The start step for the links seen: loads the stored ones (keeping any recorded before the start).
    /// - Throws: The storage error.
    func loadLinkModeApps() async throws {
        try await linkModeAppStore.load()
        linkMode.seenLinks.formUnion(await linkModeAppStore.values)
    }

    /// The peer's universal link when a message to `peer` goes through link mode now, else `nil`.
    func linkTarget(peer: Metadata) -> String? {
        guard linkMode.transport != nil else { return nil }
        return LinkModePolicy.target(selfMetadata: metadata, peer: peer, seenLinks: linkMode.seenLinks)
    }

    /// The peer link for messages on the session `topic`, when the session uses link mode and it is usable.
    func linkTarget(sessionTopic topic: String) async -> String? {
        guard linkMode.transport != nil, let session = await sessions.session(topic: topic),
            session.transportType == .linkMode
        else { return nil }
        return linkTarget(peer: session.peer.metadata)
    }

    /// Sends an envelope (relay text) on `topic`: through a link when the topic's session uses link mode,
    /// otherwise published on the relay.
    func transmit(topic: String, message: String, options: PublishOptions) async throws {
        if let target = await linkTarget(sessionTopic: topic) {
            try await openLink(universalLink: target, topic: topic, relayText: message)
        } else {
            try await relay.publish(topic: topic, message: message, options: options)
        }
    }

    /// Opens `universalLink?wc_ev=…&topic=topic` for an envelope given as relay text.
    func openLink(universalLink: String, topic: String, relayText: String) async throws {
        guard let transport = linkMode.transport else { throw LinkModeError.malformedLink("no link-mode transport") }
        let bytes = try Base64Codec.decode(relayText)
        let url = try LinkModeEnvelope(topic: topic, bytes: bytes).url(universalLink: universalLink)
        try await transport.open(url)
        logger.debug("opened link", metadata: ["wk.topic": "\(topic)"])
    }

    // MARK: - Relay subscription of link-mode sessions

    /// Subscribes the topic of the link-mode session `topic` on the relay, in the background: the link exchange
    /// never waits for it and never fails because of it, so link mode works without a relay. The topic is first
    /// recorded with the relay client (``RelayClient/markSubscribed(topic:)``: a relay that is down or unreachable
    /// now subscribes it when it connects, and after a restart), then subscribed on the current connection. A peer
    /// that falls back to the relay (a request, an event, a delete) is then heard.
    ///
    /// Nothing starts for a session being deleted or deleted, or after ``shutdown()``.
    func subscribeLinkModeSession(topic: String) {
        guard !isShutDown, decisions.isLive(topic), linkMode.subscriptions[topic] == nil else { return }
        linkMode.lastSubscriptionID &+= 1
        let id = linkMode.lastSubscriptionID
        let relay = relay
        let logger = logger
        let task = Task {
            if !Task.isCancelled { await relay.markSubscribed(topic: topic) }
            do {
                try await relay.subscribe(topic: topic)
                logger.debug("subscribed a link-mode session topic", metadata: ["wk.topic": "\(topic)"])
            } catch {
                logger.debug(
                    "link-mode session topic recorded, not subscribed yet", metadata: ["wk.topic": "\(topic)"])
            }
            self.endLinkModeSubscription(topic: topic, id: id)
        }
        linkMode.subscriptions[topic] = LinkModeState.Subscription(id: id, task: task)
    }

    private func endLinkModeSubscription(topic: String, id: UInt64) {
        if linkMode.subscriptions[topic]?.id == id { linkMode.subscriptions[topic] = nil }
    }

    /// Stops the background subscription of `topic`, if any, and waits for it to end: an unsubscribe that follows
    /// cannot be undone by it.
    func cancelLinkModeSubscription(topic: String) async {
        guard let subscription = linkMode.subscriptions.removeValue(forKey: topic) else { return }
        subscription.task.cancel()
        await subscription.task.value
    }

    /// Stops every background subscription and waits for them to end (after ``shutdown()``: nothing of them runs
    /// once this returns).
    func cancelLinkModeSubscriptions() async {
        let tasks = linkMode.subscriptions.values.map(\.task)
        linkMode.subscriptions.removeAll()
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
    }

    // MARK: - Inbound

    /// Handles a link-mode URL the app received (`<our universal link>?wc_ev=…&topic=…`).
    ///
    /// - Type 2 (plaintext): accepted only here, only for a new `wc_sessionAuthenticate` request on a topic that
    ///   is no session's and no pending authentication's.
    /// - Type 1: only the answer to this client's link-mode authenticate request, on its response topic.
    /// - Type 0: any message on a topic whose key is known (requests and responses of link-mode sessions).
    /// - Throws: ``LinkModeError`` for a link that is refused; ``SignEngineError`` when the engine is not running.
    package func dispatchEnvelope(_ url: URL) async throws {
        try requireStarted()
        let link = try LinkModeEnvelope(url: url)
        guard link.bytes.count <= options.maxInboundMessageBytes else {
            throw LinkModeError.tooLarge(bytes: link.bytes.count)
        }
        let topic = link.topic
        let message = RelayMessage(topic: topic, message: link.relayText, publishedAt: wallClock.nowMilliseconds)
        let type: EnvelopeType
        do {
            type = try Crypto.envelopeType(of: message.message)
            _ = try Crypto.senderPublicKey(of: message.message)
        } catch {
            throw LinkModeError.malformedEnvelope
        }
        switch type {
        case .type2:
            try await dispatchPlaintext(message)
        case .type1:
            guard let pending = authState.pending(responseTopic: topic), pending.walletLink != nil else {
                throw LinkModeError.unknownTopic(topic)
            }
            guard try await decryptsAsAuthenticateAnswer(message, receiverPublicKey: pending.selfPublicKey) else {
                throw LinkModeError.undecryptable(topic: topic)
            }
            guard await processAuthenticateResponse(message) ?? false else { throw LinkModeError.notHandled(topic: topic) }
        case .type0:
            guard await crypto.hasKey(topic) else { throw LinkModeError.unknownTopic(topic) }
            if let session = await sessions.session(topic: topic), let peerLink = session.peer.metadata.redirect?.universal,
                session.transportType == .linkMode
            {
                await rememberLinkModeApp(peerLink)
            }
            linkMode.dispatching[message.message, default: 0] += 1
            let outcome = await process(message)
            linkMode.dispatching[message.message, default: 1] -= 1
            if linkMode.dispatching[message.message] == 0 { linkMode.dispatching[message.message] = nil }
            switch outcome {
            case .handled: break
            case .unreadable: throw LinkModeError.undecryptable(topic: topic)
            case .retry: throw LinkModeError.notHandled(topic: topic)
            }
        }
    }

    /// Whether a type-1 envelope opens with the key derived for `receiverPublicKey` (the derived key it stores is
    /// removed again unless a session uses it).
    private func decryptsAsAuthenticateAnswer(_ message: RelayMessage, receiverPublicKey: String) async throws -> Bool {
        guard let sender = try? Crypto.senderPublicKey(of: message.message) else { return false }
        let opened: Bool
        do {
            let text = try await crypto.decode(
                topic: message.topic, encoded: message.message, receiverPublicKey: receiverPublicKey)
            opened = (try? JSONRPCMessage.decode(text)) != nil
        } catch {
            opened = false
        }
        if let derived = try? await crypto.generateSharedKey(selfPublicKey: receiverPublicKey, peerPublicKey: sender),
            await sessions.session(topic: derived) == nil
        {
            try? await crypto.deleteSymKey(topic: derived)
        }
        return opened
    }

    /// A type-2 envelope from a link: a dapp's `wc_sessionAuthenticate` in link mode.
    private func dispatchPlaintext(_ message: RelayMessage) async throws {
        let topic = message.topic
        if await isSessionTopic(topic) || authState.pending(responseTopic: topic) != nil
            || authState.pending.values.contains(where: { $0.pairingTopic == topic })
        {
            throw LinkModeError.plaintextOnKnownTopic(topic)
        }
        let text: String
        do {
            text = try await crypto.decode(topic: topic, encoded: message.message)
        } catch {
            throw LinkModeError.malformedEnvelope
        }
        guard case .request(let request)? = try? JSONRPCMessage.decode(text),
            request.method == SignMethod.sessionAuthenticate.rawValue
        else { throw LinkModeError.plaintextNotAuthenticate }
        let id = request.id.rawValue
        if let record = await history.incoming(topic: topic, id: id), record.isResolved {
            logger.debug("dropped duplicate link-mode request", metadata: ["wk.topic": "\(topic)", "wk.rpc.id": "\(id)"])
            return
        }
        do {
            try await history.set(
                id: id, topic: topic, method: SignMethod.sessionAuthenticate.rawValue, direction: .incoming)
            try await onSessionAuthenticate(request, message: message, transportType: .linkMode)
        } catch {
            throw LinkModeError.notHandled(topic: topic)
        }
    }

    // MARK: - Dapp: authenticate through a link

    /// Asks a wallet to sign in through link mode: `wc_sessionAuthenticate` goes as a type-2 envelope in a link to
    /// `walletUniversalLink` (no relay, no fallback proposal), and the wallet answers with a type-1 link.
    ///
    /// When link mode cannot be used (this app or the wallet does not advertise it, no transport is set, or the
    /// wallet's link was not seen before, see ``registerLinkModeApp(_:)``) this is
    /// ``authenticate(_:rpcCaller:)`` over the relay.
    /// - Parameters:
    ///   - params: What to ask for.
    ///   - walletUniversalLink: The wallet's universal link.
    ///   - rpcCaller: Verifies EIP-1271 CACAOs.
    /// - Returns: The authentication (its `uri` is `nil` in link mode) and an awaitable answer.
    /// - Throws: ``SDKError`` (invalid params), ``AuthError``, or the transport's error.
    package func authenticate(
        _ params: AuthRequestParams, walletUniversalLink: String, rpcCaller: (any EthereumRPCCaller)? = nil
    ) async throws -> SignAuthentication {
        let walletMetadata = Metadata(
            name: "", description: "", url: "", icons: [],
            redirect: Metadata.Redirect(universal: walletUniversalLink, linkMode: true))
        guard let target = linkTarget(peer: walletMetadata) else {
            return try await authenticate(params, rpcCaller: rpcCaller)
        }
        try requireStarted()
        try Self.validateAuthenticate(params)
        let now = nowSeconds
        let requestTTL = params.expiry ?? SignLifetimes.authRequestMinimum
        let expiryTimestamp = now + max(requestTTL, SignLifetimes.authRequestMinimum)
        let resources = try OneClickAuth.authenticateResources(resources: params.resources, methods: params.methods)
        let created = try await pairing.create(methods: [SignMethod.sessionAuthenticate.rawValue], subscribe: false)
        let topic = created.topic
        let selfPublicKey = try await crypto.generateKeyPair()
        let responseTopic = try SignTopics.authResponseTopic(requesterPublicKey: selfPublicKey)
        let payload = AuthPayload(
            type: params.type ?? "caip122", chains: params.chains, statement: params.statement, aud: params.uri,
            domain: params.domain, version: "1", nonce: params.nonce,
            iat: ISO8601Timestamp.string(milliseconds: wallClock.nowMilliseconds), nbf: params.nbf, exp: params.exp,
            requestID: params.requestID, resources: resources)
        let requestParams = SessionAuthenticateParams(
            requester: Participant(publicKey: selfPublicKey, metadata: metadata), authPayload: try payload.jsonValue(),
            expiryTimestamp: expiryTimestamp)
        let requestID = nextPayloadID()
        let fallbackID = nextPayloadID()
        authState.insert(
            .init(
                requestID: requestID, fallbackProposalID: fallbackID, pairingTopic: topic, responseTopic: responseTopic,
                selfPublicKey: selfPublicKey, payload: payload, rpcCaller: rpcCaller, walletLink: target))
        guard authWaiters.register(requestID), approvalWaiters.register(fallbackID) else {
            await endAuthentication(requestID: requestID, .failed)
            throw SignEngineError.shutDown
        }
        do {
            try await expirer.set(.id(requestID), expiry: expiryTimestamp)
            let request = JSONRPCRequest(
                id: RPCID(requestID), method: SignMethod.sessionAuthenticate.rawValue,
                params: try JSONValue(encoding: requestParams))
            let envelope = try await crypto.encode(topic: topic, payload: WireJSON.string(request), type: .type2)
            try await history.set(
                id: requestID, topic: topic, method: SignMethod.sessionAuthenticate.rawValue, direction: .outgoing)
            try await openLink(universalLink: target, topic: topic, relayText: envelope)
        } catch {
            await endAuthentication(requestID: requestID, .failed)
            authWaiters.discard(requestID)
            approvalWaiters.discard(fallbackID)
            throw error
        }
        logger.debug("sent authenticate request by link", metadata: ["wk.topic": "\(topic)", "wk.rpc.id": "\(requestID)"])
        let backstop = Duration.seconds(expiryTimestamp - now) + .seconds(5)
        return SignAuthentication(
            uri: nil, pairingTopic: topic, requestID: requestID, fallbackProposalID: fallbackID,
            responseTopic: responseTopic
        ) {
            try await self.awaitAuthentication(requestID: requestID, fallbackProposalID: fallbackID, backstop: backstop)
        }
    }
}
