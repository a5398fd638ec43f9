import Foundation
import Logging
import WalletConnectCore
import WalletConnectSign

/// An `EthereumRPCCaller` that sends `eth_call` (block `"latest"`) as HTTP JSON-RPC through an ``HTTPTransport``,
/// used to verify EIP-1271 (contract account) CACAOs (sign.md §9.6).
///
/// By default it calls the WalletConnect RPC the JS SDK uses:
/// `https://rpc.walletconnect.org/v1/?chainId=<caip2>&projectId=<id>`; pass ``init(transport:timeout:logger:endpoint:)``
/// to use your own node per chain.
public struct HTTPEthereumRPCCaller: EthereumRPCCaller {
    /// The WalletConnect blockchain API base URL.
    public static let walletConnectRPCURL = "https://rpc.walletconnect.org/v1/"

    private let transport: any HTTPTransport
    private let timeout: Duration
    private let logger: Logger
    private let endpoint: @Sendable (String) -> String?

    /// Calls the WalletConnect RPC (`<baseURL>?chainId=<caip2>&projectId=<projectID>`).
    /// - Parameters:
    ///   - transport: The HTTP transport.
    ///   - projectID: The WalletConnect project id.
    ///   - baseURL: The RPC base URL (default ``walletConnectRPCURL``).
    ///   - timeout: Deadline of one call (default 10 s).
    ///   - logger: Debug logging (no-op by default); never receives call data.
    public init(
        transport: any HTTPTransport, projectID: String, baseURL: String = Self.walletConnectRPCURL,
        timeout: Duration = .seconds(10),
        logger: Logger = Logger(label: "walletkit.rpc", factory: { _ in SwiftLogNoOpLogHandler() })
    ) {
        self.init(transport: transport, timeout: timeout, logger: logger) { chainID in
            "\(baseURL)?chainId=\(chainID)&projectId=\(projectID)"
        }
    }

    /// Calls the URL `endpoint` returns for a CAIP-2 chain (`nil`: the chain is not supported).
    /// - Parameters:
    ///   - transport: The HTTP transport.
    ///   - timeout: Deadline of one call (default 10 s).
    ///   - logger: Debug logging (no-op by default); never receives call data.
    ///   - endpoint: The JSON-RPC URL for a chain id.
    public init(
        transport: any HTTPTransport, timeout: Duration = .seconds(10),
        logger: Logger = Logger(label: "walletkit.rpc", factory: { _ in SwiftLogNoOpLogHandler() }),
        endpoint: @escaping @Sendable (String) -> String?
    ) {
        self.transport = transport
        self.timeout = timeout
        self.logger = logger
        self.endpoint = endpoint
    }

    /// Sends `{"jsonrpc":"2.0","id":1,"method":"eth_call","params":[{"to","data"},"latest"]}` and returns `result`.
    /// - Throws: ``EthereumRPCError`` (unsupported chain, HTTP status, JSON-RPC error, malformed answer), the
    ///   transport's error (e.g. a timeout), `CancellationError`.
    public func call(chainID: String, to: String, data: String) async throws -> String {
        guard let url = endpoint(chainID) else { throw EthereumRPCError.unsupportedChain(chainID) }
        let request: JSONValue = [
            "jsonrpc": "2.0", "id": 1, "method": "eth_call",
            "params": [["to": .string(to), "data": .string(data)], "latest"],
        ]
        let body = Array(try WireJSON.encode(request))
        logger.debug("eth_call", metadata: ["wk.chain": "\(chainID)"])
        let response = try await transport.send(
            method: .post, url: url, headers: ["Content-Type": "application/json"], body: body, timeout: timeout)
        guard response.isSuccess else { throw EthereumRPCError.httpStatus(response.status) }
        guard let answer = try? JSONDecoder().decode(JSONValue.self, from: Data(response.body)) else {
            throw EthereumRPCError.malformedResponse("the body is not JSON")
        }
        if let error = answer["error"], error != .null {
            let code = error["code"]?.int64Value.map { Int($0) } ?? 0
            throw EthereumRPCError.rpc(code: code, message: error["message"]?.stringValue ?? "")
        }
        guard let result = answer["result"]?.stringValue, result.hasPrefix("0x") else {
            throw EthereumRPCError.malformedResponse("no hex result")
        }
        return result
    }
}

/// Failures of ``HTTPEthereumRPCCaller``.
public struct EthereumRPCError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Kind: Hashable {
        case unsupportedChain(String)
        case httpStatus(Int)
        case rpc(code: Int, message: String)
        case malformedResponse(String)
    }

    private let kind: Kind

    /// No endpoint is configured for the chain.
    public static func unsupportedChain(_ chainID: String) -> EthereumRPCError { .init(kind: .unsupportedChain(chainID)) }
    /// The HTTP status was not 2xx.
    public static func httpStatus(_ status: Int) -> EthereumRPCError { .init(kind: .httpStatus(status)) }
    /// The node answered a JSON-RPC error.
    public static func rpc(code: Int, message: String) -> EthereumRPCError { .init(kind: .rpc(code: code, message: message)) }
    /// The answer is not a JSON-RPC result with a hex string.
    public static func malformedResponse(_ reason: String) -> EthereumRPCError { .init(kind: .malformedResponse(reason)) }

    /// The JSON-RPC error code, for a node error.
    public var rpcCode: Int? {
        if case .rpc(let code, _) = kind { return code }
        return nil
    }

    /// The HTTP status, for a non-2xx answer.
    public var httpStatus: Int? {
        if case .httpStatus(let status) = kind { return status }
        return nil
    }

    /// Describes the failure (never contains call data).
    public var description: String {
        switch kind {
        case .unsupportedChain(let chainID): "No RPC endpoint for chain \(chainID)"
        case .httpStatus(let status): "eth_call failed with HTTP status \(status)"
        case .rpc(let code, let message): "eth_call failed: \(code) \(message)"
        case .malformedResponse(let reason): "Malformed eth_call response: \(reason)"
        }
    }
}
