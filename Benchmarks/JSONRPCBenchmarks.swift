import Foundation
import WalletConnectCore

enum JSONRPCBenchmarks {
    /// Encode + decode of a `wc_sessionRequest` JSON-RPC request vs Foundation JSONSerialization of the same object.
    static func sessionRequest() throws -> [BenchmarkResult] {
        let params: JSONValue = [
            "request": [
                "method": "personal_sign",
                "params": ["0x48656c6c6f20576f726c64", "0x8ba1f109551bd432803012645ac136ddd64dba72"],
                "expiryTimestamp": 1_764_000_000,
            ],
            "chainId": "eip155:1",
        ]
        let request = JSONRPCRequest(id: RPCID(1_764_000_000_000_123), method: "wc_sessionRequest", params: params)
        let batch = 2_000
        let object: [String: Any] = [
            "id": 1_764_000_000_000_123, "jsonrpc": "2.0", "method": "wc_sessionRequest",
            "params": [
                "request": [
                    "method": "personal_sign",
                    "params": ["0x48656c6c6f20576f726c64", "0x8ba1f109551bd432803012645ac136ddd64dba72"],
                    "expiryTimestamp": 1_764_000_000,
                ],
                "chainId": "eip155:1",
            ],
        ]
        let floor = try Measure.nanosecondsPerOp(batch: batch) {
            for _ in 0..<batch {
                let data = try JSONSerialization.data(withJSONObject: object)
                blackHole(try JSONSerialization.jsonObject(with: data))
            }
        }
        let value = try Measure.nanosecondsPerOp(batch: batch) {
            for _ in 0..<batch {
                let data = try WireJSON.encode(request)
                blackHole(try JSONRPCMessage.decode(data))
            }
        }
        return [
            BenchmarkResult(
                name: "jsonrpc_session_request_encode_decode", value: value, unit: "ns/op",
                floorName: "JSONSerialization encode+parse of the same object", floor: floor, ratio: value / floor,
                higherIsBetter: false, target: "(informative)", notes: "typed Codable path incl. classification")
        ]
    }
}
