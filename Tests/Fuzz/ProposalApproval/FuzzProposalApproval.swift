// libFuzzer target: a received session proposal through to the wallet's approval (Tests/Fuzz/run-fuzzers.sh builds
// and runs it).
//
// Not part of the SwiftPM package. Mirrors what a wallet does with the params of a `wc_sessionPropose`, minus the
// actors and the relay: decode them (as `SignEngine.onSessionPropose` does), run the receipt checks
// (`SignValidation.receivedProposalError`, the function the engine calls), store-shape the proposal (`Proposal`,
// its expiry, its Codable round trip), build the namespaces to approve with `Namespaces.buildApprovedNamespaces`
// against three wallet configurations, and validate the approval as `approveSession` does (`SignValidation.approve`).
//
// Input: a JSON object. Its params are `params` (a JSON-RPC request, or the params of an API validation vector),
// else `proposal` (a namespace vector), else the object itself; a missing `proposer` or `relays` is filled with a
// valid one so that namespace vectors reach the approval. `supportedNamespaces`, when present, is one of the wallet
// configurations; the other two are a fixed, well-formed multi-chain wallet and a "mirror" wallet that has one
// account on every chain the proposal asks for, with every requested method and event.
//
// Invariants: no trap; every step ends in a typed error or goes on; an accepted proposal's key, sizes and
// namespaces pass their own checks and the stored form round-trips; a built approval grants nothing the wallet does
// not support and (unless the proposal names no namespace) nothing it did not request; an approval `approve()`
// accepts covers the required namespaces (`isSessionCompatible`) and passes the settle-side validation
// (`validateSessionNamespaces`, with its size limits, for the two fixed wallets); the mirror wallet can always
// approve a proposal that names a namespace, unless a size limit refuses it.
import Foundation
@testable import WalletConnectCore
@testable import WalletConnectSign

private func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError("invariant violated: \(message())") }
}

private let nowMilliseconds: Int64 = 1_700_000_000_000
private let arrivalTopic = String(repeating: "7f", count: 32)
private let proposerKey = "a3ae5b7c1cd05c6c3a4e6c6a7a7d1e3b6b8f1b8a1e6c0a1e3a4f1b8d9c2e4f50"
private let address = "0x1d85568eEAbad713fBB5293B45ea066e552A90De"

/// A well-formed wallet: every chain has accounts with exactly its prefix, and only those.
private let richWallet: SessionNamespaces = {
    func namespace(_ chains: [String], accounts: Int = 1, methods: [String], events: [String]) -> SessionNamespace {
        SessionNamespace(
            chains: chains, accounts: chains.flatMap { chain in (0..<accounts).map { "\(chain):\(address)\($0)" } },
            methods: methods, events: events)
    }
    return [
        "eip155": namespace(
            ["eip155:1", "eip155:5", "eip155:10", "eip155:137", "eip155:42161", "eip155:11155111"], accounts: 2,
            methods: ["eth_sendTransaction", "eth_signTransaction", "personal_sign", "eth_sign", "eth_signTypedData",
                "eth_signTypedData_v4", "wallet_switchEthereumChain", "eth_accounts"],
            events: ["chainChanged", "accountsChanged", "message", "connect", "disconnect"]),
        "solana": namespace(
            ["solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp", "solana:4sGjMW1sUnHzSxGspuhpqLDx6wiyjNtZ"],
            methods: ["solana_signTransaction", "solana_signMessage", "solana_signAndSendTransaction"], events: []),
        "cosmos": namespace(["cosmos:cosmoshub-4"], methods: ["cosmos_signDirect", "cosmos_signAmino"], events: ["chainChanged"]),
        "bip122": namespace(["bip122:000000000019d6689c085ae165831e93"], methods: ["signMessage"], events: []),
    ]
}()

/// The wallet that has everything the proposal asks for: per requested namespace (required and optional merged),
/// its chains, one account on each, its methods and events.
private func mirrorWallet(for proposal: Proposal) -> SessionNamespaces {
    let requested = Namespaces.mergeRequiredAndOptional(
        required: Namespaces.ordered(proposal.requiredNamespaces), optional: Namespaces.ordered(proposal.optionalNamespaces))
    var wallet: SessionNamespaces = [:]
    for (key, namespace) in requested {
        let chains = namespace.chains ?? []
        wallet[key] = SessionNamespace(
            chains: chains, accounts: chains.map { "\($0):\(address)" }, methods: namespace.methods, events: namespace.events)
    }
    return wallet
}

private enum Wallet: CustomStringConvertible {
    case fuzz, rich, mirror
    var description: String { "\(self == .fuzz ? "fuzz" : self == .rich ? "rich" : "mirror") wallet" }
}

/// Codable round trip through the wire encoder: the first pass may normalise numbers, the second must be exact.
private func roundTrip<T: Codable & Hashable>(_ value: T) {
    func reencode(_ value: T) -> T {
        guard let data = try? WireJSON.encode(value) else { fatalError("invariant violated: a \(T.self) does not encode") }
        guard let again = try? JSONDecoder().decode(T.self, from: data) else {
            fatalError("invariant violated: a re-encoded \(T.self) does not decode: \(String(decoding: data, as: UTF8.self))")
        }
        return again
    }
    let once = reencode(value)
    check(reencode(once) == once, "\(T.self) does not round-trip")
}

/// The checks on a proposal the receipt validation accepted.
private func checkAccepted(_ params: SessionProposeParams) {
    check(SignValidation.proposerKeyError(params.proposer.publicKey) == nil, "accepted a bad proposer key")
    check((try? NamespaceLimits.default.check(required: params.requiredNamespaces, optional: params.optionalNamespaces ?? [:])) != nil,
        "accepted an oversized proposal")
    for (type, namespaces) in [("requiredNamespaces", params.requiredNamespaces), ("optionalNamespaces", params.optionalNamespaces ?? [:])]
    where !namespaces.isEmpty {
        check(NamespaceValidator.validateProposalNamespaces(namespaces, method: "fuzz", type: type) == nil, "accepted invalid \(type)")
    }
    check(params.relays.allSatisfy { !$0.protocol.isBlank }, "accepted a blank relay protocol")
}

/// Builds and validates the approval of `proposal` from `wallet`.
private func approve(_ proposal: Proposal, wallet supported: SessionNamespaces, kind: Wallet) {
    let approved: SessionNamespaces
    do {
        approved = try Namespaces.buildApprovedNamespaces(proposal: proposal, supportedNamespaces: supported)
    } catch let error as NamespaceLimitError {
        check(kind != .rich, "the rich wallet hit a size limit: \(error)")
        return
    } catch let error as Namespaces.NoAccountsError {
        check(kind == .fuzz, "\(kind): \(error)")
        return
    } catch let error as SDKError {
        check(error.code == .nonConformingNamespaces, "build threw \(error.code): \(error.message)")
        check(kind != .mirror, "the mirror wallet cannot meet the proposal: \(error.message)")
        return
    } catch {
        fatalError("invariant violated: build threw \(type(of: error))")
    }

    // Nothing the wallet does not support.
    for (key, namespace) in approved {
        guard let offered = supported[key] else { fatalError("invariant violated: approved \(key), not supported") }
        check(Set(namespace.accounts).isSubset(of: offered.accounts), "\(kind): approved accounts not offered in \(key)")
        check(Set(namespace.methods).isSubset(of: offered.methods), "\(kind): approved methods not offered in \(key)")
        check(Set(namespace.events).isSubset(of: offered.events), "\(kind): approved events not offered in \(key)")
        check(Set(namespace.chains ?? []).isSubset(of: offered.chains ?? []), "\(kind): approved chains not offered in \(key)")
    }
    // Nothing that was not requested (a proposal naming no namespace gets all the wallet has, as in JS).
    if !proposal.requiredNamespaces.isEmpty || !proposal.optionalNamespaces.isEmpty {
        let requested = Namespaces.mergeRequiredAndOptional(
            required: proposal.requiredNamespaces, optional: proposal.optionalNamespaces)
        for (key, namespace) in approved {
            guard let asked = requested[key] else { fatalError("invariant violated: approved \(key), not requested") }
            check(Set(namespace.methods).isSubset(of: asked.methods), "\(kind): approved methods not requested in \(key)")
            check(Set(namespace.events).isSubset(of: asked.events), "\(kind): approved events not requested in \(key)")
            check(Set(namespace.chains ?? []).isSubset(of: asked.chains ?? []), "\(kind): approved chains not requested in \(key)")
        }
    }

    let params: JSONValue = ["id": .int(proposal.id), "namespaces": try! JSONValue(encoding: approved)]
    let state = SignValidationState(nowMilliseconds: nowMilliseconds, proposals: [proposal.id: proposal])
    do {
        let target = try SignValidation.approve(params, state: state)
        check(target == proposal, "approve() resolved another proposal")
    } catch let error as SDKError {
        check(kind != .mirror || (proposal.requiredNamespaces.isEmpty && proposal.optionalNamespaces.isEmpty),
            "approve() refused the mirror wallet's approval: \(error.message)")
        if kind == .rich {
            check([.nonConformingNamespaces, .missingOrInvalid].contains(error.code), "rich approval refused: \(error.message)")
        }
        return
    } catch {
        fatalError("invariant violated: approve() threw \(type(of: error))")
    }
    check(NamespaceValidator.isSessionCompatible(approved, requiredNamespaces: proposal.requiredNamespaces),
        "\(kind): approve() accepted namespaces that do not cover the required ones")
    check(NamespaceValidator.validateSessionNamespaces(try? JSONValue(encoding: approved), method: "fuzz") == nil,
        "\(kind): approve() accepted namespaces the settle check refuses")
    if kind != .fuzz {
        check(NamespaceValidator.validateSessionNamespaces(approved, method: "fuzz") == nil,
            "\(kind): the approved namespaces exceed the settle limits")
    }
    check(NamespaceValidator.conformingError(required: proposal.requiredNamespaces, approved: approved, context: "fuzz") == nil,
        "\(kind): approve() accepted non-conforming namespaces")
}

/// The params object of an input, with a valid proposer and relays filled in when absent.
private func proposeParams(_ input: JSONValue) -> (params: JSONValue, id: Int64) {
    var params = input
    var id: Int64 = 1_700_000_000_000_001
    if let inner = input["params"], case .object = inner {
        params = inner
        id = input["id"]?.int64Value ?? id
    } else if let inner = input["proposal"], case .object = inner {
        params = inner
    }
    guard case .object(var members) = params else { return (params, id) }
    if members["proposer"] == nil {
        members["proposer"] = [
            "publicKey": .string(proposerKey),
            "metadata": ["name": "fuzz", "description": "", "url": "https://fuzz.example", "icons": []],
        ]
    }
    if members["relays"] == nil { members["relays"] = [["protocol": "irn"]] }
    return (.object(members), id)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzProposalApproval(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Data(UnsafeBufferPointer(start: data, count: size))
    guard let input = try? JSONDecoder().decode(JSONValue.self, from: bytes) else { return 0 }
    let (json, id) = proposeParams(input)

    // Receipt (SignEngine.onSessionPropose): decode, validate, build the stored proposal, drop it when expired.
    guard let params = try? json.decode(as: SessionProposeParams.self) else { return 0 }
    let state = SignValidationState(nowMilliseconds: nowMilliseconds)
    if SignValidation.receivedProposalError(params, pairingTopic: arrivalTopic, state: state) != nil { return 0 }
    checkAccepted(params)
    var proposal = Proposal(id: id, pairingTopic: arrivalTopic, params: params, now: nowMilliseconds / 1000)
    proposal.id = id
    check(proposal.pairingTopic == arrivalTopic, "stored a proposal under another pairing topic")
    roundTrip(proposal)
    if proposal.isExpired(nowMilliseconds: nowMilliseconds) {
        let state = SignValidationState(nowMilliseconds: nowMilliseconds, proposals: [id: proposal])
        do {
            _ = try SignValidation.approve(["id": .int(id), "namespaces": try! JSONValue(encoding: richWallet)], state: state)
            fatalError("invariant violated: approve() accepted an expired proposal")
        } catch let error as SDKError {
            check(error.code == .expired, "an expired proposal refused with \(error.code)")
        } catch {
            fatalError("invariant violated: approve() threw \(type(of: error))")
        }
        return 0
    }

    // Approval from each wallet.
    if let fuzzWallet = try? input["supportedNamespaces"]?.decode(as: SessionNamespaces.self) {
        approve(proposal, wallet: fuzzWallet, kind: .fuzz)
    }
    approve(proposal, wallet: richWallet, kind: .rich)
    approve(proposal, wallet: mirrorWallet(for: proposal), kind: .mirror)
    return 0
}
