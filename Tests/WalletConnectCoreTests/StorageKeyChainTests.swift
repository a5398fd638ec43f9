import Foundation
import PostgresTestSupport
import Testing
@testable import WalletConnectCore

/// The key chain kept in a storage (`KeyChain(storage:prefix:)`, the key chain of a server storage): one row per
/// tag under the prefix, loaded before use, one identity however many first calls race, wiped per prefix. Over
/// memory, SQLite and (when the run has one) PostgreSQL.
@Suite("KeyChain in a storage", .timeLimit(.minutes(1)))
struct StorageKeyChainTests {
    @Test("keys are rows of the namespace; a second instance on the same storage loads the same wallet",
        arguments: StorageBackend.available)
    func rowsAndReload(_ backend: StorageBackend) async throws {
        try await withStorageLocation(backend, label: "keychain") { location in
            let storage = try location.open()
            let crypto = Crypto(keyChain: KeyChain(storage: storage, prefix: "w1"))
            let identity = try await crypto.clientID()
            let publicKey = try await crypto.generateKeyPair()
            let (topic, _) = try await crypto.createPairingSymKey()
            let rows = try await storage.values(withPrefix: "wc@2:core:0.3:w1//keychain/").map(\.key)
            #expect(Set(rows) == Set([Crypto.clientSeedTag, publicKey, topic].map { "wc@2:core:0.3:w1//keychain/\($0)" }))

            let again = Crypto(keyChain: KeyChain(storage: try location.open(), prefix: "w1"))
            #expect(try await again.clientID() == identity)
            #expect(await again.hasKey(publicKey))
            #expect(await again.hasKey(topic))
            // Another prefix is another wallet.
            let other = Crypto(keyChain: KeyChain(storage: try location.open(), prefix: "w2"))
            #expect(try await other.clientID() != identity)

            try await again.deleteSymKey(topic: topic)
            #expect(await !again.hasKey(topic))
            try await again.deleteAllKeys()
            #expect(try await storage.values(withPrefix: "wc@2:core:0.3:w1//keychain/").isEmpty)
            #expect(try await storage.values(withPrefix: "wc@2:core:0.3:w2//keychain/").count == 1)
        }
    }

    @Test("first calls racing create one identity")
    func oneIdentity() async throws {
        let storage = InMemoryStorage()
        let crypto = Crypto(keyChain: KeyChain(storage: storage))
        let ids = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<20 { group.addTask { try await crypto.clientID() } }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(ids.count == 1)
        #expect(try await storage.values(withPrefix: StorageKey.keychain().rawValue + "/").count == 1)
    }

    @Test("before load() the key chain holds nothing and refuses changes: no second identity over a stored one")
    func refusesChangesBeforeLoad() async throws {
        let storage = InMemoryStorage()
        let first = try await Crypto(keyChain: KeyChain(storage: storage)).clientID()
        let keyChain = KeyChain(storage: storage)
        #expect(!keyChain.isLoaded && keyChain.tags.isEmpty)
        await #expect(throws: StorageError.self) { try await keyChain.set("00", for: "t") }
        try await keyChain.load()
        #expect(keyChain.isLoaded && keyChain.has(Crypto.clientSeedTag))
        #expect(try await Crypto(keyChain: keyChain).clientID() == first)
    }

    @Test("a key that could not be written is not kept")
    func failedWriteKeepsNothing() async throws {
        let storage = RefusingStorage()
        let crypto = Crypto(keyChain: KeyChain(storage: storage))
        await #expect(throws: StorageError.self) { try await crypto.generateKeyPair() }
        #expect(await crypto.keyChain.tags.isEmpty)
    }
}

/// A storage that reads as empty and refuses every write.
private final class RefusingStorage: KeyValueStorage {
    func value(forKey key: String) async throws -> Data? { nil }
    func values(withPrefix prefix: String) async throws -> [StorageItem] { [] }
    func write(_ changes: [StorageChange]) async throws { throw StorageError.writeFailed("refused (test)") }
}
