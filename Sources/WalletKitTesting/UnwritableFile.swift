import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Makes a file unwritable for this process, the way a user meets it: `chmod 0400` for a normal user. Root ignores
/// file modes, so for root the file is made immutable (`chattr +i`), which root cannot write through either.
public enum UnwritableFile {
    /// Whether this process can open `path` for writing.
    public static func isWritable(_ path: String) -> Bool {
        let fd = open(path, O_RDWR | O_CLOEXEC)
        if fd >= 0 { close(fd) }
        return fd >= 0
    }

    /// Whether this process may create files in the folder `path`.
    public static func isFolderWritable(_ path: String) -> Bool { access(path, W_OK) == 0 }

    /// Makes the file or folder `path` unwritable; returns how, or `nil` when neither way works here (the caller
    /// then skips).
    public static func protect(_ path: String) -> String? {
        var isFolder: ObjCBool = false
        _ = FileManager.default.fileExists(atPath: path, isDirectory: &isFolder)
        let writable = { isFolder.boolValue ? isFolderWritable(path) : isWritable(path) }
        if geteuid() != 0 {
            _ = chmod(path, isFolder.boolValue ? 0o500 : 0o400)
            return writable() ? nil : "chmod"
        }
        guard run("/usr/bin/chattr", ["+i", path]) == 0 else { return nil }
        return writable() ? nil : "chattr +i (root)"
    }

    /// Makes `path` writable again (0600, not immutable).
    public static func unprotect(_ path: String) {
        if geteuid() == 0 { _ = run("/usr/bin/chattr", ["-i", path]) }
        _ = chmod(path, 0o600)
    }

    private static func run(_ tool: String, _ arguments: [String]) -> Int32 {
        guard FileManager.default.isExecutableFile(atPath: tool) else { return -1 }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return -1 }
        process.waitUntilExit()
        return process.terminationStatus
    }
}
