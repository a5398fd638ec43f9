import Synchronization
import WalletConnectCore
import WalletConnectSign

/// What the dapp's event monitor has seen of the responses to its requests, shared with the flow that waits for
/// them. Responses are printed here (with the signature check when one is set up).
final class DappTally: Sendable {
    /// How a signature result is checked: the message sent and the session account expected to sign it.
    struct SignatureCheck: Sendable {
        var message: String
        var address: String
    }

    private struct State {
        var counts: [Int64: Int] = [:]
        var errors = 0
        var verifiedFalse = 0
        var check: SignatureCheck?
    }

    private let state = Locked(State())
    private let changes = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))

    /// Sets the signature check applied to the string results that follow.
    func setSignatureCheck(_ check: SignatureCheck?) {
        state.withLock { $0.check = check }
    }

    /// Records one `sessionResponse` and returns its line (with `verified` when a check is set).
    func record(id: Int64, topic: String, response: JSONRPCResponse) -> JSONLine {
        var line = JSONLine("response").with("id", .int(id)).with("topic", .string(topic))
        state.withLock { state in
            state.counts[id, default: 0] += 1
            switch response.outcome {
            case .result(let result):
                line.set("result", result)
                if let check = state.check {
                    let signer = result.stringValue.flatMap {
                        try? PersonalSign.recover(message: check.message, signature: $0)
                    }
                    let verified = signer?.lowercased == check.address.lowercased()
                    line.set("verified", .bool(verified))
                    if let signer { line.set("signer", .string(signer.checksummed)) }
                    if !verified { state.verifiedFalse += 1 }
                }
            case .error(let error):
                state.errors += 1
                line.set("error", ["code": .int(Int64(error.code)), "message": .string(error.message)])
            }
        }
        changes.continuation.yield()
        return line
    }

    /// Distinct response ids seen.
    var distinctResponses: Int { state.withLock { $0.counts.count } }
    /// Responses beyond the first for some id.
    var duplicateResponses: Int { state.withLock { $0.counts.values.reduce(0) { $0 + max(0, $1 - 1) } } }
    /// Responses that carried an error.
    var errorResponses: Int { state.withLock { $0.errors } }
    /// Signature results that did not recover to the expected address.
    var failedVerifications: Int { state.withLock { $0.verifiedFalse } }

    /// Waits until `count` distinct responses were recorded (the caller bounds the wait). Single waiter.
    func waitForResponses(_ count: Int) async throws {
        if distinctResponses >= count { return }
        for await _ in changes.stream where distinctResponses >= count { return }
        throw CancellationError()
    }

    /// Ends waiting (the event stream ended).
    func finish() {
        changes.continuation.finish()
    }
}
