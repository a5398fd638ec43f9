import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO
import _ConnectionPoolModule
import WalletConnectCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension PostgresStorage {
    /// What a failing call was doing: picks the kind of an error that is not more specific.
    enum Operation {
        case open, read, write
    }

    /// Whether the server aborted a statement that may succeed when tried again: a serialization failure
    /// (SQLSTATE 40001) or a deadlock (40P01).
    static func isRetryable(_ error: any Error) -> Bool {
        guard let error = error as? PSQLError, error.code == .server else { return false }
        let state = error.serverInfo?[.sqlState]
        return state == "40001" || state == "40P01"
    }

    /// `error` as a `StorageError` (a `CancellationError` stays one). Reasons name the server, the user, the
    /// SQLSTATE and the server's message, never the password, a query's parameters or a row.
    func storageError(_ error: any Error, operation: Operation) -> any Error {
        let server = configuration.endpoint
        let failed: (String) -> StorageError = { reason in
            switch operation {
            case .open: .openFailed("PostgreSQL at \(server): \(reason)")
            case .read: .readFailed("PostgreSQL at \(server): \(reason)")
            case .write: .writeFailed("PostgreSQL at \(server): \(reason)")
            }
        }
        switch error {
        case let error as StorageError:
            return error
        case is CancellationError:
            return error
        case let error as PostgresTransactionError:
            if let inner = error.closureError ?? error.beginError ?? error.commitError {
                return storageError(inner, operation: operation)
            }
            return failed("the transaction failed")
        case let error as ConnectionPoolError:
            if error == .connectionCreationCircuitBreakerTripped {
                return StorageError.unreachable("cannot reach the PostgreSQL server at \(server): no connection could be opened for a minute")
            }
            if error == .poolShutdown { return StorageError.unreachable("the connection pool to \(server) was closed") }
            return failed("the connection request was cancelled")
        case let error as PSQLError:
            return psqlError(error, failed: failed)
        default:
            return connectionFailure(error).map { StorageError.unreachable("cannot reach the PostgreSQL server at \(server): \($0)") }
                ?? failed("\(type(of: error))")
        }
    }

    private func psqlError(_ error: PSQLError, failed: (String) -> StorageError) -> StorageError {
        let server = configuration.endpoint, user = configuration.username
        switch error.code {
        case .server:
            let state = error.serverInfo?[.sqlState] ?? "?????"
            let message = error.serverInfo?[.message] ?? "no message"
            switch state {
            case "28P01", "28000":
                return .authenticationFailed(
                    "the PostgreSQL server at \(server) refused user \"\(user)\": \(message) (SQLSTATE \(state))")
            case "3D000":
                return .openFailed("PostgreSQL at \(server): database \"\(configuration.database)\" does not exist")
            case "25006":
                return .readOnly("PostgreSQL at \(server): \(message) (SQLSTATE \(state))")
            case "57P01", "57P02", "57P03":
                return .unreachable("the PostgreSQL server at \(server) is shutting down or starting: \(message)")
            default:
                if state.hasPrefix("08") {
                    return .unreachable("the connection to the PostgreSQL server at \(server) failed: \(message)")
                }
                return failed("\(message) (SQLSTATE \(state))")
            }
        case .connectionError:
            let reason = error.underlying.flatMap(connectionFailure) ?? "the connection failed"
            return .unreachable("cannot reach the PostgreSQL server at \(server): \(reason)")
        case .sslUnsupported:
            return .unreachable("the PostgreSQL server at \(server) does not offer TLS (sslmode=\(configuration.tls.rawValue))")
        case .failedToAddSSLHandler:
            return .unreachable("TLS to the PostgreSQL server at \(server) could not be set up")
        case .serverClosedConnection, .uncleanShutdown:
            return .unreachable("the PostgreSQL server at \(server) closed the connection")
        case .clientClosedConnection, .poolClosed:
            return .unreachable("the connection to the PostgreSQL server at \(server) was closed")
        case .authMechanismRequiresPassword:
            return .authenticationFailed(
                "the PostgreSQL server at \(server) asks user \"\(user)\" for a password and the URL has none")
        case .unsupportedAuthMechanism, .saslError:
            return .authenticationFailed(
                "the PostgreSQL server at \(server) refused user \"\(user)\": authentication failed (\(error.code))")
        default:
            return failed("\(error.code)")
        }
    }

    /// A connection failure in words (`connection refused`, `timed out`, `TLS handshake failed`, …), or `nil`
    /// for an error that is not one.
    private func connectionFailure(_ error: any Error) -> String? {
        switch error {
        case let error as IOError:
            return Self.describe(errno: error.errnoCode)
        case let error as NIOConnectionError:
            if error.dnsAAAAError != nil || error.dnsAError != nil, error.connectionErrors.isEmpty {
                return "the host name could not be resolved (DNS)"
            }
            if let first = error.connectionErrors.first { return connectionFailure(first.error) ?? "the connection failed" }
            return "the connection failed"
        case let error as ChannelError:
            if case .connectTimeout = error { return "the connection timed out (\(configuration.connectTimeout))" }
            return "the connection failed (\(error))"
        case is NIOSSLError, is BoringSSLError:
            return "TLS handshake failed"
        default:
            return nil
        }
    }

    private static func describe(errno code: Int32) -> String {
        switch code {
        case ECONNREFUSED: "connection refused"
        case ETIMEDOUT: "the connection timed out"
        case EHOSTUNREACH: "no route to the host"
        case ENETUNREACH: "the network is unreachable"
        case ECONNRESET: "the connection was reset"
        default: "the connection failed (errno \(code))"
        }
    }
}
