import Foundation
import Testing
@testable import WalletConnectCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A storage path SQLite cannot use is reported in words, not as a bare errno.
@Suite("Storage: unusable paths", .timeLimit(.minutes(1)))
struct StoragePathErrorTests {
    private static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("wk-storage-path-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Opens `path` for writing and returns the error's description.
    private static func openFailure(_ path: String) throws -> String {
        do {
            _ = try SQLiteStorage(path: path)
        } catch let error as StorageError {
            #expect(error.kind == .openFailed)
            return error.description
        }
        Issue.record("opened \(path)")
        return ""
    }

    @Test("a storage path that is a directory: \"is a directory\"")
    func directory() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let message = try Self.openFailure(directory.path)
        #expect(message.contains("\(directory.path): is a directory"), "\(message)")
        #expect(!message.contains("errno"), "\(message)")
    }

    @Test("a storage file name longer than the file system allows: \"file name too long\"")
    func nameTooLong() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent(String(repeating: "w", count: 300) + ".sqlite").path
        let message = try Self.openFailure(path)
        #expect(message.contains("file name too long"), "\(message)")
        #expect(!message.contains("errno"), "\(message)")
    }

    @Test(
        "open(2) failures are named",
        arguments: [
            (EACCES, "permission denied"), (EISDIR, "is a directory"), (ENAMETOOLONG, "file name too long"),
            (ENOENT, "no such file or directory"), (ENOTDIR, "a path component is not a directory"),
            (EROFS, "read-only file system"), (ENOSPC, "no space left on device"),
        ])
    func named(code: Int32, words: String) {
        #expect(SQLiteStorage.describeOpenFailure(errno: code) == words)
    }

    @Test("an errno without a name keeps its number")
    func unnamed() {
        #expect(SQLiteStorage.describeOpenFailure(errno: 9999).contains("9999"))
    }
}
