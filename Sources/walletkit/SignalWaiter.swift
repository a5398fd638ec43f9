import Dispatch
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Waits for a process signal without global state: dispatch signal sources live for the duration of the call.
enum SignalWaiter {
    /// Suspends until one of `signals` arrives; returns it. The default action of those signals is disabled.
    static func wait(for signals: [Int32]) async -> Int32 {
        let queue = DispatchQueue(label: "walletkit.signals")
        let (stream, continuation) = AsyncStream<Int32>.makeStream()
        let sources = signals.map { number -> any DispatchSourceSignal in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            return source
        }
        defer {
            for source in sources { source.cancel() }
            continuation.finish()
        }
        for await number in stream { return number }
        return 0
    }
}
