import Foundation
import Synchronization
import WalletConnectCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive advisory lock (`flock`) on `<path>`, held from ``acquire(path:)`` until ``release()`` or deinit.
///
/// `flock` locks belong to an open file description, so a second acquisition fails even inside the same
/// process: two clients on one storage namespace are refused instead of overwriting each other's key chain.
final class StorageNamespaceLock: Sendable {
    /// The lock file.
    let path: String
    private let descriptor: Locked<Int32?>

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = Locked(descriptor)
    }

    /// Creates `path` (0600, and its folder) if needed and locks it without waiting.
    /// - Throws: ``SignClientError/namespaceInUse(_:)`` when it is held; ``StorageError`` when it cannot be opened.
    static func acquire(path: String) throws -> StorageNamespaceLock {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        let fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw StorageError.openFailed("\(path): errno \(errno)") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw SignClientError.namespaceInUse(path)
        }
        return StorageNamespaceLock(path: path, descriptor: fd)
    }

    /// Releases the lock (idempotent).
    func release() {
        let fd: Int32? = descriptor.withLock { value in
            defer { value = nil }
            return value
        }
        if let fd {
            _ = flock(fd, LOCK_UN)
            close(fd)
        }
    }

    deinit { release() }
}
