import Foundation
import Testing
import WalletConnectCore
import WalletConnectSign
import WalletKitTesting

@Suite("Sign errors (sign-errors.json)", .enabled(if: SharedVectors.isAvailable, SharedVectors.skipNote))
struct SignErrorTests {
    static let file = "sign-errors.json"

    @Test("SDK error table", arguments: SignVector.load(file, "sdk_errors", name: { item, _ in item["key"]?.string }))
    func sdkErrors(vector: SignVector) throws {
        let key = try #require(vector.json["key"]?.string)
        let code = try #require(SDKErrorCode(key: key), "no static for \(key)")
        #expect(Int64(code.rawValue) == vector.json["code"]?.int)
        let error = SDKError.sdk(code)
        #expect(error.message == vector.json["message"]?.string)
        #expect(error.code.key == key)
        #expect(!code.isInternal)
    }

    @Test("internal error table", arguments: SignVector.load(file, "internal_errors", name: { item, _ in item["key"]?.string }))
    func internalErrors(vector: SignVector) throws {
        let key = try #require(vector.json["key"]?.string)
        let code = try #require(SDKErrorCode(key: key), "no static for \(key)")
        #expect(Int64(code.rawValue) == vector.json["code"]?.int)
        #expect(SDKError.internal(code).message == vector.json["message"]?.string)
        #expect(code.isInternal)
    }

    @Test(
        "getSdkError / getInternalError with context",
        arguments: SignVector.load(file, "context_examples", "cases", name: { item, _ in item["call"]?.compact }))
    func contextExamples(vector: SignVector) throws {
        let call = try #require(vector.json["call"]?.strings)
        let code = try #require(SDKErrorCode(key: call[1]))
        let context = call.count > 2 ? call[2] : nil
        let error = call[0] == "getSdkError" ? SDKError.sdk(code, context: context) : SDKError.internal(code, context: context)
        #expect(error.message == vector.json["expected"]?["message"]?.string)
        #expect(Int64(error.code.rawValue) == vector.json["expected"]?["code"]?.int)
    }

    /// Spec names are our static names; the two auth-only names map to `auth…` statics.
    static let specNames: [String: SDKErrorCode] = [
        "invalidMethod": .invalidMethod, "invalidEvent": .invalidEvent, "invalidUpdateRequest": .invalidUpdateRequest,
        "invalidExtendRequest": .invalidExtendRequest, "invalidSessionSettleRequest": .invalidSessionSettleRequest,
        "unauthorizedMethod": .unauthorizedMethod, "unauthorizedEvent": .unauthorizedEvent,
        "unauthorizedUpdateRequest": .unauthorizedUpdateRequest, "unauthorizedExtendRequest": .unauthorizedExtendRequest,
        "unauthorizedChain": .unauthorizedChain, "userRejectedRequest": .userRejectedRequest,
        "userRejected": .userRejected, "userRejectedChains": .userRejectedChains,
        "userRejectedMethods": .userRejectedMethods, "userRejectedEvents": .userRejectedEvents,
        "unsupportedChains": .unsupportedChains, "unsupportedMethods": .unsupportedMethods,
        "unsupportedEvents": .unsupportedEvents, "unsupportedAccounts": .unsupportedAccounts,
        "unsupportedNamespaceKey": .unsupportedNamespaceKey, "userDisconnected": .userDisconnected,
        "sessionSettlementFailed": .sessionSettlementFailed, "noSessionForTopic": .noSessionForTopic,
        "sessionRequestExpired": .sessionRequestExpired, "malformedResponseParams": .malformedResponseParams,
        "malformedRequestParams": .malformedRequestParams, "messageCompromised": .messageCompromised,
        "signatureVerificationFailed": .signatureVerificationFailed, "requestExpired": .requestExpired,
        "missingIssuer": .missingIssuer, "userRejectedRequest (auth)": .authUserRejectedRequest,
        "userDisconnected (auth)": .authUserDisconnected,
    ]

    @Test(
        "written-spec error codes have statics",
        arguments: SignVector.load(file, "spec_error_codes", "codes", name: { item, _ in item["name"]?.string }))
    func specCodes(vector: SignVector) throws {
        let name = try #require(vector.json["name"]?.string)
        let code = try #require(Self.specNames[name], "no static for \(name)")
        #expect(Int64(code.rawValue) == vector.json["code"]?.int)
    }

    @Test(
        "JSON-RPC reserved codes get the standard text",
        arguments: SignVector.load(file, "jsonrpc_reserved", "codes", name: { item, _ in item["message"]?.string }))
    func reservedCodes(vector: SignVector) throws {
        let code = try #require(vector.json["code"]?.int)
        let received = SDKError(JSONRPCError(code: Int(code), message: "something else"))
        #expect(received.message == vector.json["message"]?.string)
        #expect(received.code.isJSONRPCReserved)
    }

    @Test("wire quirks decode", arguments: SignVector.load(file, "wire_quirks", name: { item, _ in item["case"]?.string }))
    func wireQuirks(vector: SignVector) throws {
        if let wire = vector.json["wire_error"] {
            let data = Data(wire.compact.utf8)
            let error = try JSONDecoder().decode(SDKError.self, from: data)
            #expect(Int64(error.code.rawValue) == (wire["code"]?.int ?? 0))
            #expect(error.message == (wire["message"]?.string ?? ""))
            let rpc = try JSONDecoder().decode(JSONRPCError.self, from: data)
            #expect(SDKError(rpc) == error)
            if let code = wire["code"]?.int, code != 0 {
                // Re-encoding a full error gives back the same object.
                let back = try OrderedJSON.parse(JSONEncoder().encode(error))
                #expect(back.jsonValue == wire.jsonValue)
            }
        }
        if let params = vector.json["wire_params"] {
            let decoded = try JSONDecoder().decode(SessionDeleteParams.self, from: Data(params.compact.utf8))
            let reason = SDKError.sdk(.userDisconnected)
            #expect(decoded == SessionDeleteParams(code: reason.code.rawValue, message: reason.message))
        }
    }

    @Test("unknown codes round-trip and ~= matches")
    func openCodes() throws {
        let data = Data(#"{"code":4242,"message":"Future."}"#.utf8)
        let error = try JSONDecoder().decode(SDKError.self, from: data)
        #expect(error.code == SDKErrorCode(4242))
        #expect(error.code.baseMessage == nil)
        let encoded = try OrderedJSON.parse(JSONEncoder().encode(error))
        #expect(encoded.jsonValue == (try OrderedJSON.parse(data)).jsonValue)

        let thrown: any Error = SDKError.sdk(.userRejected)
        var matched = false
        switch thrown {
        case SDKErrorCode.userRejected: matched = true
        default: matched = false
        }
        #expect(matched)
        #expect(!(SDKErrorCode.userDisconnected ~= thrown))
        #expect(SDKErrorCode.userRejected ~= JSONRPCError(code: 5000, message: "x"))
        #expect(SDKError.sdk(.userRejected, context: "").message == "User rejected.")
    }
}
