import Foundation
import PostgresTestSupport
import Synchronization
import Testing
@testable import WalletConnectCore

private struct Record: Codable, Sendable, Hashable {
    var topic: String
    var expiry: Int64
    var note: String
}

private func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("wk-storage-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// The storage contract, run against every backend of the run (`StorageBackend.available`: SQLite, and
/// PostgreSQL when `WALLETKIT_TEST_POSTGRES_URL` names a server; each case in a folder or schema of its own).
@Suite("Storage", .timeLimit(.minutes(1)))
struct StorageTests {
    @Test("round trip survives reopening", arguments: StorageBackend.available)
    func roundTripSurvivesReopen(_ backend: StorageBackend) async throws {
        try await withStorageLocation(backend) { location in
            do {
                let storage = try location.open()
                try await storage.setValue(Data("one".utf8), forKey: "a/1")
                try await storage.setValue(Data("two".utf8), forKey: "a/2")
                try await storage.setValue(Data("other".utf8), forKey: "b/1")
                try await storage.write([.set(key: "a/3", value: Data("three".utf8)), .remove(key: "a/2")])
            }
            let reopened = try location.open()
            #expect(try await reopened.value(forKey: "a/1") == Data("one".utf8))
            #expect(try await reopened.value(forKey: "a/2") == nil)
            #expect(try await reopened.value(forKey: "missing") == nil)
            let prefixed = try await reopened.values(withPrefix: "a/")
            #expect(prefixed.map(\.key) == ["a/1", "a/3"])
            #expect(prefixed.map { String(decoding: $0.value, as: UTF8.self) } == ["one", "three"])
        }
    }

    @Test("one write: the last change of a key wins, an empty value and an empty write are fine",
        arguments: StorageBackend.available)
    func writeAppliesChangesInOrder(_ backend: StorageBackend) async throws {
        try await withStorageLocation(backend) { location in
            let storage = try location.open()
            try await storage.write([])
            try await storage.write([
                .set(key: "k/1", value: Data("first".utf8)), .remove(key: "k/1"), .set(key: "k/2", value: Data()),
                .set(key: "k/3", value: Data("x".utf8)), .set(key: "k/3", value: Data("y".utf8)), .remove(key: "k/none"),
            ])
            #expect(try await storage.value(forKey: "k/1") == nil)
            #expect(try await storage.value(forKey: "k/2") == Data())
            #expect(try await storage.value(forKey: "k/3") == Data("y".utf8))
            try await storage.write([.remove(key: "k/3"), .set(key: "k/3", value: Data([0, 255, 1]))])
            #expect(try await location.open().value(forKey: "k/3") == Data([0, 255, 1]))
            try await storage.removeValue(forKey: "k/2")
            #expect(try await storage.values(withPrefix: "k/").map(\.key) == ["k/3"])
        }
    }

    @Test("concurrent writes from two instances on the same data all land", arguments: StorageBackend.available)
    func concurrentWritesFromTwoInstances(_ backend: StorageBackend) async throws {
        try await withStorageLocation(backend) { location in
            let first = try location.open(), second = try location.open()
            // Overlapping keys written in opposite orders: a backend that locked rows in call order could deadlock.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for round in 0..<20 {
                    let keys = (0..<8).map { "c/\($0)" }
                    group.addTask {
                        try await first.write(keys.map { .set(key: $0, value: Data("a\(round)".utf8)) })
                    }
                    group.addTask {
                        try await second.write(keys.reversed().map { .set(key: $0, value: Data("b\(round)".utf8)) })
                    }
                    group.addTask { try await first.setValue(Data("\(round)".utf8), forKey: "own/\(round)") }
                }
                try await group.waitForAll()
            }
            let rows = try await location.open().values(withPrefix: "c/")
            #expect(rows.count == 8)
            // Every write is atomic: all eight keys hold the value of the same write.
            #expect(Set(rows.map(\.value)).count == 1)
            #expect(try await second.values(withPrefix: "own/").count == 20)
        }
    }

    @Test func sqliteFileIsPrivateAndInWALMode() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("private.sqlite").path
        let storage = try SQLiteStorage(path: path)
        try await storage.setValue(Data([1, 2, 3]), forKey: "k")
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
        #expect(mode & 0o777 == 0o600)
        #expect(FileManager.default.fileExists(atPath: path + "-wal"))
    }

    @Test func prefixQueryDoesNotMatchLookalikes() async throws {
        let storage = InMemoryStorage()
        try await storage.setValue(Data("x".utf8), forKey: "wc@2:core:0.3//pairing/abc")
        try await storage.setValue(Data("y".utf8), forKey: "wc@2:core:0.3//pairing2/abc")
        #expect(try await storage.values(withPrefix: "wc@2:core:0.3//pairing/").count == 1)
    }

    @Test("prefix reads (key range or substr) match exactly the prefixed keys in byte order; decoded reads skip bad rows",
        arguments: StorageBackend.available)
    func prefixRangeAndDecodedValues(_ backend: StorageBackend) async throws {
        try await withStorageLocation(backend) { location in
            try await Self.checkPrefixRangeAndDecodedValues(try location.open())
        }
    }

    private static func checkPrefixRangeAndDecodedValues(_ storage: any KeyValueStorage) async throws {
        let good = try JSONEncoder().encode(Record(topic: "t", expiry: 1, note: "ok"))
        let keys = ["a", "a.", "a/", "a//x", "a/1", "a/\u{10FFFF}", "a/é", "a0", "a0/1", "b/1", "é/1", "é/2", "éa", "ê/1"]
        try await storage.write(keys.map { .set(key: $0, value: good) } + [.set(key: "a/bad", value: Data("{".utf8))])
        #expect(try await storage.values(withPrefix: "a/").map(\.key)
            == ["a/", "a//x", "a/1", "a/bad", "a/é", "a/\u{10FFFF}"])
        #expect(try await storage.values(withPrefix: "é").map(\.key) == ["é/1", "é/2", "éa"])
        #expect(try await storage.values(withPrefix: "a0").map(\.key) == ["a0", "a0/1"])
        let decoded = try await storage.decodedValues(withPrefix: "a/", as: Record.self)
        #expect(decoded.map(\.key) == ["a/", "a//x", "a/1", "a/bad", "a/é", "a/\u{10FFFF}"])
        #expect(decoded.map { $0.value?.note } == ["ok", "ok", "ok", nil, "ok", "ok"])
        let inMemory = InMemoryStorage()
        try await inMemory.write(keys.map { .set(key: $0, value: good) } + [.set(key: "a/bad", value: Data("{".utf8))])
        #expect(try await inMemory.decodedValues(withPrefix: "a/", as: Record.self).map(\.key) == decoded.map(\.key))
    }

    @Test("a Store persists its records across instances", arguments: StorageBackend.available)
    func storePersistsRecordsAcrossInstances(_ backend: StorageBackend) async throws {
        try await withStorageLocation(backend) { location in
            let key = StorageKey.client("session")
            do {
                let store = Store<Record>(storage: try location.open(), storageKey: key)
                try await store.load()
                try await store.set("t1", Record(topic: "t1", expiry: 10, note: "first"))
                try await store.set("t2", Record(topic: "t2", expiry: 20, note: "second"))
                try await store.update("t1") { $0.note = "updated" }
                try await store.delete("t2")
                try await store.set([("t3", Record(topic: "t3", expiry: 30, note: "batch")),
                    ("t4", Record(topic: "t4", expiry: 40, note: "batch"))])
            }
            let store = Store<Record>(storage: try location.open(), storageKey: key)
            let corrupt = try await store.load()
            #expect(corrupt.isEmpty)
            #expect(await store.count == 3)
            #expect(try await store.get("t1").note == "updated")
            #expect(await store.value(forKey: "t2") == nil)
            #expect(await store.keys.sorted() == ["t1", "t3", "t4"])
        }
    }

    @Test("namespaces: one storage, two prefixes, each Store sees its own rows", arguments: StorageBackend.available)
    func prefixesSeparateNamespaces(_ backend: StorageBackend) async throws {
        try await withStorageLocation(backend) { location in
            let storage = try location.open()
            let mine = Store<Record>(storage: storage, storageKey: StorageKey.client("session", prefix: "one"))
            let theirs = Store<Record>(storage: storage, storageKey: StorageKey.client("session", prefix: "two"))
            try await mine.set("a", Record(topic: "a", expiry: 1, note: "one"))
            try await theirs.set("a", Record(topic: "a", expiry: 1, note: "two"))
            let reopened = Store<Record>(storage: try location.open(), storageKey: StorageKey.client("session", prefix: "one"))
            try await reopened.load()
            #expect(try await reopened.get("a").note == "one")
            let all = try await storage.values(withPrefix: "wc@2:").map(\.key)
            #expect(all.filter { StorageKey.belongs($0, toPrefix: "one") }.count == 1)
            #expect(all.filter { StorageKey.belongs($0, toPrefix: "two") }.count == 1)
        }
    }

    @Test func storeReportsMissingAndRecentlyDeletedKeys() async throws {
        let store = Store<Record>(storage: InMemoryStorage(), storageKey: StorageKey.client("proposal"))
        try await store.set("42", Record(topic: "x", expiry: 1, note: ""))
        try await store.delete("42")
        await #expect(throws: StoreError.recentlyDeleted(name: "proposal", key: "42")) { try await store.get("42") }
        await #expect(throws: StoreError.noMatchingKey(name: "proposal", key: "7")) { try await store.get("7") }
        #expect(StoreError.noMatchingKey(name: "proposal", key: "7").description == "No matching key. proposal: 7")
    }

    @Test func storeSkipsCorruptRowsAndReportsThem() async throws {
        let storage = InMemoryStorage()
        let key = StorageKey.client("request")
        try await storage.setValue(Data("not json".utf8), forKey: key.rawValue + "/bad")
        try await storage.setValue(
            try JSONEncoder().encode(Record(topic: "ok", expiry: 1, note: "")), forKey: key.rawValue + "/good")
        let store = Store<Record>(storage: storage, storageKey: key)
        #expect(try await store.load() == ["bad"])
        #expect(await store.keys == ["good"])
    }

    @Test("a failed write leaves the Store unchanged", arguments: StorageBackend.available)
    func failedWriteLeavesStoreUnchanged(_ backend: StorageBackend) async throws {
        try await withStorageLocation(backend) { location in
            try await Self.checkFailedWriteLeavesStoreUnchanged(try location.open())
        }
    }

    private static func checkFailedWriteLeavesStoreUnchanged(_ storage: any KeyValueStorage) async throws {
        let store = Store<Record>(storage: storage, storageKey: StorageKey.client("session"))
        try await store.set("a", Record(topic: "a", expiry: 1, note: "kept"))
        let failing = FailingStorage(base: storage)
        let guarded = Store<Record>(storage: failing, storageKey: StorageKey.client("session"))
        try await guarded.load()
        failing.failWrites()
        await #expect(throws: StorageError.self) {
            try await guarded.set("b", Record(topic: "b", expiry: 2, note: "lost?"))
        }
        #expect(await guarded.value(forKey: "b") == nil)
        #expect(await guarded.value(forKey: "a")?.note == "kept")
    }
}

/// Wraps a storage and fails writes on demand (a full disk, simulated).
private final class FailingStorage: KeyValueStorage {
    private let base: any KeyValueStorage
    private let failing = Locked(false)

    init(base: any KeyValueStorage) { self.base = base }

    func failWrites() { failing.withLock { $0 = true } }

    func value(forKey key: String) async throws -> Data? { try await base.value(forKey: key) }
    func values(withPrefix prefix: String) async throws -> [StorageItem] { try await base.values(withPrefix: prefix) }
    func write(_ changes: [StorageChange]) async throws {
        if failing.withLock({ $0 }) { throw StorageError.writeFailed("disk full (simulated)") }
        try await base.write(changes)
    }
}
