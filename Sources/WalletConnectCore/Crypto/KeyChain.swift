import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The key chain: a flat map tag → lowercase hex (spec §5.9).
///
/// Contents: topic → symKey, publicKey → privateKey, `client_ed25519_seed` → seed. With a file URL
/// the map is persisted as one JSON object; every change writes a temporary file created with mode
/// `0600`, `fsync`s it and renames it over the old one, so a crash leaves the old or the new map.
/// Without a file URL it lives in memory only.
///
/// Reading and writing values is `package` access: outside this package keys are used through ``Crypto``.
package final class KeyChain: Sendable {
    private let entries: Locked<[String: String]>
    private let fileURL: URL?

    /// Opens a key chain persisted at `fileURL` (loading it if it exists), or an in-memory one for `nil`.
    /// - Throws: ``StorageError`` when the file exists but cannot be read or parsed.
    package init(fileURL: URL?) throws {
        self.fileURL = fileURL
        var loaded: [String: String] = [:]
        if let fileURL, FileManager.default.fileExists(atPath: fileURL.path) {
            let data: Data
            do {
                data = try Data(contentsOf: fileURL)
            } catch {
                throw StorageError.readFailed("key chain file could not be read")
            }
            do {
                loaded = try JSONDecoder().decode([String: String].self, from: data)
            } catch {
                throw StorageError.corruptRecord("key chain file is not a JSON object of strings")
            }
        }
        self.entries = Locked(loaded)
    }

    /// An empty key chain kept in memory only.
    package static func inMemory() -> KeyChain {
        KeyChain(memory: ())
    }

    private init(memory: Void) {
        self.fileURL = nil
        self.entries = Locked([:])
    }

    /// Whether a value is stored under `tag`.
    package func has(_ tag: String) -> Bool {
        entries.withLock { $0[tag] != nil }
    }

    /// Every stored tag (topics, public keys, the identity tag), sorted.
    package var tags: [String] {
        entries.withLock { $0.keys.sorted() }
    }

    /// The value stored under `tag`.
    /// - Throws: ``CryptoError/missingKey(tag:)`` (`No matching key. keychain: <tag>`).
    package func get(_ tag: String) throws -> String {
        guard let value = entries.withLock({ $0[tag] }) else { throw CryptoError.missingKey(tag: tag) }
        return value
    }

    /// Stores `value` under `tag` and persists.
    /// - Throws: ``StorageError/writeFailed(_:)`` if the file cannot be written (the change is rolled back).
    package func set(_ value: String, for tag: String) throws {
        try entries.withLock { map in
            let previous = map.updateValue(value, forKey: tag)
            do {
                try persist(map)
            } catch {
                if let previous { map[tag] = previous } else { map.removeValue(forKey: tag) }
                throw error
            }
        }
    }

    /// Removes `tag` (no error if absent) and persists.
    /// - Throws: ``StorageError/writeFailed(_:)`` if the file cannot be written (the change is rolled back).
    package func delete(_ tag: String) throws {
        try entries.withLock { map in
            guard let previous = map.removeValue(forKey: tag) else { return }
            do {
                try persist(map)
            } catch {
                map[tag] = previous
                throw error
            }
        }
    }

    // MARK: persistence

    private func persist(_ map: [String: String]) throws {
        guard let fileURL else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data: Data
        do {
            data = try encoder.encode(map)
        } catch {
            throw StorageError.writeFailed("key chain could not be encoded")
        }
        try Self.atomicWrite(data, to: fileURL)
    }

    /// Writes `data` to a `0600` temporary file beside `url`, fsyncs it, renames it over `url` and fsyncs the folder.
    static func atomicWrite(_ data: Data, to url: URL) throws {
        let directory = url.deletingLastPathComponent()
        if !FileManager.default.fileExists(atPath: directory.path) {
            do {
                try FileManager.default.createDirectory(
                    at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw StorageError.writeFailed("key chain folder could not be created")
            }
        }
        let tempPath = directory.appendingPathComponent(
            ".\(url.lastPathComponent).tmp-\(Hex.encode(SecureRandom.bytes(8)))"
        ).path
        let fd = open(tempPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw StorageError.writeFailed("key chain temporary file could not be created") }
        var ok = true
        data.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count, let base = buffer.baseAddress {
                let written = write(fd, base + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    ok = false
                    return
                }
                offset += written
            }
        }
        if ok, fchmod(fd, 0o600) != 0 { ok = false }
        if ok, fsync(fd) != 0 { ok = false }
        if close(fd) != 0 { ok = false }
        guard ok, rename(tempPath, url.path) == 0 else {
            unlink(tempPath)
            throw StorageError.writeFailed("key chain file could not be written")
        }
        let directoryFD = open(directory.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryFD >= 0 {
            _ = fsync(directoryFD)
            close(directoryFD)
        }
    }
}
