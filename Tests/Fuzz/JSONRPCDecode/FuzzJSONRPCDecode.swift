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

/// Codable round trip through the wire encoder.
private func roundTrip<T: Codable & Hashable>(_ value: T) {
    guard let data = try? WireJSON.encode(value) else {
        fatalError("a decoded \(T.self) does not encode")
    }
    guard let again = try? JSONDecoder().decode(T.self, from: data) else {
        fatalError("a re-encoded \(T.self) does not decode: \(String(decoding: data, as: UTF8.self))")
    }
    check(again == value, "\(T.self) does not round-trip: \(String(decoding: data, as: UTF8.self))")
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

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSONRPCDecode(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Data(UnsafeBufferPointer(start: data, count: size))
    if let value = try? JSONDecoder().decode(JSONValue.self, from: bytes) {
        roundTrip(value)
    }
    switch try? JSONRPCMessage.decode(bytes) {
    case .request(let request)?: exerciseRequest(request)
    case .response(let response)?: exerciseResponse(response)
    case nil: break
    }
    return 0
}
