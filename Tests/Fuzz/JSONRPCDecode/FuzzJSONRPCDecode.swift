// libFuzzer target: JSON-RPC frame decoding and the pure Sign-layer handling of decoded params
// (Tests/Fuzz/run-fuzzers.sh builds and runs it).
//
// Not part of the SwiftPM package. Mirrors what a wallet does with a decrypted inbound payload, minus the
// actors: classify the frame, decode the params of its method, run the receipt validators and the expiry
// checks, and check that decoded values re-encode and decode to the same value.
import Foundation
@testable import WalletConnectCore
@testable import WalletConnectSign

private func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError("invariant violated: \(message())") }
}

/// Codable round trip through the wire encoder: the first pass may normalise numbers (see ``sameValue(_:_:)``),
/// the second must reproduce the value exactly.
private func roundTrip<T: Codable & Hashable>(_ value: T) {
    let once = reencode(value)
    check(reencode(once) == once, "\(T.self) does not round-trip: \(String(decoding: (try? WireJSON.encode(once)) ?? Data(), as: UTF8.self))")
}

private func reencode<T: Codable & Hashable>(_ value: T) -> T {
    guard let data = try? WireJSON.encode(value) else {
        fatalError("a decoded \(T.self) does not encode")
    }
    guard let again = try? JSONDecoder().decode(T.self, from: data) else {
        fatalError("a re-encoded \(T.self) does not decode: \(String(decoding: data, as: UTF8.self))")
    }
    return again
}

private let wallTimes: [Int64] = [0, 1_700_000_000_000, Int64.max]
private let pairingTopic = String(repeating: "a", count: 64)

private func exerciseRequest(_ request: JSONRPCRequest) {
    roundTrip(request)
    let params = request.params
    switch SignMethod(rawValue: request.method) {
    case .sessionPropose?:
        guard let value = try? params.decode(as: SessionProposeParams.self) else { return }
        roundTrip(value)
        for now in wallTimes {
            let state = SignValidationState(nowMilliseconds: now, pairingExpiries: [pairingTopic: now / 1000 + 300])
            _ = try? SignValidation.receivedProposal(value, state: state)
            let proposal = Proposal(id: request.id.rawValue, pairingTopic: pairingTopic, params: value, now: now / 1000)
            _ = proposal.isExpired(nowMilliseconds: now)
        }
    case .sessionSettle?:
        guard let value = try? params.decode(as: SessionSettleParams.self) else { return }
        roundTrip(value)
        _ = NamespaceValidator.validateSessionNamespaces(value.namespaces, method: "fuzz")
    case .sessionUpdate?:
        guard let value = try? params.decode(as: SessionUpdateParams.self) else { return }
        roundTrip(value)
        _ = NamespaceValidator.validateSessionNamespaces(value.namespaces, method: "fuzz")
    case .sessionExtend?:
        guard let value = try? params.decode(as: SessionExtendParams.self) else { return }
        roundTrip(value)
    case .sessionRequest?:
        guard let value = try? params.decode(as: SessionRequestParams.self) else { return }
        roundTrip(value)
        if let expiry = value.request.expiryTimestamp { _ = NamespaceValidator.isValidRequestExpiry(expiry) }
    case .sessionEvent?:
        guard let value = try? params.decode(as: SessionEventParams.self) else { return }
        roundTrip(value)
    case .sessionDelete?, .pairingDelete?:
        guard let value = try? params.decode(as: SessionDeleteParams.self) else { return }
        roundTrip(value)
        _ = NamespaceValidator.isValidErrorReason(params)
    case .sessionAuthenticate?:
        guard let value = try? params.decode(as: SessionAuthenticateParams.self) else { return }
        roundTrip(value)
    default:
        _ = NamespaceValidator.validateProposalNamespaces(params["requiredNamespaces"], method: "fuzz", type: "required")
        _ = NamespaceValidator.validateSessionNamespaces(params["namespaces"], method: "fuzz")
    }
}

private func exerciseResponse(_ response: JSONRPCResponse) {
    roundTrip(response)
    switch response.outcome {
    case .result(let value):
        if let result = try? value.decode(as: SessionProposeResponse.self) { roundTrip(result) }
        if let result = try? value.decode(as: SessionAuthenticateResponse.self) { roundTrip(result) }
    case .error(let error):
        _ = SDKError(error)
    }
}

/// Numeric equality across the integer and double cases: a double at or above 2^63 with an integral value
/// re-encodes as `1e+19`, which decodes as `.uint` (finding 2 in Docs/Security.md; same number, other case).
private func sameValue(_ lhs: JSONValue, _ rhs: JSONValue) -> Bool {
    switch (lhs, rhs) {
    case (.array(let a), .array(let b)): return a.count == b.count && zip(a, b).allSatisfy(sameValue)
    case (.object(let a), .object(let b)):
        return a.count == b.count && a.allSatisfy { key, value in b[key].map { sameValue(value, $0) } ?? false }
    case (.double(let x), .uint(let y)), (.uint(let y), .double(let x)): return x == Double(y)
    case (.double(let x), .int(let y)), (.int(let y), .double(let x)): return x == Double(y)
    default: return lhs == rhs
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSONRPCDecode(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Data(UnsafeBufferPointer(start: data, count: size))
    if let value = try? JSONDecoder().decode(JSONValue.self, from: bytes) {
        guard let data = try? WireJSON.encode(value), let again = try? JSONDecoder().decode(JSONValue.self, from: data)
        else { fatalError("a decoded JSONValue does not re-encode and decode") }
        check(sameValue(value, again), "JSONValue does not round-trip: \(String(decoding: data, as: UTF8.self))")
        roundTrip(again)
    }
    switch try? JSONRPCMessage.decode(bytes) {
    case .request(let request)?: exerciseRequest(request)
    case .response(let response)?: exerciseResponse(response)
    case nil: break
    }
    return 0
}
