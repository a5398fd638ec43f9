import Foundation
import Synchronization
import Testing
import WalletConnectCore
import WalletConnectSign
import WalletKitTesting

/// What a hostile message must not change: the stores and the key chain of one client.
struct HostileSnapshot: Equatable, CustomStringConvertible {
    var sessions: [String: Session]
    var proposals: [Proposal]
    var requests: [PendingRequest]
    var authRequests: [PendingAuthRequest]
    var keyTags: [String]

    static func of(_ party: HostileParty) async -> HostileSnapshot {
        let engine = party.client.engine
        return HostileSnapshot(
            sessions: await engine.sessions.byTopic, proposals: await engine.proposals.all,
            requests: await engine.requests.all, authRequests: await engine.authRequests.all, keyTags: party.keyChain.tags)
    }

    var description: String {
        "sessions \(sessions.keys.sorted()), proposals \(proposals.map(\.id)), requests \(requests.map(\.id)), "
            + "auth requests \(authRequests.map(\.id)), \(keyTags.count) key tags"
    }
}

/// One engine client plus its key chain (so tests can read keys and compare key tags).
struct HostileParty: Sendable {
    let client: EngineClient
    let keyChain: KeyChain

    /// The in-memory relay client id (what the hub records as publisher).
    let clientID: String

    var engine: SignEngine { client.engine }
    var crypto: Crypto { client.crypto }
}

/// Collects the events of a client until a marker event arrives (no sleeping: the marker is the barrier).
final class EventLog: Sendable {
    private let seen = Locked<[SignEvent]>([])

    var events: [SignEvent] { seen.withLock { $0 } }

    /// Reads `client`'s events until one matches `marker`; everything read is kept.
    func read(_ client: EngineClient, until marker: @escaping @Sendable (SignEvent) -> Bool) async throws {
        _ = try await BoundedWait.first(in: client.events, within: .seconds(10)) { [self] event in
            seen.withLock { $0.append(event) }
            return marker(event)
        }
    }
}

/// A dapp and a wallet over one in-memory hub, with helpers to craft and inject what a hostile peer would send.
struct HostileWorld: Sendable {
    let hub: InMemoryRelayHub
    let dapp: HostileParty
    let wallet: HostileParty

    /// Runs `body` with a fresh pair (optionally with a settled session), stopping both clients afterwards.
    static func run(
        settled: Bool = true, walletWallClock: WallClock = .system,
        _ body: (HostileWorld, Session?) async throws -> Void
    ) async throws {
        let hub = InMemoryRelayHub(wallClock: walletWallClock)
        let dappKeys = KeyChain.inMemory()
        let walletKeys = KeyChain.inMemory()
        let dappRelay = hub.makeClient()
        let walletRelay = hub.makeClient()
        let dapp = try await EngineClient.make(name: "dapp", relay: dappRelay, keyChain: dappKeys)
        let wallet = try await EngineClient.make(
            name: "wallet", relay: walletRelay, keyChain: walletKeys, wallClock: walletWallClock)
        let world = HostileWorld(
            hub: hub, dapp: HostileParty(client: dapp, keyChain: dappKeys, clientID: dappRelay.relayClientID),
            wallet: HostileParty(client: wallet, keyChain: walletKeys, clientID: walletRelay.relayClientID))
        do {
            let session = settled ? try await EngineFixture.settle(dapp: dapp, wallet: wallet).wallet : nil
            try await body(world, session)
        } catch {
            await dapp.stop()
            await wallet.stop()
            throw error
        }
        await dapp.stop()
        await wallet.stop()
    }

    /// A fresh JSON-RPC id in the 16-digit client range.
    static func freshID() -> Int64 {
        Int64(Date().timeIntervalSince1970 * 1000) * 1000 + Int64.random(in: 0..<1000)
    }

    /// Seals `json` as a type-0 envelope with `sender`'s key for `topic` and delivers it as if relayed.
    func inject(_ json: String, topic: String, sealedBy sender: HostileParty) async throws {
        let text = try await sender.crypto.encode(topic: topic, payload: json)
        await hub.injectInbound(topic: topic, message: text)
    }

    /// Delivers raw envelope text on `topic`.
    func injectRaw(_ text: String, topic: String) async {
        await hub.injectInbound(topic: topic, message: text)
    }

    /// Waits until `victim` has handled everything delivered to it so far: the other party pings `topic` and the
    /// victim answers; inbound messages are handled in order, so earlier ones are done.
    func barrier(victim: HostileParty, topic: String) async throws {
        let peer = victim.clientID == wallet.clientID ? dapp : wallet
        try await BoundedWait.run { try await peer.engine.ping(topic: topic) }
    }

    /// Reads and discards `victim`'s pending events: a barrier ping, then its events up to the `session_ping` it
    /// causes (session topics only). Call before injecting, so the log after the hostile message is clean.
    func drainEvents(of victim: HostileParty, topic: String) async throws {
        try await barrier(victim: victim, topic: topic)
        try await EventLog().read(victim.client) { $0.isSessionPing }
    }

    /// What `party` published since `start` (an index into the hub's publish log).
    func publishes(by party: HostileParty, since start: Int) async -> [InMemoryRelayHub.RecordedPublish] {
        await hub.publishes.dropFirst(start).filter { $0.clientID == party.clientID }
    }

    /// Decrypts a publish with `reader`'s key for its topic.
    static func open(_ publish: InMemoryRelayHub.RecordedPublish, with reader: HostileParty) async throws -> JSONRPCMessage {
        try JSONRPCMessage.decode(try await reader.crypto.decode(topic: publish.topic, encoded: publish.message))
    }

    /// The error responses among `publishes`, decrypted with `reader`'s keys.
    static func errors(in publishes: [InMemoryRelayHub.RecordedPublish], readBy reader: HostileParty) async throws
        -> [(publish: InMemoryRelayHub.RecordedPublish, id: Int64, error: JSONRPCError)]
    {
        var out: [(InMemoryRelayHub.RecordedPublish, Int64, JSONRPCError)] = []
        for publish in publishes {
            if case .response(let response) = try await open(publish, with: reader), let error = response.error {
                out.append((publish, response.id.rawValue, error))
            }
        }
        return out
    }
}

extension SignEvent {
    /// Whether the event means the engine acted on something a peer sent (what a dropped message must not cause).
    var isPeerDriven: Bool {
        switch self {
        case .sessionProposal, .sessionRequest, .sessionSettle, .sessionUpdate, .sessionExtend, .sessionEvent,
            .sessionDelete, .sessionAuthenticate, .sessionRejected, .sessionResponse:
            return true
        default:
            return false
        }
    }

    /// Whether this is the `session_ping` a barrier ping causes.
    var isSessionPing: Bool {
        if case .sessionPing = self { return true }
        return false
    }
}

/// JSON-RPC texts a hostile peer sends.
enum HostileJSON {
    static func request(id: Int64, method: String, params: String) -> String {
        #"{"id":\#(id),"jsonrpc":"2.0","method":"\#(method)","params":\#(params)}"#
    }

    static func sessionRequest(id: Int64, chainID: String = "eip155:1", method: String = "personal_sign", params: String = #"["0x01","0x02"]"#, expiry: Int64? = nil) -> String {
        let expiryField = expiry.map { #","expiryTimestamp":\#($0)"# } ?? ""
        return request(
            id: id, method: "wc_sessionRequest",
            params: #"{"request":{"method":"\#(method)","params":\#(params)\#(expiryField)},"chainId":"\#(chainID)"}"#)
    }

    static func result(id: Int64, _ value: String = "true") -> String {
        #"{"id":\#(id),"jsonrpc":"2.0","result":\#(value)}"#
    }

    /// Session namespaces as JSON.
    static func namespaces(_ namespaces: SessionNamespaces) throws -> String {
        String(decoding: try WireJSON.encode(namespaces), as: UTF8.self)
    }
}
