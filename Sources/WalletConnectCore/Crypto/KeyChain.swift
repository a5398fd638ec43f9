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
/// Contents: topic → symKey, publicKey → privateKey, `client_ed25519_seed` → seed. Where it is kept:
/// * a file (``init(fileURL:)``): the map is persisted as one JSON object; every change writes a temporary file
///   created with mode `0600`, `fsync`s it and renames it over the old one, so a crash leaves the old or the new
///   map;
/// * a ``KeyValueStorage`` (``init(storage:prefix:)``, the key chain of a ``ServerKeyValueStorage``): one row per
///   tag, `wc@2:core:0.3[:prefix]//keychain/<tag>`, each change one write; ``load()`` reads the rows;
/// * memory only (``inMemory()``).
///
/// Every change is persisted before it is visible in memory; a change that could not be persisted is not kept.
/// Reading and writing values is `package` access: outside this package keys are used through ``Crypto``, which
/// also orders the changes of one tag.
package final class KeyChain: Sendable {
    private enum Backend: Sendable {
        case memory
        case file(URL)
        case storage(any KeyValueStorage, rowPrefix: String)
    }

    private let entries: Locked<[String: String]>
    private let backend: Backend
    /// Whether the entries hold what the backend holds (always, but for a storage before ``load()``).
    private let loaded: Locked<Bool>

    /// Opens a key chain persisted at `fileURL` (loading it if it exists), or an in-memory one for `nil`.
    /// - Throws: ``StorageError`` when the file exists but cannot be read or parsed.
    package init(fileURL: URL?) throws {
        self.backend = fileURL.map { .file($0) } ?? .memory
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
        self.loaded = Locked(true)
    }

    /// A key chain kept in `storage`, one row per tag under `wc@2:core:0.3[:<prefix>]//keychain/`. Nothing is read
    /// until ``load()``; until then it holds nothing and refuses changes (so no second identity can be created
    /// over the stored one).
    /// - Parameters:
    ///   - storage: The storage (a database every instance of the wallet shares).
    ///   - prefix: The storage prefix of the namespace (`customStoragePrefix`).
    package init(storage: any KeyValueStorage, prefix: String = "") {
        self.backend = .storage(storage, rowPrefix: StorageKey.keychain(prefix: prefix).rawValue + "/")
        self.entries = Locked([:])
        self.loaded = Locked(false)
    }

    /// An empty key chain kept in memory only.
    package static func inMemory() -> KeyChain {
        KeyChain(memory: ())
    }

    private init(memory: Void) {
        self.backend = .memory
        self.entries = Locked([:])
        self.loaded = Locked(true)
    }

    /// Whether the key chain holds what its storage holds: `false` only for a storage key chain before ``load()``.
    package var isLoaded: Bool { loaded.withLock { $0 } }

    /// Reads every row of a storage key chain (nothing to do for a file or memory). ``Crypto`` calls it before
    /// its first use of the keys; a caller must not change the key chain while it loads.
    /// - Throws: The storage's read error (the key chain stays unloaded).
    package func load() async throws {
        guard case .storage(let storage, let rowPrefix) = backend else { return }
        let rows = try await storage.values(withPrefix: rowPrefix)
        var map: [String: String] = [:]
        for row in rows {
            guard let value = String(data: row.value, encoding: .utf8) else {
                throw StorageError.corruptRecord("key chain row is not text")
            }
            map[String(row.key.dropFirst(rowPrefix.count))] = value
        }
        entries.withLock { $0 = map }
        loaded.withLock { $0 = true }
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

    /// Stores `value` under `tag`, persisting it first.
    /// - Throws: ``StorageError/writeFailed(_:)`` (or the storage's error) when it cannot be persisted: nothing
    ///   changed. A storage key chain that is not loaded refuses with ``StorageError/Kind/readFailed``.
    package func set(_ value: String, for tag: String) async throws {
        switch backend {
        case .memory, .file:
            try entries.withLock { map in
                let previous = map.updateValue(value, forKey: tag)
                do {
                    try persist(map)
                } catch {
                    if let previous { map[tag] = previous } else { map.removeValue(forKey: tag) }
                    throw error
                }
            }
        case .storage(let storage, let rowPrefix):
            try requireLoaded()
            try await storage.write([.set(key: rowPrefix + tag, value: Data(value.utf8))])
            entries.withLock { $0[tag] = value }
        }
    }

    /// Removes `tag` (no error if absent), persisting it first.
    /// - Throws: ``StorageError/writeFailed(_:)`` (or the storage's error) when it cannot be persisted: nothing
    ///   changed.
    package func delete(_ tag: String) async throws {
        switch backend {
        case .memory, .file:
            try entries.withLock { map in
                guard let previous = map.removeValue(forKey: tag) else { return }
                do {
                    try persist(map)
                } catch {
                    map[tag] = previous
                    throw error
                }
            }
        case .storage(let storage, let rowPrefix):
            try requireLoaded()
            guard has(tag) else { return }
            try await storage.write([.remove(key: rowPrefix + tag)])
            _ = entries.withLock { $0.removeValue(forKey: tag) }
        }
    }

    /// Removes every key: for a storage, every row of the key chain (also rows another instance wrote), in one
    /// transaction.
    /// - Throws: The write error: nothing changed.
    package func deleteAll() async throws {
        switch backend {
        case .memory, .file:
            for tag in tags { try await delete(tag) }
        case .storage(let storage, let rowPrefix):
            let rows = try await storage.values(withPrefix: rowPrefix)
            try await storage.write(rows.map { .remove(key: $0.key) })
            entries.withLock { $0.removeAll() }
            loaded.withLock { $0 = true }
        }
    }

    private func requireLoaded() throws {
        guard isLoaded else { throw StorageError.readFailed("the key chain was not loaded from its storage") }
    }

    // MARK: persistence

    private func persist(_ map: [String: String]) throws {
        guard case .file(let fileURL) = backend else { return }
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
