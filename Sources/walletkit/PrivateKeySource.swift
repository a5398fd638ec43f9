import ArgumentParser
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Where `walletkit wallet` takes its secp256k1 key from: `--private-key HEX` (visible to every local user in
/// `/proc/PID/cmdline` and `ps`), `--private-key-file PATH` (mode 0600 or stricter) or `$WALLETKIT_PRIVATE_KEY`
/// (readable only by the process owner and root, in `/proc/PID/environ`).
enum PrivateKeySource {
    /// The environment variable read when neither option is given.
    static let environmentVariable = "WALLETKIT_PRIVATE_KEY"

    /// The longest key file read (a hex key with `0x` and a newline is 67 bytes).
    static let maximumFileBytes = 4096

    /// The key from the option, the file or the environment, in that order; `nil` when none is given.
    /// - Throws: `ValidationError` (exit 64) naming the source: both options given, a malformed key, a file that
    ///   cannot be read, is not a regular file, or is readable or writable by group or others. Never the key.
    static func resolve(
        option: String?, file: String?, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> Data? {
        if option != nil && file != nil {
            throw ValidationError("pass only one of --private-key and --private-key-file")
        }
        if let option { return try parse(option, source: "--private-key") }
        if let file { return try parse(try read(file), source: "--private-key-file \(file)") }
        if let value = environment[environmentVariable], !value.isEmpty {
            return try parse(value, source: "$\(environmentVariable)")
        }
        return nil
    }

    /// Parses hex (blanks around it ignored) into a valid key.
    private static func parse(_ text: String, source: String) throws -> Data {
        do {
            return try PersonalSign.privateKey(hex: text.trimmingCharacters(in: .whitespacesAndNewlines), source: source)
        } catch let error as CLIError {
            throw ValidationError(error.description)
        }
    }

    /// The text of a key file that only its owner may read: one `open`, then `fstat` and `read` on that descriptor.
    private static func read(_ path: String) throws -> String {
        // O_NONBLOCK: a FIFO given as the path must not block the open (it is refused below as not a regular file).
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
        guard fd >= 0 else {
            let code = errno
            let reason =
                switch code {
                case ELOOP: "is a symbolic link"
                case ENOENT: "does not exist"
                case EACCES: "cannot be read: permission denied"
                default: "cannot be opened (errno \(code))"
                }
            throw ValidationError("--private-key-file \(path) \(reason)")
        }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
            throw ValidationError("--private-key-file \(path) is not a regular file")
        }
        let mode = status.st_mode & 0o777
        guard mode & 0o077 == 0 else {
            let octal = String(mode, radix: 8)
            throw ValidationError(
                "--private-key-file \(path) has mode \(String(repeating: "0", count: max(0, 4 - octal.count)) + octal); "
                    + "it must be 0600 or stricter (chmod 600)")
        }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: false)
        let data: Data
        do {
            data = try handle.read(upToCount: maximumFileBytes + 1) ?? Data()
        } catch {
            throw ValidationError("--private-key-file \(path) cannot be read")
        }
        guard data.count <= maximumFileBytes else {
            throw ValidationError("--private-key-file \(path) is larger than \(maximumFileBytes) bytes")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
