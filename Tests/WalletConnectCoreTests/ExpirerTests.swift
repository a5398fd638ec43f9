import Foundation
import Testing
import WalletConnectCore
import WalletKitTesting

@Suite("Expirer", .timeLimit(.minutes(1)))
struct ExpirerTests {
    static let epochSeconds: Int64 = 1_700_000_000
    let topic = String(repeating: "c", count: 64)

    struct Fixture {
        let clock = ManualClock()
        let storage: any KeyValueStorage
        let expirer: Expirer

        init(storage: any KeyValueStorage = InMemoryStorage()) {
            self.storage = storage
            let wall = ManualWallClock(clock: clock, epochSeconds: ExpirerTests.epochSeconds).wallClock
            self.expirer = Expirer(storage: storage, clock: clock, wallClock: wall)
        }

        var now: Int64 { ExpirerTests.epochSeconds + clock.now.offset.components.seconds }
    }

    @Test("a delete issued while a set awaits its write removes the entry, in memory and on disk (issue 12)")
    func deleteDuringSetWins() async throws {
        let storage = HoldingStorage()
        let f = Fixture(storage: storage)
        try await f.expirer.load()
        storage.holdWrites(1)
        let setting = Task { try await f.expirer.set(.topic(topic), expiry: f.now + 600) }
        try await storage.waitUntilHeld(writes: 1)
        let deleting = Task { try await f.expirer.delete(.topic(topic)) }
        // The delete has decided (the entry is gone from memory), or (the old bug) returned having found nothing.
        try await BoundedWait.until { await !f.expirer.has(.topic(topic)) }
        storage.releaseWrites()
        try await setting.boundedValue()
        try await deleting.boundedValue()
        #expect(await !f.expirer.has(.topic(topic)))
        let reloaded = Expirer(
            storage: storage, clock: f.clock, wallClock: ManualWallClock(clock: f.clock, epochSeconds: Self.epochSeconds).wallClock)
        try await reloaded.load()
        #expect(await !reloaded.has(.topic(topic)))
    }

    @Test func setHasGetDelete() async throws {
        let f = Fixture()
        try await f.expirer.load()
        let events = f.expirer.events()
        try await f.expirer.set(.topic(topic), expiry: f.now + 300)
        try await f.expirer.set(.id(42), expiry: f.now + 60)
        #expect(await f.expirer.has(.topic(topic)))
        #expect(try await f.expirer.get(.topic(topic)) == f.now + 300)
        #expect(await f.expirer.entries.map(\.target) == ["id:42", "topic:" + topic])
        try await f.expirer.delete(.id(42))
        #expect(await f.expirer.has(.id(42)) == false)
        try await f.expirer.delete(.id(42))  // absent: no error, no event
        await #expect(throws: StoreError.noMatchingKey(name: "expirer", key: "id:42")) {
            try await f.expirer.get(.id(42))
        }
        let seen = try await BoundedWait.collect(3, from: events)
        #expect(seen == [
            .created(ExpirerEntry(target: "topic:" + topic, expiry: f.now + 300)),
            .created(ExpirerEntry(target: "id:42", expiry: f.now + 60)),
            .deleted(ExpirerEntry(target: "id:42", expiry: f.now + 60)),
        ])
    }

    @Test func pastExpiryExpiresImmediately() async throws {
        let f = Fixture()
        try await f.expirer.load()
        let events = f.expirer.events()
        try await f.expirer.set(.id(7), expiry: f.now)  // now_ms >= expiry*1000 → expired
        #expect(await f.expirer.has(.id(7)) == false)
        let event = try await BoundedWait.first(in: events)
        #expect(event == .expired(ExpirerEntry(target: "id:7", expiry: f.now)))
    }

    @Test func checkNowExpiresOnlyDueEntriesAtExactBoundary() async throws {
        let f = Fixture()
        try await f.expirer.load()
        try await f.expirer.set(.topic("a"), expiry: f.now + 10)
        try await f.expirer.set(.topic("b"), expiry: f.now + 20)
        f.clock.advance(by: .milliseconds(9_999))
        #expect(await f.expirer.checkNow().isEmpty)
        f.clock.advance(by: .milliseconds(1))
        #expect(await f.expirer.checkNow().map(\.target) == ["topic:a"])
        #expect(await f.expirer.has(.topic("b")))
    }

    @Test func runLoopExpiresOnTickWithoutSleeping() async throws {
        let f = Fixture()
        try await f.expirer.load()
        try await f.expirer.set(.topic(topic), expiry: f.now + 7)
        let events = f.expirer.events()
        let loop = Task { await f.expirer.run() }
        defer { loop.cancel() }
        try await f.clock.waitForSleepers()
        f.clock.advance(by: .seconds(5))  // tick at 5 s: not yet due
        try await f.clock.waitForSleepers()
        #expect(await f.expirer.has(.topic(topic)))
        f.clock.advance(by: .seconds(5))  // tick at 10 s: due
        let event = try await BoundedWait.first(in: events) {
            if case .expired = $0 { return true }
            return false
        }
        #expect(event.entry.target == "topic:" + topic)
        #expect(await f.expirer.has(.topic(topic)) == false)
        loop.cancel()
        await loop.value
    }

    @Test func noExpiryWhileRelayDisconnected() async throws {
        let f = Fixture()
        try await f.expirer.load()
        try await f.expirer.set(.id(1), expiry: f.now + 1)
        await f.expirer.setRelayConnected(false)
        let loop = Task { await f.expirer.run() }
        try await f.clock.waitForSleepers()
        f.clock.advance(by: .seconds(5))
        try await f.clock.waitForSleepers()  // the loop went round once and sleeps again
        #expect(await f.expirer.has(.id(1)), "must not expire while offline")
        await f.expirer.setRelayConnected(true)
        let events = f.expirer.events()
        f.clock.advance(by: .seconds(5))
        #expect(try await BoundedWait.first(in: events) == .expired(ExpirerEntry(target: "id:1", expiry: f.now - 9)))
        loop.cancel()
        await loop.value
    }

    @Test func runReturnsOnCancellation() async throws {
        let f = Fixture()
        let loop = Task { await f.expirer.run() }
        try await f.clock.waitForSleepers()
        loop.cancel()
        await loop.value
        #expect(f.clock.sleeperCount == 0)
    }

    @Test func entriesSurviveReloadFromSQLite() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("expirer-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("wc.sqlite").path
        let expiry: Int64
        do {
            let f = Fixture(storage: try SQLiteStorage(path: path))
            try await f.expirer.load()
            expiry = f.now + 100
            try await f.expirer.set(.topic(topic), expiry: expiry)
            try await f.expirer.set(.id(9), expiry: f.now + 50)
            try await f.expirer.delete(.id(9))
        }
        let g = Fixture(storage: try SQLiteStorage(path: path))
        try await g.expirer.load()
        #expect(await g.expirer.entries == [ExpirerEntry(target: "topic:" + topic, expiry: expiry)])
        let raw = try await g.storage.values(withPrefix: "wc@2:core:0.3//expirer/")
        #expect(raw.map(\.key) == ["wc@2:core:0.3//expirer/topic:" + topic])
    }

    @Test func loadedOverdueEntriesExpireOnFirstCheck() async throws {
        let storage = InMemoryStorage()
        let first = Fixture(storage: storage)
        try await first.expirer.load()
        try await first.expirer.set(.id(5), expiry: first.now + 1)
        let second = Fixture(storage: storage)
        second.clock.advance(by: .seconds(2))
        try await second.expirer.load()
        #expect(await second.expirer.has(.id(5)))
        #expect(await second.expirer.checkNow().map(\.target) == ["id:5"])
    }

    @Test func replacingAnEntryKeepsTheLatestExpiry() async throws {
        let f = Fixture()
        try await f.expirer.load()
        try await f.expirer.set(.topic(topic), expiry: f.now + 5)
        try await f.expirer.set(.topic(topic), expiry: f.now + 500)
        f.clock.advance(by: .seconds(10))
        #expect(await f.expirer.checkNow().isEmpty)
        #expect(try await f.expirer.get(.topic(topic)) == f.now + 490)
    }
}
