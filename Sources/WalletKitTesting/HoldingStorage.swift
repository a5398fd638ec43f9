import Foundation
import Synchronization
import WalletConnectCore

/// An in-memory `KeyValueStorage` whose next reads or writes a test can hold until it releases them, to drive
/// a controller into the interleaving a race needs (a second call arriving while the first awaits its write).
///
/// Held calls wait without a lock held; ``releaseReads()`` and ``releaseWrites()`` resume them outside the lock.
public final class HoldingStorage: KeyValueStorage {
    private struct State {
        var readsToHold = 0
        var writesToHold = 0
        var heldReads: [CheckedContinuation<Void, Never>] = []
        var heldWrites: [CheckedContinuation<Void, Never>] = []
        var writes = 0
        var readPrefixes: [String] = []
    }

    /// The storage behind the holds.
    public let base: any KeyValueStorage
    private let state = Locked(State())

    /// Creates a storage over `base` (empty, in memory, by default) that holds nothing until asked.
    public init(base: any KeyValueStorage = InMemoryStorage()) {
        self.base = base
    }

    /// Holds the next `count` reads (``value(forKey:)``, ``values(withPrefix:)``, ``decodedValues(withPrefix:as:)``).
    public func holdReads(_ count: Int = 1) { state.withLock { $0.readsToHold += count } }

    /// Holds the next `count` writes.
    public func holdWrites(_ count: Int = 1) { state.withLock { $0.writesToHold += count } }

    /// Reads waiting for ``releaseReads()``.
    public var heldReadCount: Int { state.withLock { $0.heldReads.count } }

    /// Writes waiting for ``releaseWrites()``.
    public var heldWriteCount: Int { state.withLock { $0.heldWrites.count } }

    /// Writes applied so far.
    public var writeCount: Int { state.withLock { $0.writes } }

    /// The prefixes of every ``values(withPrefix:)`` read so far (a key read counts with the key as prefix).
    public var readPrefixes: [String] { state.withLock { $0.readPrefixes } }

    /// Lets every held read go on.
    public func releaseReads() {
        let held = state.withLock { state in
            defer { state.heldReads = [] }
            return state.heldReads
        }
        for continuation in held { continuation.resume() }
    }

    /// Lets every held write go on.
    public func releaseWrites() {
        let held = state.withLock { state in
            defer { state.heldWrites = [] }
            return state.heldWrites
        }
        for continuation in held { continuation.resume() }
    }

    /// Waits (within `limit`, real time) until `reads` reads and `writes` writes are held.
    /// - Throws: ``BoundedWait/TimedOut``.
    public func waitUntilHeld(reads: Int = 0, writes: Int = 0, within limit: Duration = BoundedWait.defaultLimit)
        async throws
    {
        try await BoundedWait.until(within: limit) { [self] in
            heldReadCount >= reads && heldWriteCount >= writes
        }
    }

    private func gate(write: Bool) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let held: Bool = state.withLock { state in
                if write, state.writesToHold > 0 {
                    state.writesToHold -= 1
                    state.heldWrites.append(continuation)
                    return true
                }
                if !write, state.readsToHold > 0 {
                    state.readsToHold -= 1
                    state.heldReads.append(continuation)
                    return true
                }
                return false
            }
            if !held { continuation.resume() }
        }
    }

    public func value(forKey key: String) async throws -> Data? {
        state.withLock { $0.readPrefixes.append(key) }
        await gate(write: false)
        return try await base.value(forKey: key)
    }

    public func values(withPrefix prefix: String) async throws -> [StorageItem] {
        state.withLock { $0.readPrefixes.append(prefix) }
        await gate(write: false)
        return try await base.values(withPrefix: prefix)
    }

    public func write(_ changes: [StorageChange]) async throws {
        await gate(write: true)
        try await base.write(changes)
        state.withLock { $0.writes += 1 }
    }
}
