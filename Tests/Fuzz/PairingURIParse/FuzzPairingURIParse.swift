// libFuzzer target: pairing URI parsing and pair() validation (Tests/Fuzz/run-fuzzers.sh builds and runs it).
//
// Not part of the SwiftPM package. Checks: parsing never traps; a parsed URI has a 64-hex topic and symKey and
// version 2; its JS form parses back to the same URI; its description never shows the symKey; pair()
// validation at any wall time only ever throws PairingURIError.
import Foundation
@testable import WalletConnectCore

private func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError("invariant violated: \(message())") }
}

private func isLowercaseHex64(_ text: String) -> Bool {
    text.utf8.count == 64 && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
}

/// `relay-data=` (empty) serializes as absent; compare modulo that.
private func normalized(_ uri: PairingURI) -> PairingURI {
    var copy = uri
    if copy.relayData?.isEmpty == true { copy.relayData = nil }
    return copy
}

private let wallTimes: [Int64] = [0, 1_700_000_000_000, Int64.max, Int64.min, -1]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPairingURIParse(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    do {
        let uri = try PairingURI.parse(text)
        check(isLowercaseHex64(uri.topic), "topic is not 64 lowercase hex")
        check(isLowercaseHex64(uri.symKey), "symKey is not 64 lowercase hex")
        check(uri.version == 2, "version is not 2")
        let again = try? PairingURI.parse(uri.absoluteString)
        check(again.map(normalized) == normalized(uri), "absoluteString does not parse back to the same URI")
        check(!uri.description.contains("symKey=\(uri.symKey)"), "description shows the symKey")
    } catch let error as PairingURIError {
        check(!String(describing: error).contains("symKey=") || String(describing: error).contains("<redacted>"),
            "error message shows a symKey")
    } catch {
        fatalError("parse threw a non-PairingURIError: \(error)")
    }
    for now in wallTimes {
        do {
            _ = try PairingURI.validateForPairing(text, nowMilliseconds: now)
        } catch is PairingURIError {
        } catch {
            fatalError("validateForPairing threw a non-PairingURIError: \(error)")
        }
    }
    return 0
}
