import Testing
import WalletConnectSign
import WalletKitTesting

/// One (method, kind) entry of sign-rpc-options.json.
struct RPCOptionsEntry: Sendable, CustomTestStringConvertible {
    var method: String
    var kind: String
    var ttl: Int64
    var prompt: Bool
    var tag: Int
    var testDescription: String { "\(method) \(kind)" }

    static func all() -> [RPCOptionsEntry] {
        let engine = SignVector.members("sign-rpc-options.json", "engine_rpc_opts")
        let pairing = SignVector.members("sign-rpc-options.json", "pairing_rpc_opts", "opts")
        return (engine + pairing).flatMap { method in
            method.json.members.map { kind in
                RPCOptionsEntry(
                    method: method.name, kind: kind.key, ttl: kind.value["ttl"]?.int ?? -1,
                    prompt: kind.value["prompt"]?.bool ?? false, tag: Int(kind.value["tag"]?.int ?? -1))
            }
        }
    }
}

@Suite("Sign relay options (sign-rpc-options.json)", .enabled(if: SharedVectors.isAvailable, SharedVectors.skipNote))
struct SignRPCOptionsTests {
    @Test("publish options per method and kind", arguments: RPCOptionsEntry.all())
    func options(entry: RPCOptionsEntry) throws {
        let expected = RPCOptions(ttl: entry.ttl, prompt: entry.prompt, tag: entry.tag)
        if entry.method == "unregistered_method" {
            #expect(RPCOptions.unregisteredMethod == expected)
            #expect(SignMethod.responseOptions(forMethod: "wc_someFutureMethod") == expected)
            return
        }
        let method = try #require(SignMethod(rawValue: entry.method))
        let actual: RPCOptions
        switch entry.kind {
        case "req": actual = method.requestOptions
        case "res": actual = method.responseOptions
        case "reject": actual = method.rejectOptions
        case "autoReject": actual = method.autoRejectOptions
        default:
            Issue.record("unknown kind \(entry.kind)")
            return
        }
        #expect(actual == expected)
    }

    @Test("every SignMethod appears in the vector file")
    func everyMethodCovered() {
        let methods = Set(RPCOptionsEntry.all().map(\.method))
        for method in SignMethod.allCases {
            #expect(methods.contains(method.rawValue), "\(method.rawValue)")
        }
    }

    @Test("error responses without a dedicated option use the response options")
    func errorResponsesUseResponseOptions() {
        for method in SignMethod.allCases where method != .sessionPropose && method != .sessionAuthenticate {
            #expect(method.rejectOptions == method.responseOptions)
            #expect(method.autoRejectOptions == method.responseOptions)
        }
    }

    @Test("lifetimes match lifetimes_seconds")
    func lifetimes() throws {
        let file = try SignVector.file("sign-rpc-options.json")
        let lifetimes = try #require(file["lifetimes_seconds"])
        #expect(lifetimes["session"]?.int == SignLifetimes.session)
        #expect(lifetimes["proposal_timer"]?.int == SignLifetimes.proposal)
        #expect(lifetimes["session_request_default"]?.int == SignLifetimes.sessionRequest)
        #expect(lifetimes["auth_request_min"]?.int == SignLifetimes.authRequestMinimum)
        #expect(lifetimes["update_extend_ping_ack_timeout"]?.int == SignLifetimes.acknowledgementTimeout)
        // SignEngineOptions' public default spells the package constant out (a default argument cannot name it).
        #expect(SignEngineOptions().acknowledgementTimeout == .seconds(SignLifetimes.acknowledgementTimeout))
        #expect(lifetimes["pairing_after_activation_2_23"]?.int == SignLifetimes.activePairing)
        #expect(lifetimes["recently_deleted_limit"]?.int == Int64(SignLifetimes.recentlyDeletedLimit))
        let bounds = try #require(lifetimes["session_request_expiry_bounds"]?.items)
        #expect(bounds.first?.int == SignLifetimes.sessionRequestExpiryBounds.lowerBound)
        #expect(bounds.last?.int == SignLifetimes.sessionRequestExpiryBounds.upperBound)
    }
}
