import Foundation
import Testing
import WalletConnectCore
import WalletConnectSign
import WalletKitTesting

/// A dapp and a wallet in one process that talk only through links: each has an ``OfflineRelayClient`` (every
/// relay call throws, nothing is ever delivered) and a ``RecordingLinkModeTransport``.
struct LinkWorld: Sendable {
    static let dappLink = "https://dapp.example/wc"
    static let walletLink = "https://wallet.example/wc"
    static let dappMetadata = Metadata(
        name: "Link Dapp", description: "dapp using link mode", url: "https://dapp.example", icons: [],
        redirect: Metadata.Redirect(universal: dappLink, linkMode: true))
    static let walletMetadata = Metadata(
        name: "Link Wallet", description: "wallet using link mode", url: "https://wallet.example", icons: [],
        redirect: Metadata.Redirect(universal: walletLink, linkMode: true))

    let dapp: EngineClient
    let wallet: EngineClient
    let dappRelay: OfflineRelayClient
    let walletRelay: OfflineRelayClient
    let dappLinks: RecordingLinkModeTransport
    let walletLinks: RecordingLinkModeTransport

    static func make(
        dappMetadata: Metadata = LinkWorld.dappMetadata, walletMetadata: Metadata = LinkWorld.walletMetadata
    ) async throws -> LinkWorld {
        let dappRelay = OfflineRelayClient()
        let walletRelay = OfflineRelayClient()
        let dapp = try await EngineClient.make(name: "dapp", relay: dappRelay, metadata: dappMetadata)
        let wallet = try await EngineClient.make(name: "wallet", relay: walletRelay, metadata: walletMetadata)
        let dappLinks = RecordingLinkModeTransport()
        let walletLinks = RecordingLinkModeTransport()
        await dapp.engine.setLinkModeTransport(dappLinks)
        await wallet.engine.setLinkModeTransport(walletLinks)
        return LinkWorld(
            dapp: dapp, wallet: wallet, dappRelay: dappRelay, walletRelay: walletRelay, dappLinks: dappLinks,
            walletLinks: walletLinks)
    }

    func stop() async {
        dappLinks.finish()
        walletLinks.finish()
        dappRelay.finish()
        walletRelay.finish()
        await dapp.stop()
        await wallet.stop()
    }

    /// The dapp asks by link, the wallet receives the link; returns the authentication and the wallet's request.
    func requestAuthentication() async throws -> (SignAuthentication, PendingAuthRequest, URL) {
        await dapp.engine.registerLinkModeApp(Self.walletLink)
        let authentication = try await dapp.engine.authenticate(AuthFixture.params(), walletUniversalLink: Self.walletLink)
        let link = try #require(dappLinks.openedURLs.last)
        try await wallet.engine.dispatchEnvelope(link)
        let event = try await wallet.next { $0.isSessionAuthenticate }
        guard case .sessionAuthenticate(let pending) = event else { throw EngineFixture.FixtureError.unexpected }
        return (authentication, pending, link)
    }

    /// One-click auth completed through links; returns both sides' sessions.
    func authenticate() async throws -> (dapp: Session, wallet: Session) {
        let (authentication, pending, _) = try await requestAuthentication()
        let walletSession = try #require(
            try await wallet.engine.approveSessionAuthenticate(
                requestID: pending.id, auths: try AuthFixture.sign(pending.authPayload)))
        let answer = try #require(walletLinks.openedURLs.last)
        try await dapp.engine.dispatchEnvelope(answer)
        let result = try await AuthFixture.response(authentication)
        let dappSession = try #require(result.session)
        return (dappSession, walletSession)
    }
}

/// The `wc_ev` envelope of a link, decoded.
func linkEnvelope(_ url: URL) throws -> LinkModeEnvelope { try LinkModeEnvelope(url: url) }

@Suite("Link mode (sign.md §3.14)")
struct EngineLinkModeTests {
    @Test("the decision rule: both advertise link mode and the peer's link was seen")
    func decisionRule() {
        let plain = Metadata(name: "p", description: "", url: "https://p.example", icons: [])
        let noFlag = Metadata(
            name: "n", description: "", url: "https://n.example", icons: [],
            redirect: .init(universal: "https://n.example/wc", linkMode: false))
        let seen: Set<String> = [LinkWorld.walletLink, "https://n.example/wc"]
        #expect(
            LinkModePolicy.target(selfMetadata: LinkWorld.dappMetadata, peer: LinkWorld.walletMetadata, seenLinks: seen)
                == LinkWorld.walletLink)
        #expect(LinkModePolicy.target(selfMetadata: LinkWorld.dappMetadata, peer: LinkWorld.walletMetadata, seenLinks: []) == nil)
        #expect(LinkModePolicy.target(selfMetadata: plain, peer: LinkWorld.walletMetadata, seenLinks: seen) == nil)
        #expect(LinkModePolicy.target(selfMetadata: LinkWorld.dappMetadata, peer: noFlag, seenLinks: seen) == nil)
        #expect(LinkModePolicy.target(selfMetadata: LinkWorld.dappMetadata, peer: plain, seenLinks: seen) == nil)
    }

    @Test("metadata redirect round-trips {native, universal, linkMode}")
    func metadataRedirect() throws {
        let json = #"{"name":"a","description":"b","url":"https://a.example","icons":[],"redirect":{"native":"a://","universal":"https://a.example/wc","linkMode":true}}"#
        let metadata = try JSONDecoder().decode(Metadata.self, from: Data(json.utf8))
        #expect(metadata.redirect == Metadata.Redirect(native: "a://", universal: "https://a.example/wc", linkMode: true))
        #expect(LinkModePolicy.advertises(metadata) == "https://a.example/wc")
    }

    @Test("link-mode verify context: VALID iff the universal link has the metadata URL's origin")
    func verifyContext() {
        #expect(LinkModePolicy.verifyContext(for: LinkWorld.dappMetadata).verified.validation == .valid)
        let spoof = Metadata(
            name: "s", description: "", url: "https://bank.example", icons: [],
            redirect: .init(universal: "https://evil.example/wc", linkMode: true))
        #expect(LinkModePolicy.verifyContext(for: spoof).verified.validation == .invalid)
    }

    @Test("a link is `<universal>?wc_ev=<base64url>&topic=<topic>` and parses back", .timeLimit(.minutes(1)))
    func linkFormat() throws {
        let topic = String(repeating: "ab", count: 32)
        let bytes: [UInt8] = [0x02] + Array(#"{"a":"??>>"}"#.utf8) + [0xfb, 0xff]
        let url = try LinkModeEnvelope(topic: topic, bytes: bytes).url(universalLink: "https://w.example/wc")
        let text = url.absoluteString
        #expect(text.hasPrefix("https://w.example/wc?wc_ev="))
        #expect(text.hasSuffix("&topic=\(topic)"))
        let wcEv = try #require(URLComponents(url: url, resolvingAgainstBaseURL: false)?.queryItems?.first?.value)
        #expect(wcEv == Base64Codec.encodeURL(bytes))
        #expect(!wcEv.contains("+") && !wcEv.contains("/") && !wcEv.contains("="))
        let parsed = try LinkModeEnvelope(url: url)
        #expect(parsed.bytes == bytes)
        #expect(parsed.topic == topic)
    }

    @Test("one-click auth and a signed request through links, with no relay at all", .timeLimit(.minutes(1)))
    func authAndRequestWithoutRelay() async throws {
        let world = try await LinkWorld.make()
        do {
            let (authentication, pending, link) = try await world.requestAuthentication()
            #expect(authentication.uri == nil)
            #expect(link.absoluteString.hasPrefix(LinkWorld.walletLink + "?wc_ev="))
            let envelope = try linkEnvelope(link)
            #expect(envelope.bytes.first == 0x02)
            #expect(envelope.topic == authentication.pairingTopic)
            #expect(pending.transportType == .linkMode)
            #expect(pending.verifyContext?.verified.validation == .valid)

            let walletSession = try #require(
                try await world.wallet.engine.approveSessionAuthenticate(
                    requestID: pending.id, auths: try AuthFixture.sign(pending.authPayload)))
            #expect(walletSession.transportType == .linkMode)
            let answer = try #require(world.walletLinks.openedURLs.last)
            #expect(answer.absoluteString.hasPrefix(LinkWorld.dappLink + "?wc_ev="))
            #expect(try linkEnvelope(answer).bytes.first == 0x01)
            try await world.dapp.engine.dispatchEnvelope(answer)
            let result = try await AuthFixture.response(authentication)
            let dappSession = try #require(result.session)
            #expect(dappSession.topic == walletSession.topic)
            #expect(dappSession.transportType == .linkMode)

            // A signed request and its answer, both as type-0 links.
            let dappOpened = world.dappLinks.links()
            let walletOpened = world.walletLinks.links()
            let address = try AuthFixture.walletAddress
            let call = Task {
                try await world.dapp.engine.request(
                    topic: dappSession.topic, chainID: "eip155:1", method: "personal_sign",
                    params: ["0x68656c6c6f", .string(address)])
            }
            let requestLink = try await BoundedWait.first(in: dappOpened)
            #expect(requestLink.absoluteString.hasPrefix(LinkWorld.walletLink + "?wc_ev="))
            #expect(try linkEnvelope(requestLink).bytes.first == 0x00)
            #expect(try linkEnvelope(requestLink).topic == dappSession.topic)
            try await world.wallet.engine.dispatchEnvelope(requestLink)
            let request = try #require(try await world.wallet.next { $0.sessionRequest != nil }.sessionRequest)
            #expect(request.params.request.method == "personal_sign")
            // Verify in link mode: the dapp's universal link has its metadata URL's origin.
            #expect(request.verifyContext?.verified.validation == .valid)
            try await world.wallet.engine.respondSessionRequest(
                topic: request.topic, response: JSONRPCResponse(id: RPCID(request.id), result: "0xsigned"))
            let responseLink = try await BoundedWait.first(in: walletOpened)
            #expect(responseLink.absoluteString.hasPrefix(LinkWorld.dappLink + "?wc_ev="))
            try await world.dapp.engine.dispatchEnvelope(responseLink)
            #expect(try await call.boundedValue() == "0xsigned")

            #expect(world.dappRelay.publishAttempts == 0)
            #expect(world.walletRelay.publishAttempts == 0)
        } catch {
            await world.stop()
            throw error
        }
        await world.stop()
    }

    @Test("every relay call refused: the link exchange completes, and each side records the session topic for the relay",
        .timeLimit(.minutes(1)))
    func sessionTopicRecordedForRelay() async throws {
        let world = try await LinkWorld.make()
        do {
            let (dappSession, walletSession) = try await world.authenticate()
            let topic = dappSession.topic
            #expect(walletSession.topic == topic)
            // In the background: recorded (a relay that is down subscribes it when it connects), then one attempt.
            for relay in [world.dappRelay, world.walletRelay] {
                try await BoundedWait.until { relay.markedTopics == [topic] && relay.attempts["subscribe"] == 1 }
                #expect(relay.publishAttempts == 0)
            }
        } catch {
            await world.stop()
            throw error
        }
        await world.stop()
    }

    @Test("without the peer's link seen, authenticate stays on the relay", .timeLimit(.minutes(1)))
    func unseenPeerUsesRelay() async throws {
        let hub = InMemoryRelayHub()
        let dapp = try await EngineClient.make(
            name: "dapp", relay: hub.makeClient(clientID: "dapp"), metadata: LinkWorld.dappMetadata)
        let transport = RecordingLinkModeTransport()
        await dapp.engine.setLinkModeTransport(transport)
        let authentication = try await dapp.engine.authenticate(
            AuthFixture.params(), walletUniversalLink: LinkWorld.walletLink)
        #expect(authentication.uri != nil)
        #expect(transport.openedURLs.isEmpty)
        await dapp.stop()
    }

    @Test("the links seen are stored in the engine's namespace: the next engine on the storage has them, another prefix not",
        .timeLimit(.minutes(1)))
    func seenLinksPersisted() async throws {
        let storage = InMemoryStorage()
        func engine(prefix: String) async throws -> (EngineClient, OfflineRelayClient) {
            var options = EngineClient.fastOptions
            options.storagePrefix = prefix
            let relay = OfflineRelayClient()
            let client = try await EngineClient.make(
                name: "wallet", relay: relay, storage: storage, metadata: LinkWorld.walletMetadata, options: options)
            return (client, relay)
        }
        func stop(_ client: (EngineClient, OfflineRelayClient)) async {
            client.1.finish()
            await client.0.stop()
        }
        let first = try await engine(prefix: "a")
        await first.0.engine.registerLinkModeApp(LinkWorld.dappLink)
        #expect(await first.0.engine.linkModeApps == [LinkWorld.dappLink])
        await stop(first)
        let keys = try await storage.values(withPrefix: "wc@2:").map(\.key)
        #expect(keys.filter { $0.hasPrefix(StorageKey.linkModeApps(prefix: "a").rawValue) }.count == 1)

        let again = try await engine(prefix: "a")
        let apps = await again.0.engine.linkModeApps
        await stop(again)
        #expect(apps == [LinkWorld.dappLink])
        let other = try await engine(prefix: "b")
        let otherApps = await other.0.engine.linkModeApps
        await stop(other)
        #expect(otherApps.isEmpty)
    }

    @Test("forged links are refused with typed errors", .timeLimit(.minutes(1)))
    func forgedLinks() async throws {
        let world = try await LinkWorld.make()
        do {
            let (dappSession, _) = try await world.authenticate()
            let topic = dappSession.topic
            let wallet = world.wallet.engine

            // Not a link-mode URL at all.
            await #expect(throws: LinkModeError.malformedLink("no wc_ev")) {
                try await wallet.dispatchEnvelope(URL(string: "https://wallet.example/wc?topic=\(topic)")!)
            }

            // A request sealed with the session key, sent on a topic the wallet does not know (wrong topic).
            let request = JSONRPCRequest(
                id: RPCID(1), method: "wc_sessionPing", params: .object([:]))
            let sealed = try await world.dapp.crypto.encode(topic: topic, payload: WireJSON.string(request))
            let otherTopic = String(repeating: "0f", count: 32)
            let wrongTopic = try LinkModeEnvelope(topic: otherTopic, bytes: Base64Codec.decode(sealed))
                .url(universalLink: LinkWorld.walletLink)
            await #expect(throws: LinkModeError.unknownTopic(otherTopic)) {
                try await wallet.dispatchEnvelope(wrongTopic)
            }

            // The session's topic, sealed with another key (wrong key).
            let attacker = Crypto(keyChain: KeyChain.inMemory())
            _ = try await attacker.setSymKey(Hex.encode([UInt8](repeating: 7, count: 32)), overrideTopic: topic)
            let forged = try await attacker.encode(topic: topic, payload: WireJSON.string(request))
            let wrongKey = try LinkModeEnvelope(topic: topic, bytes: Base64Codec.decode(forged))
                .url(universalLink: LinkWorld.walletLink)
            await #expect(throws: LinkModeError.undecryptable(topic: topic)) {
                try await wallet.dispatchEnvelope(wrongKey)
            }

            // A type-2 (plaintext) envelope claiming the existing session.
            let plaintext = try await attacker.encode(topic: topic, payload: WireJSON.string(request), type: .type2)
            let claim = try LinkModeEnvelope(topic: topic, bytes: Base64Codec.decode(plaintext))
                .url(universalLink: LinkWorld.walletLink)
            await #expect(throws: LinkModeError.plaintextOnKnownTopic(topic)) {
                try await wallet.dispatchEnvelope(claim)
            }

            // A type-2 envelope on a fresh topic that is not wc_sessionAuthenticate.
            let fresh = String(repeating: "1e", count: 32)
            let notAuth = try LinkModeEnvelope(topic: fresh, bytes: Base64Codec.decode(plaintext))
                .url(universalLink: LinkWorld.walletLink)
            await #expect(throws: LinkModeError.plaintextNotAuthenticate) {
                try await wallet.dispatchEnvelope(notAuth)
            }

            // A type-1 envelope on a topic where no link-mode authentication waits.
            let sender = try await attacker.generateKeyPair()
            let receiver = try await attacker.generateKeyPair()
            let type1 = try await attacker.encode(
                topic: topic, payload: WireJSON.string(request), type: .type1, senderPublicKey: sender,
                receiverPublicKey: receiver)
            let strayType1 = try LinkModeEnvelope(topic: fresh, bytes: Base64Codec.decode(type1))
                .url(universalLink: LinkWorld.dappLink)
            await #expect(throws: LinkModeError.unknownTopic(fresh)) {
                try await world.dapp.engine.dispatchEnvelope(strayType1)
            }
            #expect(await wallet.pendingSessionRequests().isEmpty)
        } catch {
            await world.stop()
            throw error
        }
        await world.stop()
    }

    @Test("a type-2 authenticate request over the relay is still dropped", .timeLimit(.minutes(1)))
    func type2OverRelayRefused() async throws {
        try await EngineFixture.withPair { _, dapp, wallet in
            let pairing = try await dapp.pairing.create(methods: ["wc_sessionAuthenticate"], subscribe: true)
            try await wallet.engine.pair(uri: pairing.uri)
            func authenticateRequest(id: Int64) async throws -> String {
                let requester = try await dapp.crypto.generateKeyPair()
                let payload = AuthPayload(
                    type: "caip122", chains: ["eip155:1"], statement: nil, aud: "https://dapp.example/login",
                    domain: "dapp.example", version: "1", nonce: "n0nce\(id)", iat: "2026-01-01T00:00:00.000Z",
                    nbf: nil, exp: nil, requestID: nil, resources: nil)
                let params = SessionAuthenticateParams(
                    requester: Participant(publicKey: requester, metadata: LinkWorld.dappMetadata),
                    authPayload: try payload.jsonValue(), expiryTimestamp: Int64(Date.now.timeIntervalSince1970) + 3600)
                let request = JSONRPCRequest(
                    id: RPCID(id), method: "wc_sessionAuthenticate", params: try JSONValue(encoding: params))
                return try WireJSON.string(request)
            }
            let plaintext = try await dapp.crypto.encode(
                topic: pairing.topic, payload: try await authenticateRequest(id: 42), type: .type2)
            let sealed = try await dapp.crypto.encode(topic: pairing.topic, payload: try await authenticateRequest(id: 43))
            let options = PublishOptions(ttl: 300, tag: 1116)
            try await dapp.relay.publish(topic: pairing.topic, message: plaintext, options: options)
            try await dapp.relay.publish(topic: pairing.topic, message: sealed, options: options)
            // Messages are handled in order: once the sealed request is announced, the plaintext one was handled.
            let event = try await wallet.next { $0.isSessionAuthenticate }
            guard case .sessionAuthenticate(let pending) = event else { throw EngineFixture.FixtureError.unexpected }
            #expect(pending.id == 43)
            #expect(await wallet.engine.pendingAuthRequests().map(\.id) == [43])
        }
    }

    @Test("a link that cannot be opened fails authenticate and leaves nothing pending", .timeLimit(.minutes(1)))
    func openFailure() async throws {
        let world = try await LinkWorld.make()
        do {
            struct CannotOpen: Error, Equatable {}
            await world.dapp.engine.registerLinkModeApp(LinkWorld.walletLink)
            world.dappLinks.failNextOpen(with: CannotOpen())
            await #expect(throws: CannotOpen.self) {
                _ = try await world.dapp.engine.authenticate(
                    AuthFixture.params(), walletUniversalLink: LinkWorld.walletLink)
            }
            #expect(world.dappLinks.openedURLs.isEmpty)
            // The next attempt goes through.
            _ = try await world.dapp.engine.authenticate(AuthFixture.params(), walletUniversalLink: LinkWorld.walletLink)
            #expect(world.dappLinks.openedURLs.count == 1)
        } catch {
            await world.stop()
            throw error
        }
        await world.stop()
    }

    @Test("a link-mode request whose universal link is not on its metadata origin is marked INVALID", .timeLimit(.minutes(1)))
    func spoofedOrigin() async throws {
        let spoof = Metadata(
            name: "Spoof", description: "", url: "https://bank.example", icons: [],
            redirect: .init(universal: LinkWorld.dappLink, linkMode: true))
        let world = try await LinkWorld.make(dappMetadata: spoof)
        do {
            let (_, pending, _) = try await world.requestAuthentication()
            #expect(pending.verifyContext?.verified.validation == .invalid)
            #expect(pending.verifyContext?.verified.origin == "https://bank.example")
        } catch {
            await world.stop()
            throw error
        }
        await world.stop()
    }
}
