import Foundation
import Testing
@testable import WalletConnectCore
import WalletKitTesting

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

private struct Note: Codable, Sendable, Hashable {
    var text: String
    var version: Int
}

/// A SQLite storage that refuses writes: a database opened read-only, and a database file this process may not
/// write (read-only file). Every write fails with ``StorageError/Kind/readOnly`` and keeps nothing; made writable
/// again, the file holds exactly the state from before the refused writes.
@Suite("Storage: read-only SQLite database", .serialized, .timeLimit(.minutes(1)))
struct StorageReadOnlyTests {
    private static let key = StorageKey.client("session")

    private static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("wk-readonly-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Writes the state every test starts from: `a` (version 1) and `b` (version 2); the storage is closed after.
    private static func seed(_ path: String) async throws {
        let store = Store<Note>(storage: try SQLiteStorage(path: path), storageKey: key)
        try await store.load()
        try await store.set("a", Note(text: "first", version: 1))
        try await store.set("b", Note(text: "second", version: 2))
    }

    /// Reopens `path` for writing and checks it holds exactly the seeded state; then a write succeeds.
    private static func expectSeededState(_ path: String) async throws {
        let storage = try SQLiteStorage(path: path)
        #expect(try await storage.integrityProblems() == [])
        let store = Store<Note>(storage: storage, storageKey: key)
        #expect(try await store.load() == [])
        #expect(await store.keys.sorted() == ["a", "b"])
        #expect(await store.value(forKey: "a") == Note(text: "first", version: 1))
        #expect(await store.value(forKey: "b") == Note(text: "second", version: 2))
        try await store.set("c", Note(text: "after", version: 3))
        let again = Store<Note>(storage: try SQLiteStorage(path: path), storageKey: key)
        try await again.load()
        #expect(await again.keys.sorted() == ["a", "b", "c"])
    }

    /// `body` must throw a ``StorageError`` of kind ``StorageError/Kind/readOnly``.
    private static func expectReadOnly(
        _ what: String, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Void
    ) async {
        do {
            try await body()
            Issue.record("\(what) succeeded on a read-only database", sourceLocation: sourceLocation)
        } catch let error as StorageError {
            #expect(error.kind == .readOnly, "\(what): \(error)", sourceLocation: sourceLocation)
            #expect(error.isWriteFailure, sourceLocation: sourceLocation)
            #expect(error.description.hasPrefix("storage is read-only: "), sourceLocation: sourceLocation)
        } catch {
            Issue.record("\(what) threw \(type(of: error)): \(error), not StorageError", sourceLocation: sourceLocation)
        }
    }

    @Test("opened read-only: reads see the state, every write throws .readOnly and keeps nothing")
    func openedReadOnly() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("wallet.sqlite").path
        try await Self.seed(path)

        do {
            let storage = try SQLiteStorage(path: path, readOnly: true)
            #expect(storage.isReadOnly)
            #expect(try await storage.integrityProblems() == [])
            let store = Store<Note>(storage: storage, storageKey: Self.key)
            try await store.load()
            #expect(await store.keys.sorted() == ["a", "b"])

            await Self.expectReadOnly("set") { try await store.set("c", Note(text: "new", version: 3)) }
            await Self.expectReadOnly("update") { try await store.update("a") { $0.version = 9 } }
            await Self.expectReadOnly("delete") { try await store.delete("b") }
            await Self.expectReadOnly("batch set") {
                try await store.set([(key: "x", value: Note(text: "x", version: 1)), (key: "a", value: Note(text: "y", version: 1))])
            }
            await Self.expectReadOnly("raw write") {
                try await storage.write([.set(key: "k", value: Data([1])), .remove(key: Self.key.rawValue + "/a")])
            }
            // Memory did not move either.
            #expect(await store.keys.sorted() == ["a", "b"])
            #expect(await store.value(forKey: "a") == Note(text: "first", version: 1))
            #expect(try await storage.value(forKey: "k") == nil)
        }
        try await Self.expectSeededState(path)
    }

    @Test("opened read-only next to a live writer: it sees the writer's commits and still refuses writes")
    func readOnlyBesideWriter() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("wallet.sqlite").path
        let writer = try SQLiteStorage(path: path)
        try await writer.setValue(Data("1".utf8), forKey: "k")
        let reader = try SQLiteStorage(path: path, readOnly: true)
        #expect(try await reader.value(forKey: "k") == Data("1".utf8))
        try await writer.setValue(Data("2".utf8), forKey: "k")
        #expect(try await reader.value(forKey: "k") == Data("2".utf8))
        await Self.expectReadOnly("write beside a writer") { try await reader.setValue(Data("3".utf8), forKey: "k") }
        #expect(try await writer.value(forKey: "k") == Data("2".utf8))
    }

    @Test("a read-only database that does not exist is not created")
    func readOnlyMissingFile() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("absent.sqlite").path
        #expect {
            _ = try SQLiteStorage(path: path, readOnly: true)
        } throws: { ($0 as? StorageError)?.kind == .openFailed }
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test("an unwritable database file with a non-empty WAL (as a crash leaves it): opening it for writing throws .readOnly")
    func unwritableFileWithWAL() async throws {
        let directory = try Self.temporaryDirectory()
        let path = directory.appendingPathComponent("wallet.sqlite").path
        defer {
            UnwritableFile.unprotect(path)
            try? FileManager.default.removeItem(at: directory)
        }
        // The first storage stays open, so its WAL holds the seeded records (nothing is checkpointed away).
        let crashed = try SQLiteStorage(path: path)
        let store = Store<Note>(storage: crashed, storageKey: Self.key)
        try await store.set("a", Note(text: "first", version: 1))
        let walSize = (try? FileManager.default.attributesOfItem(atPath: path + "-wal"))?[.size] as? NSNumber
        #expect((walSize?.intValue ?? 0) > 0)
        guard UnwritableFile.protect(path) != nil else {
            print("note: StorageReadOnlyTests.unwritableFileWithWAL: cannot make a file unwritable here; skipped")
            return
        }
        #expect {
            _ = try SQLiteStorage(path: path)
        } throws: { ($0 as? StorageError)?.kind == .readOnly }
        UnwritableFile.unprotect(path)
        let reopened = Store<Note>(storage: try SQLiteStorage(path: path), storageKey: Self.key)
        try await reopened.load()
        #expect(await reopened.value(forKey: "a") == Note(text: "first", version: 1))
    }

    @Test("a folder this process may not write: opening the database in it throws .readOnly; writable again, the state is intact")
    func unwritableFolder() async throws {
        let directory = try Self.temporaryDirectory()
        let path = directory.appendingPathComponent("wallet.sqlite").path
        defer {
            UnwritableFile.unprotect(directory.path)
            _ = chmod(directory.path, 0o700)
            try? FileManager.default.removeItem(at: directory)
        }
        try await Self.seed(path)
        // Closed cleanly: the WAL and shared-memory files are gone and would have to be created in the folder.
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
        guard UnwritableFile.protect(directory.path) != nil else {
            print("note: StorageReadOnlyTests.unwritableFolder: cannot make a folder unwritable here; skipped")
            return
        }
        #expect {
            _ = try SQLiteStorage(path: path)
        } throws: { ($0 as? StorageError)?.kind == .readOnly }
        #expect {
            _ = try SQLiteStorage(path: directory.appendingPathComponent("new.sqlite").path)
        } throws: { ($0 as? StorageError)?.kind == .readOnly }
        UnwritableFile.unprotect(directory.path)
        _ = chmod(directory.path, 0o700)
        try await Self.expectSeededState(path)
    }

    @Test("a database file this process may not write: opening it for writing throws .readOnly; writable again, the state is intact")
    func unwritableFile() async throws {
        let directory = try Self.temporaryDirectory()
        defer {
            UnwritableFile.unprotect(directory.appendingPathComponent("wallet.sqlite").path)
            try? FileManager.default.removeItem(at: directory)
        }
        let path = directory.appendingPathComponent("wallet.sqlite").path
        try await Self.seed(path)
        guard let how = UnwritableFile.protect(path) else {
            // Only where neither chmod (non-root) nor chattr (root) can make a file unwritable.
            print("note: StorageReadOnlyTests.unwritableFile: cannot make a file unwritable here; skipped")
            return
        }
        #expect {
            _ = try SQLiteStorage(path: path)
        } throws: { error in
            guard let error = error as? StorageError else { return false }
            return error.kind == .readOnly && error.reason.contains(path)
        }
        // Read-only access still works on the unwritable file; writes are refused there too.
        do {
            let storage = try SQLiteStorage(path: path, readOnly: true)
            let store = Store<Note>(storage: storage, storageKey: Self.key)
            try await store.load()
            #expect(await store.keys.sorted() == ["a", "b"], "\(how)")
            await Self.expectReadOnly("set on an unwritable file (\(how))") {
                try await store.set("c", Note(text: "new", version: 3))
            }
        }
        UnwritableFile.unprotect(path)
        try await Self.expectSeededState(path)
    }
}
