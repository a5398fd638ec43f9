import Foundation
import Synchronization
import Testing
import WalletKitTesting
@testable import WalletConnectCore

private struct Counter: Codable, Sendable, Hashable {
    var a = 0
    var b = 0
}

/// Issue 12: `Store.update` read, mutated, awaited the write, then assigned, so two concurrent updates of one
/// record lost one change, in memory and on disk.
@Suite("Store: concurrent mutations compose", .timeLimit(.minutes(1)))
struct StoreConcurrencyTests {
    static let key = StorageKey.client("counter", prefix: "")

    @Test("two updates of one record while the first awaits its write: both changes kept, in memory and on disk")
    func concurrentUpdatesCompose() async throws {
        let storage = HoldingStorage()
        let store = Store<Counter>(storage: storage, storageKey: Self.key)
        try await store.load()
        try await store.set("x", Counter())
        storage.holdWrites(1)
        let first = Task { try await store.update("x") { $0.a += 1 } }
        try await storage.waitUntilHeld(writes: 1)
        let secondDone = Atomic<Bool>(false)
        let second = Task {
            let value = try await store.update("x") { $0.b += 1 }
            secondDone.store(true, ordering: .releasing)
            return value
        }
        // The second update either waits behind the first, or (the old bug) ran to the end on the stale record.
        try await BoundedWait.until { await store.queuedMutations == 1 || secondDone.load(ordering: .acquiring) }
        storage.releaseWrites()
        _ = try await first.boundedValue()
        _ = try await second.boundedValue()
        #expect(await store.value(forKey: "x") == Counter(a: 1, b: 1))
        let reopened = Store<Counter>(storage: storage, storageKey: Self.key)
        try await reopened.load()
        #expect(await reopened.value(forKey: "x") == Counter(a: 1, b: 1))
    }

    @Test("500 concurrent updates of one record: none lost")
    func manyConcurrentUpdates() async throws {
        let storage = InMemoryStorage()
        let store = Store<Counter>(storage: storage, storageKey: Self.key)
        try await store.load()
        try await store.set("x", Counter())
        try await BoundedWait.run {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<500 {
                    group.addTask { _ = try await store.update("x") { index.isMultiple(of: 2) ? ($0.a += 1) : ($0.b += 1) } }
                }
                try await group.waitForAll()
            }
        }
        #expect(await store.value(forKey: "x") == Counter(a: 250, b: 250))
        let reopened = Store<Counter>(storage: storage, storageKey: Self.key)
        try await reopened.load()
        #expect(await reopened.value(forKey: "x") == Counter(a: 250, b: 250))
    }

    @Test("a delete issued while an update awaits its write wins on disk and in memory (call order)")
    func deleteAfterUpdateKeepsCallOrder() async throws {
        let storage = HoldingStorage()
        let store = Store<Counter>(storage: storage, storageKey: Self.key)
        try await store.load()
        try await store.set("x", Counter())
        storage.holdWrites(1)
        let update = Task { try await store.update("x") { $0.a += 1 } }
        try await storage.waitUntilHeld(writes: 1)
        let deleteDone = Atomic<Bool>(false)
        let delete = Task {
            _ = try await store.delete("x")
            deleteDone.store(true, ordering: .releasing)
        }
        try await BoundedWait.until { await store.queuedMutations == 1 || deleteDone.load(ordering: .acquiring) }
        storage.releaseWrites()
        _ = try await update.boundedValue()
        try await delete.boundedValue()
        #expect(await store.value(forKey: "x") == nil)
        #expect(try await storage.base.values(withPrefix: Self.key.rawValue + "/").isEmpty)
    }
}
