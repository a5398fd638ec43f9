import Foundation
import Synchronization
import Testing
import WalletConnectCore
import WalletConnectRelayServer
import WalletConnectSign
import WalletKit
import WalletKitTesting

/// A wallet's SQLite file that turns read-only while the wallet runs: writes go, from a chosen moment on, to a
/// second connection that opened the same file read-only — SQLite refuses them exactly as it refuses writes to a
/// read-only file or file system (`SQLITE_READONLY`). Reads always see the file's committed state.
final class TurnsReadOnlyStorage: KeyValueStorage {
    /// The database file.
    let path: String
    private let writable: SQLiteStorage
    private let readOnly = Locked<SQLiteStorage?>(nil)

    init(path: String) throws {
        self.path = path
        writable = try SQLiteStorage(path: path)
    }

    /// From now on every write is refused by SQLite.
    func turnReadOnly() throws {
        let connection = try SQLiteStorage(path: path, readOnly: true)
        readOnly.withLock { $0 = connection }
    }

    func value(forKey key: String) async throws -> Data? { try await writable.value(forKey: key) }
    func values(withPrefix prefix: String) async throws -> [StorageItem] { try await writable.values(withPrefix: prefix) }
    func write(_ changes: [StorageChange]) async throws {
        try await (readOnly.withLock { $0 } ?? writable).write(changes)
    }
}

/// WalletKit on a storage that refuses writes: the operations that must write (approving a session, answering a
/// request) throw ``StorageError`` of kind ``StorageError/Kind/readOnly`` and keep nothing; restarted on the same
/// file, now writable, the wallet has exactly its state from before and both operations succeed.
@Suite("WalletKit: read-only storage", .serialized, .timeLimit(.minutes(1)))
struct WalletKitReadOnlyStorageTests {
    /// The kind of the ``StorageError`` `body` throws, or `nil` (with an issue) when it throws something else.
    /// A wallet configuration on `storage` (a wrapper around the SQLite file at `databasePath`), with the key chain
    /// file the default configuration would use beside it, so a restart on the plain file finds the same keys.
    static func wallet(on storage: any KeyValueStorage, relayURL: String, databasePath: String) -> WalletKitConfiguration {
        var configuration = WKFixture.walletConfiguration(relayURL: relayURL, databasePath: databasePath)
        configuration.sign.storage = .custom(storage)
        configuration.sign.keyChain = .file(path: SignClientConfiguration.keyChainPath(databasePath: databasePath, prefix: ""))
        return configuration
    }

    static func storageErrorKind(_ body: () async throws -> Void) async -> StorageError.Kind? {
        do {
            try await body()
            Issue.record("the write succeeded on a read-only storage")
        } catch let error as StorageError {
            return error.kind
        } catch {
            Issue.record("threw \(type(of: error)): \(error), not StorageError")
        }
        return nil
    }

    @Test("approve and respond on a storage turned read-only throw .readOnly; restarted writable, both succeed once")
    func approveAndRespondRefused() async throws {
        try await withRelay { relay, directory in
            let url = await relay.url
            let databasePath = directory.path("wallet.sqlite")
            let storage = try TurnsReadOnlyStorage(path: databasePath)
            let turning = Self.wallet(on: storage, relayURL: url, databasePath: databasePath)
            let dappConfiguration = WKFixture.signConfiguration(
                metadata: WKFixture.dappMetadata, relayURL: url, databasePath: directory.path("dapp.sqlite"))

            try await SignClient.withSignClient(dappConfiguration) { dapp in
                let call = WKBox<Task<JSONValue, any Error>>()
                let second = WKBox<(connection: SignConnection, proposalID: Int64)>()
                let held = WKBox<PendingRequest>()
                let topic = try await WalletKit.withWalletKit(turning) { kit in
                    let (session, _) = try await WKFixture.settle(dapp: dapp, kit: kit)
                    let requests = kit.sessionRequests
                    let proposals = kit.sessionProposals
                    call.set(Task {
                        try await dapp.request(
                            topic: session.topic, chainID: "eip155:1", method: "personal_sign", params: ["0x01"])
                    })
                    let request = try await WKFixture.first(requests)
                    held.set(request)
                    let connection = try await dapp.connect(optionalNamespaces: WKFixture.optionalNamespaces)
                    try await kit.pair(uri: try #require(connection.uri))
                    let proposal = try await WKFixture.first(proposals) { $0.id == connection.proposalID }
                    second.set((connection, proposal.id))
                    let namespaces = try WalletKit.buildApprovedNamespaces(
                        proposal: proposal.proposal, supportedNamespaces: WKFixture.supportedNamespaces)

                    try storage.turnReadOnly()
                    let published = await relay.counters().published
                    let approveKind = await Self.storageErrorKind {
                        _ = try await kit.approveSession(
                            proposalID: proposal.id, namespaces: namespaces, waitsForAcknowledgement: false)
                    }
                    #expect(approveKind == .readOnly)
                    let respondKind = await Self.storageErrorKind {
                        try await kit.respondSessionRequest(
                            topic: session.topic, requestID: request.id, response: .result("0xabc"))
                    }
                    #expect(respondKind == .readOnly)
                    // Refused before anything was sent: the relay saw no publish from either call.
                    #expect(await relay.counters().published == published)

                    // Nothing moved in memory either.
                    #expect(await kit.activeSessions.keys.sorted() == [session.topic])
                    #expect(await kit.pendingSessionProposals.map(\.id) == [proposal.id])
                    #expect(await kit.pendingSessionRequests.map(\.id) == [request.id])
                    return session.topic
                }
                let request = try #require(held.value)
                let pending = try #require(call.value)
                let (connection, proposalID) = try #require(second.value)

                // Writable again: the same file, the state from before the refused writes, and both now succeed.
                let writable = WKFixture.walletConfiguration(relayURL: url, databasePath: databasePath)
                try await WalletKitRestartTests.withRestarted(writable) { kit, requests in
                    #expect(try await SQLiteStorage(path: databasePath, readOnly: true).integrityProblems() == [])
                    let again = try await WKFixture.first(requests)
                    #expect(again.id == request.id)
                    #expect(await kit.activeSessions.keys.sorted() == [topic])
                    #expect(await kit.pendingSessionProposals.map(\.id) == [proposalID])
                    #expect(await kit.pendingSessionRequests.map(\.id) == [request.id])

                    try await kit.respondSessionRequest(topic: topic, requestID: request.id, response: .result("0xabc"))
                    #expect(try await pending.boundedValue(within: .seconds(20)) == "0xabc")
                    let proposal = try #require(await kit.pendingSessionProposals.first)
                    let namespaces = try WalletKit.buildApprovedNamespaces(
                        proposal: proposal, supportedNamespaces: WKFixture.supportedNamespaces)
                    let approved = try await kit.approveSession(proposalID: proposalID, namespaces: namespaces)
                    let settled = try await BoundedWait.run(within: .seconds(20)) { try await connection.approval() }
                    #expect(settled.topic == approved.topic)
                    #expect(await kit.activeSessions.keys.sorted() == [topic, approved.topic].sorted())
                    #expect(await kit.pendingSessionRequests.isEmpty)
                    #expect(await kit.pendingSessionProposals.isEmpty)
                }
            }
        }
    }

    @Test("a request arriving while the storage is read-only is not acknowledged; a writable restart gets it again and answers it")
    func requestArrivingWhileReadOnly() async throws {
        try await withRelay { relay, directory in
            let url = await relay.url
            let databasePath = directory.path("wallet.sqlite")
            let storage = try TurnsReadOnlyStorage(path: databasePath)
            let turning = Self.wallet(on: storage, relayURL: url, databasePath: databasePath)
            let dappConfiguration = WKFixture.signConfiguration(
                metadata: WKFixture.dappMetadata, relayURL: url, databasePath: directory.path("dapp.sqlite"))

            try await SignClient.withSignClient(dappConfiguration) { dapp in
                let call = WKBox<Task<JSONValue, any Error>>()
                let topic = try await WalletKit.withWalletKit(turning) { kit in
                    let (session, _) = try await WKFixture.settle(dapp: dapp, kit: kit)
                    try storage.turnReadOnly()
                    let delivered = await relay.counters().delivered
                    call.set(Task {
                        try await dapp.request(
                            topic: session.topic, chainID: "eip155:1", method: "personal_sign", params: ["0x02"])
                    })
                    // The relay delivered it to the wallet, whose relayer could not record it: it is not acknowledged,
                    // so the relay keeps it; the engine never saw it, so it is neither pending nor announced.
                    try await BoundedWait.until(within: .seconds(10)) { await relay.counters().delivered > delivered }
                    #expect(await kit.pendingSessionRequests.isEmpty)
                    return session.topic
                }
                let pending = try #require(call.value)
                defer { pending.cancel() }

                let writable = WKFixture.walletConfiguration(relayURL: url, databasePath: databasePath)
                try await WalletKitRestartTests.withRestarted(writable) { kit, requests in
                    #expect(await kit.activeSessions.keys.sorted() == [topic])
                    // The relay delivers the unacknowledged message again; the wallet announces and answers it.
                    let again = try await WKFixture.first(requests, within: .seconds(20))
                    #expect(again.topic == topic)
                    try await kit.respondSessionRequest(topic: topic, requestID: again.id, response: .result("0xlate"))
                    #expect(try await pending.boundedValue() == "0xlate")
                    #expect(await kit.pendingSessionRequests.isEmpty)
                }
            }
        }
    }

    @Test("answered, but the pending request could not be removed (a crash or failed write after the publish): not announced again after a restart")
    func answeredButNotRemoved() async throws {
        try await withRelay { relay, directory in
            let url = await relay.url
            let databasePath = directory.path("wallet.sqlite")
            let storage = try RefusesRequestRemoval(path: databasePath)
            let failing = Self.wallet(on: storage, relayURL: url, databasePath: databasePath)
            let dappConfiguration = WKFixture.signConfiguration(
                metadata: WKFixture.dappMetadata, relayURL: url, databasePath: directory.path("dapp.sqlite"))

            try await SignClient.withSignClient(dappConfiguration) { dapp in
                let topic = try await WalletKit.withWalletKit(failing) { kit in
                    let (session, _) = try await WKFixture.settle(dapp: dapp, kit: kit)
                    let wire = WireResponses(dapp, topic: session.topic)
                    defer { wire.stop() }
                    let requests = kit.sessionRequests
                    let call = Task {
                        try await dapp.request(
                            topic: session.topic, chainID: "eip155:1", method: "personal_sign", params: ["0x03"])
                    }
                    let request = try await WKFixture.first(requests)
                    let kind = await Self.storageErrorKind {
                        try await kit.respondSessionRequest(
                            topic: session.topic, requestID: request.id, response: .result("0xdone"))
                    }
                    // The answer went out before the failed write: the dapp has it, once.
                    #expect(kind == .writeFailed)
                    #expect(try await call.boundedValue(within: .seconds(20)) == "0xdone")
                    try await BoundedWait.until(within: .seconds(10)) { wire.count(request.id) == 1 }
                    return session.topic
                }
                let writable = WKFixture.walletConfiguration(relayURL: url, databasePath: databasePath)
                try await WalletKitRestartTests.withRestarted(writable) { kit, _ in
                    // The history records the request as answered, so it is not announced (and answered) again.
                    #expect(await kit.pendingSessionRequests.isEmpty)
                    #expect(await kit.activeSessions.keys.sorted() == [topic])
                }
                try await WalletKitRestartTests.withRestarted(writable) { kit, _ in
                    #expect(await kit.pendingSessionRequests.isEmpty)
                }
            }
        }
    }
}

/// A SQLite storage that refuses (as a full disk would, ``StorageError/Kind/writeFailed``) every write removing a
/// pending session request: the state a crash leaves right after a response was published and recorded.
final class RefusesRequestRemoval: KeyValueStorage {
    private let base: SQLiteStorage
    private let requestPrefix = StorageKey.client("request").rawValue + "/"

    init(path: String) throws { base = try SQLiteStorage(path: path) }

    func value(forKey key: String) async throws -> Data? { try await base.value(forKey: key) }
    func values(withPrefix prefix: String) async throws -> [StorageItem] { try await base.values(withPrefix: prefix) }
    func write(_ changes: [StorageChange]) async throws {
        for change in changes {
            if case .remove(let key) = change, key.hasPrefix(requestPrefix) {
                throw StorageError.writeFailed("disk full (simulated)")
            }
        }
        try await base.write(changes)
    }
}
