import NIOCore
import NIOPosix
import NIOSSL

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a connection attempt to the relay failed, in words a user can act on (refused, DNS, TLS, HTTP refusal).
enum RelayConnectionFailure {
    /// `error` from one connection attempt, described without secrets (no URL query, no JWT).
    static func describe(_ error: any Error) -> String {
        switch error {
        case let error as RelayerError where error == .upgradeRefused:
            return "the relay refused the WebSocket upgrade (an HTTP error such as 401: a missing or invalid project id or JWT)"
        case let error as RelayerError where error.kind == .timeout:
            return "no answer to the WebSocket upgrade in time"
        case let error as NIOConnectionError:
            if let failure = error.connectionErrors.first {
                return describe(failure.error)
            }
            if error.dnsAError != nil || error.dnsAAAAError != nil {
                return "the host name could not be resolved (DNS)"
            }
            return "the connection could not be made"
        case let error as IOError:
            return describe(errno: error.errnoCode)
        case ChannelError.connectTimeout:
            return "the connection timed out"
        case let error as NIOSSLError:
            return "TLS handshake failed (\(error))"
        case let error as BoringSSLError:
            return "TLS handshake failed (\(error))"
        default:
            return "\(error)"
        }
    }

    /// A socket error in words.
    static func describe(errno code: Int32) -> String {
        switch code {
        case ECONNREFUSED: "connection refused"
        case ETIMEDOUT: "the connection timed out"
        case EHOSTUNREACH: "host unreachable"
        case ENETUNREACH: "network unreachable"
        case ECONNRESET: "connection reset by the relay"
        case EADDRNOTAVAIL: "address not available"
        default: "socket error (errno \(code))"
        }
    }
}
