import WalletConnectCore
import WalletConnectSign

/// `--request` / `--repeat`: send N session requests concurrently and check that each got exactly one response.
extension DappFlow {
    private enum RequestOutcome: Sendable {
        /// The wallet answered (a result or an error).
        case answered
        /// No answer: the request expired, the session went away, or the relay failed.
        case failed(String)
    }

    /// Sends the request `--repeat` times and waits for the responses.
    /// - Returns: ``FlowStatus/completed`` when every request got one result (and every signature verified),
    ///   ``FlowStatus/refused(_:)`` when some were answered with an error.
    /// - Throws: ``CLIError`` when a request got no response, a response was duplicated, or a signature failed.
    func sendRequests(method: String, session: Session, client: SignClient, tally: DappTally) async throws
        -> FlowStatus
    {
        let sessionChains = EventLines.chains(of: session.namespaces)
        guard let chain = settings.chains.first(where: sessionChains.contains) ?? sessionChains.first else {
            throw CLIError("the session has no chain")
        }
        let account = EventLines.accounts(of: session.namespaces).first { PersonalSign.chain(ofAccount: $0) == chain }
        let address = account.map(PersonalSign.address(ofAccount:))
        let params = settings.params ?? Self.defaultParams(method: method, address: address)
        if let address, let (message, _) = PersonalSign.messageAndAddress(method: method, params: params) {
            tally.setSignatureCheck(.init(message: message, address: address))
        }
        let count = settings.repeatCount
        let topic = session.topic
        output.emit(
            JSONLine("requests").with("method", .string(method)).with("chainId", .string(chain))
                .with("count", .int(Int64(count))))

        let outcomes = try await withThrowingTaskGroup(of: RequestOutcome.self, returning: [RequestOutcome].self) { group in
            for _ in 0..<count {
                group.addTask {
                    do {
                        _ = try await client.request(topic: topic, chainID: chain, method: method, params: params)
                        return .answered
                    } catch let error as SDKError where Self.isWalletAnswer(error) {
                        return .answered
                    } catch is CancellationError {
                        throw CancellationError()
                    } catch {
                        return .failed(CLIRunner.describe(error))
                    }
                }
            }
            var outcomes: [RequestOutcome] = []
            for try await outcome in group { outcomes.append(outcome) }
            return outcomes
        }
        let failures = outcomes.compactMap { outcome -> String? in
            if case .failed(let message) = outcome { return message }
            return nil
        }
        try await tally.waitForResponses(count - failures.count)

        var summary = JSONLine("requests_done").with("sent", .int(Int64(count)))
        summary.set("answered", .int(Int64(tally.distinctResponses)))
        summary.set("errors", .int(Int64(tally.errorResponses)))
        summary.set("duplicates", .int(Int64(tally.duplicateResponses)))
        summary.set("failedVerifications", .int(Int64(tally.failedVerifications)))
        output.emit(summary)

        if let first = failures.first {
            throw CLIError("\(failures.count) of \(count) requests got no response: \(first)")
        }
        guard tally.distinctResponses == count, tally.duplicateResponses == 0 else {
            throw CLIError(
                "expected exactly one response to each of \(count) requests, got \(tally.distinctResponses) distinct "
                    + "and \(tally.duplicateResponses) duplicates")
        }
        if tally.failedVerifications > 0 {
            throw CLIError("\(tally.failedVerifications) signatures did not recover to the session account")
        }
        if tally.errorResponses > 0 {
            return .refused("\(tally.errorResponses) of \(count) requests were answered with an error")
        }
        return .completed
    }

    /// Whether a thrown ``SDKError`` is the wallet's answer (not an expiry, a deleted session or a local check).
    static func isWalletAnswer(_ error: SDKError) -> Bool {
        let local: [SDKErrorCode] = [.sessionRequestExpired, .userDisconnected, .noMatchingKey, .missingOrInvalid]
        return !local.contains(error.code) && !(1...9).contains(error.code.rawValue)
    }

    /// The params sent when `--params` is not given: a hex message and the session account for `personal_sign`
    /// and `eth_sign`, an empty array otherwise.
    static func defaultParams(method: String, address: String?) -> JSONValue {
        let message = JSONValue.string(PersonalSign.hexMessage(PersonalSign.defaultMessage))
        let account = JSONValue.string(address ?? "")
        switch method {
        case "personal_sign": return [message, account]
        case "eth_sign": return [account, message]
        default: return []
        }
    }
}
