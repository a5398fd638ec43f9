#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A source of wall time (Unix epoch). Expiries in the protocol are wall-clock seconds; timeouts use a `Clock`.
///
/// Inject ``system`` in production and a manual source in tests.
public struct WallClock: Sendable {
    private let read: @Sendable () -> Int64

    /// Creates a wall clock from a closure returning milliseconds since the Unix epoch.
    public init(milliseconds: @escaping @Sendable () -> Int64) {
        self.read = milliseconds
    }

    /// Milliseconds since the Unix epoch.
    public var nowMilliseconds: Int64 { read() }

    /// Whole seconds since the Unix epoch.
    public var nowSeconds: Int64 { read() / 1000 }

    /// The operating system's real-time clock.
    public static let system = WallClock {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }

    /// A clock frozen at `milliseconds` (tests and vectors).
    public static func fixed(milliseconds: Int64) -> WallClock {
        WallClock { milliseconds }
    }
}
