import Foundation
import Testing
import WalletConnectCore
import WalletKitTesting

/// One side of a pairing test: its own key chain, storage, expirer and relay client on a shared hub.
struct PairingPeer {
    let crypto: Crypto
    let relay: InMemoryRelayClient
    let expirer: Expirer
    let storage: any KeyValueStorage
    let pairing: Pairing

    init(
        hub: InMemoryRelayHub, clock: ManualClock, wallClock: WallClock, storage: any KeyValueStorage = InMemoryStorage(),
        keyChain: KeyChain = .inMemory(), relay: InMemoryRelayClient? = nil
    ) async throws {
        self.crypto = Crypto(keyChain: keyChain, wallClock: wallClock)
        self.relay = relay ?? hub.makeClient()
        self.storage = storage
        self.expirer = Expirer(storage: storage, clock: clock, wallClock: wallClock)
        try await expirer.load()
        self.pairing = Pairing(
            crypto: crypto, relay: self.relay, expirer: expirer, storage: storage, clock: clock, wallClock: wallClock)
        try await pairing.load()
    }

    /// Hands every inbound relay message to the pairing controller (what the Sign engine does), recording results.
    func startPump(results: AsyncStream<PairingHandlingResult>.Continuation? = nil) -> Task<Void, Never> {
        let stream = relay.messages()
        let pairing = self.pairing
        let relay = self.relay
        return Task {
            for await message in stream {
                let result = await pairing.handle(message)
                results?.yield(result)
                await relay.markHandled(message)
            }
        }
    }
}

@Suite("Pairing", .timeLimit(.minutes(1)))
struct PairingTests {
    let clock = ManualClock()
    let hub: InMemoryRelayHub
    let wall: WallClock

    init() {
        wall = ManualWallClock(clock: clock, epochSeconds: 1_700_000_000).wallClock
        hub = InMemoryRelayHub(wallClock: wall)
    }

    func makePeers() async throws -> (dapp: PairingPeer, wallet: PairingPeer) {
        (try await PairingPeer(hub: hub, clock: clock, wallClock: wall),
         try await PairingPeer(hub: hub, clock: clock, wallClock: wall))
    }

    @Test func createAndPairStoreMatchingRecords() async throws {
        let (dapp, wallet) = try await makePeers()
        let events = wallet.pairing.events()
        let (topic, uri) = try await dapp.pairing.create(methods: ["wc_sessionPropose"])
        #expect(uri.hasPrefix("wc:\(topic)@2?expiryTimestamp=1700000300&methods=wc_sessionPropose&relay-protocol=irn&symKey="))
        let created = try #require(await dapp.pairing.pairing(topic: topic))
        #expect(created == PairingInfo(topic: topic, expiry: 1_700_000_300, active: false, methods: ["wc_sessionPropose"]))
        #expect(await dapp.crypto.hasKey(topic))
        #expect(try await dapp.expirer.get(.topic(topic)) == 1_700_000_300)

        let paired = try await wallet.pairing.pair(uri: uri)
        #expect(paired == created)
        #expect(await wallet.crypto.hasKey(topic))
        #expect(await wallet.pairing.pairings() == [paired])
        #expect(Set(await hub.subscribers(of: topic)) == [dapp.relay.clientID, wallet.relay.clientID])
        #expect(try await BoundedWait.first(in: events) == .created(paired))
    }

    @Test func createWithoutSubscribe() async throws {
        let (dapp, _) = try await makePeers()
        let (topic, _) = try await dapp.pairing.create(subscribe: false)
        #expect(await hub.subscribers(of: topic).isEmpty)
    }

    @Test func pingBothWays() async throws {
        let (dapp, wallet) = try await makePeers()
        let (topic, uri) = try await dapp.pairing.create()
        try await wallet.pairing.pair(uri: uri)
        let pumps = [dapp.startPump(), wallet.startPump()]
        defer { pumps.forEach { $0.cancel() } }
        let dappEvents = dapp.pairing.events()
        try await wallet.pairing.ping(topic: topic)
        let pinged = try await BoundedWait.first(in: dappEvents)
        guard case .ping(let pingTopic, _) = pinged else { Issue.record("expected a ping event, got \(pinged)"); return }
        #expect(pingTopic == topic)
        try await dapp.pairing.ping(topic: topic)

        let tags = await hub.publishes(on: topic).map { [$0.options.tag, Int($0.options.ttl)] }
        #expect(tags == [[1002, 30], [1003, 30], [1002, 30], [1003, 30]])
        #expect(await hub.publishes(on: topic).allSatisfy { $0.options.prompt == false })
    }

    @Test func pingTimesOutOnTheInjectedClock() async throws {
        let (dapp, wallet) = try await makePeers()
        let (topic, uri) = try await dapp.pairing.create()
        try await wallet.pairing.pair(uri: uri)
        // No pump on the dapp side: nobody answers.
        let ping = Task { try await wallet.pairing.ping(topic: topic) }
        try await clock.waitForSleepers()
        clock.advance(by: .seconds(30))
        await #expect(throws: PairingError.self) { try await ping.boundedValue() }
        do {
            try await ping.boundedValue()
        } catch let error as PairingError {
            #expect(error.kind == .pingTimeout)
        }
    }

    @Test func pingAndDisconnectValidation() async throws {
        let (dapp, _) = try await makePeers()
        let unknown = String(repeating: "d", count: 64)
        await #expect(throws: PairingError.self) { try await dapp.pairing.ping(topic: "") }
        do {
            try await dapp.pairing.ping(topic: "")
        } catch {
            #expect(String(describing: error) == "Missing or invalid. pairing topic should be a string: ")
        }
        do {
            try await dapp.pairing.disconnect(topic: unknown)
            Issue.record("disconnect of an unknown topic must throw")
        } catch {
            #expect(String(describing: error) == "No matching key. pairing topic doesn't exist: \(unknown)")
        }
        let (topic, _) = try await dapp.pairing.create()
        clock.advance(by: .seconds(300))
        do {
            try await dapp.pairing.ping(topic: topic)
            Issue.record("ping of an expired pairing must throw")
        } catch {
            #expect(String(describing: error) == "Expired. pairing topic: \(topic)")
        }
        #expect(await dapp.pairing.pairing(topic: topic) == nil, "an expired pairing is deleted on validation")
    }

    @Test(arguments: [false, true])
    func disconnectDeletesBothSides(fromWallet: Bool) async throws {
        let (dapp, wallet) = try await makePeers()
        let (topic, uri) = try await dapp.pairing.create()
        try await wallet.pairing.pair(uri: uri)
        let pumps = [dapp.startPump(), wallet.startPump()]
        defer { pumps.forEach { $0.cancel() } }
        let (initiator, receiver) = fromWallet ? (wallet, dapp) : (dapp, wallet)
        let receiverEvents = receiver.pairing.events()
        let initiatorEvents = initiator.pairing.events()
        try await initiator.pairing.disconnect(topic: topic)

        let deleteRequest = try #require(await hub.publishes(on: topic).last)
        #expect(deleteRequest.options.tag == 1000)
        #expect(deleteRequest.options.ttl == 86_400)
        #expect(await initiator.pairing.pairings().isEmpty)
        #expect(await initiator.crypto.hasKey(topic) == false)
        #expect(await initiator.expirer.has(.topic(topic)) == false)
        #expect(try await BoundedWait.first(in: initiatorEvents) == .deleted(topic: topic, byPeer: false))

        let event = try await BoundedWait.first(in: receiverEvents)
        #expect(event == .deleted(topic: topic, byPeer: true))
        #expect(await receiver.pairing.pairings().isEmpty)
        #expect(await receiver.crypto.hasKey(topic) == false)
        #expect(await receiver.expirer.has(.topic(topic)) == false)
        #expect(await hub.subscribers(of: topic).isEmpty)
        #expect(await hub.publishes(on: topic).count == 1, "a received delete gets no success reply")
        // The delete payload decodes to the spec's params.
        let request = try await decodeRequest(deleteRequest.message, uri: uri)
        #expect(request.method == "wc_pairingDelete")
        #expect(request.params == ["code": 6000, "message": "User disconnected."])
    }

    @Test func expiredURIIsRejectedWithTheJSMessage() async throws {
        let (dapp, wallet) = try await makePeers()
        let (_, uri) = try await dapp.pairing.create()
        clock.advance(by: .seconds(301))
        do {
            try await wallet.pairing.pair(uri: uri)
            Issue.record("pairing an expired URI must throw")
        } catch {
            #expect(String(describing: error) == "Expired. pair() URI has expired. Please try again with a new connection URI.")
        }
        #expect(await wallet.pairing.pairings().isEmpty)
    }

    @Test func alreadyActivePairingIsRejectedButInactiveMayRepair() async throws {
        let (dapp, wallet) = try await makePeers()
        let (topic, uri) = try await dapp.pairing.create()
        try await wallet.pairing.pair(uri: uri)
        try await wallet.pairing.pair(uri: uri)  // inactive: allowed
        let activated = try await wallet.pairing.activate(topic: topic)
        #expect(activated.active)
        do {
            try await wallet.pairing.pair(uri: uri)
            Issue.record("pairing an active topic must throw")
        } catch {
            #expect(String(describing: error) == "Pairing already exists: \(topic). Please try again with a new connection URI.")
        }
        let (otherTopic, otherURI) = try await dapp.pairing.create()
        let direct = try await wallet.pairing.pair(uri: otherURI, activate: true)
        #expect(direct.active && direct.topic == otherTopic)
    }

    @Test(arguments: ["", "not a uri", "wc:abc@1?bridge=x&key=y", "wc:\(String(repeating: "a", count: 64))@2?relay-protocol=irn"])
    func malformedURIIsRejected(uri: String) async throws {
        let (_, wallet) = try await makePeers()
        await #expect(throws: PairingURIError.self) { try await wallet.pairing.pair(uri: uri) }
        #expect(await wallet.pairing.pairings().isEmpty)
    }

    @Test func malformedURIMessages() async throws {
        let (_, wallet) = try await makePeers()
        do {
            try await wallet.pairing.pair(uri: "wc:abc@1?bridge=x&key=y")
        } catch {
            #expect(String(describing: error) == "Missing or invalid. pair() uri#relay-protocol")
        }
        do {
            try await wallet.pairing.pair(uri: "wc:\(String(repeating: "a", count: 64))@2?relay-protocol=irn")
        } catch {
            #expect(String(describing: error) == "Missing or invalid. pair() uri#symKey")
        }
        let unsupported = "wc:\(String(repeating: "a", count: 64))@2?relay-protocol=foo&symKey=\(String(repeating: "b", count: 64))"
        do {
            try await wallet.pairing.pair(uri: unsupported)
            Issue.record("unsupported relay protocol must throw")
        } catch {
            #expect(String(describing: error) == "Relay Protocol not supported: foo")
        }
    }

    @Test func expiryFiresAndRemovesThePairing() async throws {
        let (dapp, wallet) = try await makePeers()
        let (topic, uri) = try await dapp.pairing.create()
        try await wallet.pairing.pair(uri: uri)
        let events = wallet.pairing.events()
        let runner = Task { await wallet.pairing.run() }
        defer { runner.cancel() }
        clock.advance(by: .seconds(299))
        #expect(await wallet.expirer.checkNow().isEmpty)
        clock.advance(by: .seconds(1))
        #expect(await wallet.expirer.checkNow().map(\.target) == ["topic:" + topic])
        #expect(try await BoundedWait.first(in: events) == .expired(topic: topic))
        #expect(await wallet.pairing.pairings().isEmpty)
        #expect(await wallet.crypto.hasKey(topic) == false)
        #expect(await hub.subscribers(of: topic) == [dapp.relay.clientID])
    }

    @Test func unknownMethodGets10001AndRegisteredMethodsAreForwarded() async throws {
        let (dapp, wallet) = try await makePeers()
        let (topic, uri) = try await dapp.pairing.create()
        try await wallet.pairing.pair(uri: uri)
        await wallet.pairing.register(methods: ["wc_sessionPropose"])
        let (results, continuation) = AsyncStream<PairingHandlingResult>.makeStream()
        let walletPump = wallet.startPump(results: continuation)
        defer { walletPump.cancel() }
        let dappInbound = dapp.relay.messages()

        let unknown = JSONRPCRequest(id: RPCID(1_700_000_000_000_001), method: "wc_fooBar", params: [:])
        try await publish(unknown, topic: topic, from: dapp)
        let reply = try await BoundedWait.first(in: dappInbound)
        #expect(reply.tag == 0)
        let text = try await dapp.crypto.decode(topic: topic, encoded: reply.message)
        guard case .response(let response) = try JSONRPCMessage.decode(text) else {
            Issue.record("expected a response"); return
        }
        #expect(response.id == unknown.id)
        #expect(response.error == JSONRPCError(code: 10001, message: "Unsupported wc_ method. wc_fooBar"))
        #expect(await hub.publishes(on: topic).last?.options.ttl == 86_400)

        let registered = JSONRPCRequest(id: RPCID(1_700_000_000_000_002), method: "wc_sessionPropose", params: ["x": 1])
        try await publish(registered, topic: topic, from: dapp)
        let forwarded = try await BoundedWait.collect(2, from: results)
        #expect(forwarded == [.handled, .forwarded(.request(registered))])
    }

    @Test func typeOneEnvelopesAndGarbageAreIgnored() async throws {
        let (dapp, wallet) = try await makePeers()
        let (topic, uri) = try await dapp.pairing.create()
        try await wallet.pairing.pair(uri: uri)
        let walletKey = try await wallet.crypto.generateKeyPair()
        let dappKey = try await dapp.crypto.generateKeyPair()
        let typeOne = try await dapp.crypto.encode(
            topic: topic, payload: #"{"id":1,"jsonrpc":"2.0","method":"wc_fooBar","params":{}}"#, type: .type1,
            senderPublicKey: dappKey, receiverPublicKey: walletKey)
        #expect(await wallet.pairing.handle(RelayMessage(topic: topic, message: typeOne, publishedAt: 0)) == .ignored)
        #expect(await wallet.pairing.handle(RelayMessage(topic: topic, message: "!!", publishedAt: 0)) == .ignored)
        #expect(await hub.publishes(on: topic).isEmpty, "nothing is answered")
    }

    @Test func stateSurvivesRecreationOnTheSameSQLiteFile() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pairing-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let databasePath = directory.appendingPathComponent("wc.sqlite").path
        let keyChainURL = directory.appendingPathComponent("keychain.json")
        let (dapp, _) = try await makePeers()
        let (topic, uri) = try await dapp.pairing.create()
        let before: [PairingInfo]
        do {
            let wallet = try await PairingPeer(
                hub: hub, clock: clock, wallClock: wall, storage: try SQLiteStorage(path: databasePath),
                keyChain: try KeyChain(fileURL: keyChainURL))
            try await wallet.pairing.pair(uri: uri)
            try await wallet.pairing.updateMetadata(topic: topic, metadata: ["name": "dapp"])
            before = await wallet.pairing.pairings()
        }
        let relay = hub.makeClient()
        let reopened = try await PairingPeer(
            hub: hub, clock: clock, wallClock: wall, storage: try SQLiteStorage(path: databasePath),
            keyChain: try KeyChain(fileURL: keyChainURL), relay: relay)
        #expect(await reopened.pairing.pairings() == before)
        #expect(before.first?.peerMetadata == ["name": "dapp"])
        #expect(await reopened.crypto.hasKey(topic))
        #expect(await hub.subscribers(of: topic).contains(relay.clientID), "load() resubscribes stored topics")
        #expect(try await reopened.expirer.get(.topic(topic)) == before.first?.expiry)
    }

    @Test func loadDeletesExpiredPairings() async throws {
        let storage = InMemoryStorage()
        let (dapp, _) = try await makePeers()
        let (topic, uri) = try await dapp.pairing.create()
        let first = try await PairingPeer(hub: hub, clock: clock, wallClock: wall, storage: storage)
        try await first.pairing.pair(uri: uri)
        clock.advance(by: .seconds(400))
        let second = try await PairingPeer(hub: hub, clock: clock, wallClock: wall, storage: storage)
        #expect(await second.pairing.pairings().isEmpty)
        #expect(await second.pairing.pairing(topic: topic) == nil)
    }

    @Test func runLoopsConsumeRelayMessagesOnPairingTopics() async throws {
        let (dapp, wallet) = try await makePeers()
        let (topic, uri) = try await dapp.pairing.create()
        try await wallet.pairing.pair(uri: uri)
        let loops = [
            Task { await dapp.pairing.run(consumingRelayMessages: true) },
            Task { await wallet.pairing.run(consumingRelayMessages: true) },
        ]
        defer { loops.forEach { $0.cancel() } }
        try await wallet.pairing.ping(topic: topic)
        try await dapp.pairing.ping(topic: topic)
        #expect(await hub.publishes(on: topic).map(\.options.tag) == [1002, 1003, 1002, 1003])
    }

    @Test func shutdownFailsAPendingPing() async throws {
        let (dapp, wallet) = try await makePeers()
        let (topic, uri) = try await dapp.pairing.create()
        try await wallet.pairing.pair(uri: uri)
        let published = hub.publishEvents()
        let ping = Task { try await wallet.pairing.ping(topic: topic) }
        _ = try await BoundedWait.first(in: published)
        await wallet.pairing.shutdown()
        do {
            try await ping.boundedValue()
            Issue.record("ping must fail on shutdown")
        } catch let error as PairingError {
            #expect(error.kind == .shutDown)
        }
    }

    @Test func sessionTopicExpiryDoesNotTouchPairings() async throws {
        let (dapp, _) = try await makePeers()
        let (topic, _) = try await dapp.pairing.create()
        await dapp.pairing.handle(.expired(ExpirerEntry(target: "topic:" + String(repeating: "e", count: 64), expiry: 1)))
        await dapp.pairing.handle(.expired(ExpirerEntry(target: "id:5", expiry: 1)))
        await dapp.pairing.handle(.deleted(ExpirerEntry(target: "topic:" + topic, expiry: 1)))
        #expect(await dapp.pairing.pairing(topic: topic) != nil)
    }

    // MARK: helpers

    func publish(_ request: JSONRPCRequest, topic: String, from peer: PairingPeer) async throws {
        let envelope = try await peer.crypto.encode(topic: topic, payload: try WireJSON.string(request))
        try await peer.relay.publish(topic: topic, message: envelope, options: PublishOptions())
    }

    func decodeRequest(_ envelope: String, uri: String) async throws -> JSONRPCRequest {
        let parsed = try PairingURI.parse(uri)
        let observer = Crypto(keyChain: .inMemory())
        _ = try await observer.setSymKey(parsed.symKey, overrideTopic: parsed.topic)
        let text = try await observer.decode(topic: parsed.topic, encoded: envelope)
        guard case .request(let request) = try JSONRPCMessage.decode(text) else {
            throw BoundedWait.StreamFinished()
        }
        return request
    }
}
