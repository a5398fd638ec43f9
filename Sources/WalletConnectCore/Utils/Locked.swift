import NIOConcurrencyHelpers

/// A value guarded by a lock, for state that synchronous code (task-cancellation handlers, `onTermination`,
/// NIO handlers) shares across threads.
///
/// The lock is a pthread mutex (swift-nio's `NIOLock`), which ThreadSanitizer understands: CI runs the suite under
/// TSan, and the standard library's `Synchronization.Mutex` (a futex in uninstrumented code on Linux) is invisible
/// to it, so every access it guards would be reported as a race and a real race or a lock-order inversion could
/// not be told apart. Use `Locked` for every lock in this project.
///
/// Never yield to, finish or resume a continuation inside ``withLock(_:)``: take it out, release the lock, then
/// resume it (Docs/Architecture.md, "Concurrency model").
package final class Locked<Value>: @unchecked Sendable {
    // SAFETY: `value` is read and written only inside `lock.withLock`, so every access is serialised by the
    // mutex; the class hands out no reference to it, and `withLock`'s body cannot let the `inout` escape.
    private let lock = NIOLock()
    private var value: Value

    /// Creates the guarded value.
    package init(_ value: Value) {
        self.value = value
    }

    /// Runs `body` with exclusive access to the value.
    /// - Throws: What `body` throws.
    package func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        try lock.withLock { try body(&value) }
    }
}
