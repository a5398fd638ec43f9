// libFuzzer target: envelope text and byte decoding (Tests/Fuzz/run-fuzzers.sh builds and runs it).
//
// Not part of the SwiftPM package: the script compiles this file with `-sanitize=fuzzer,address` against a
// fuzz-instrumented build of WalletConnectCore. Every input is tried as raw envelope bytes and as envelope
// text in both encodings; the checks below turn silent inconsistencies into crashes the fuzzer reports.
import Foundation
@testable import WalletConnectCore

/// The sym key and receiver private key of the shared envelope vectors, so that seeds decrypt.
private let symKey = hexBytes("0653ca620c7b4990392e1c53c4a51c14a2840cd20f0f1524cf435b17b6fe988c")
private let receiverPrivateKey = hexBytes("36bf507903537de91f5e573666eaa69b1fa313974f23b2b59645f20fea505854")

private func hexBytes(_ text: String) -> [UInt8] {
    var out: [UInt8] = []
    var index = text.startIndex
    while index < text.endIndex {
        let next = text.index(index, offsetBy: 2)
        out.append(UInt8(text[index..<next], radix: 16)!)
        index = next
    }
    return out
}

/// A plain reference base64 decoder (padding optional, either alphabet) for differential checks.
private func referenceDecode(_ text: [UInt8], url: Bool) -> [UInt8]? {
    var count = text.count
    var padding = 0
    while count > 0, text[count - 1] == UInt8(ascii: "="), padding < 2 {
        count -= 1
        padding += 1
    }
    if padding > 0, (count + padding) % 4 != 0 { return nil }
    if count % 4 == 1 { return nil }
    var values: [UInt32] = []
    values.reserveCapacity(count)
    for byte in text[0..<count] {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): values.append(UInt32(byte - UInt8(ascii: "A")))
        case UInt8(ascii: "a")...UInt8(ascii: "z"): values.append(UInt32(byte - UInt8(ascii: "a") + 26))
        case UInt8(ascii: "0")...UInt8(ascii: "9"): values.append(UInt32(byte - UInt8(ascii: "0") + 52))
        case UInt8(ascii: "+") where !url, UInt8(ascii: "-") where url: values.append(62)
        case UInt8(ascii: "/") where !url, UInt8(ascii: "_") where url: values.append(63)
        default: return nil
        }
    }
    var out: [UInt8] = []
    var index = 0
    while index < values.count {
        let chunk = values[index..<min(index + 4, values.count)]
        var group: UInt32 = 0
        for (position, value) in chunk.enumerated() { group |= value << UInt32(18 - 6 * position) }
        let produced = chunk.count == 4 ? 3 : chunk.count - 1
        for byteIndex in 0..<produced { out.append(UInt8(truncatingIfNeeded: group >> UInt32(16 - 8 * byteIndex))) }
        index += 4
    }
    return out
}

private func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError("invariant violated: \(message())") }
}

private func exerciseBytes(_ bytes: [UInt8]) {
    guard let envelope = try? Envelope.parse(bytes: bytes) else { return }
    check(envelope.bytes == bytes, "parse(bytes:) does not round-trip")
    switch envelope.type {
    case .type0:
        check(envelope.iv.count == Envelope.ivLength && envelope.body.count >= Envelope.tagLength, "type 0 layout")
    case .type1:
        check(envelope.senderPublicKey?.count == Envelope.senderKeyLength, "type 1 key length")
        check(envelope.iv.count == Envelope.ivLength && envelope.body.count >= Envelope.tagLength, "type 1 layout")
    case .type2:
        check(envelope.iv.isEmpty && envelope.senderPublicKey == nil, "type 2 layout")
    }
    for encoding in [EnvelopeEncoding.base64, .base64url] {
        let text = envelope.serialized(encoding: encoding)
        check((try? Envelope.parse(text, encoding: encoding)) == envelope, "text round trip")
    }
}

private func exerciseText(_ text: String) {
    let utf8 = Array(text.utf8)
    for encoding in [EnvelopeEncoding.base64, .base64url] {
        let decoded: [UInt8]? =
            switch encoding {
            case .base64: try? Base64Codec.decode(text)
            case .base64url: try? Base64Codec.decodeURL(text)
            }
        let reference = referenceDecode(utf8, url: encoding == .base64url)
        check(decoded == reference, "base64 decoder disagrees with the reference")

        let parsed = try? Envelope.parse(text, encoding: encoding)
        let viaView: (EnvelopeType, [UInt8], [UInt8])? = try? Envelope.withDecodedText(text, encoding: encoding) {
            view in (view.type, Array(view.iv), Array(view.plainBody))
        }
        check(parsed?.type == viaView?.0, "in-place and copying parsers disagree on the type")
        check(parsed?.iv == viaView?.1 && parsed?.body == viaView?.2, "in-place and copying parsers disagree")

        // Open with the vector sym key (type 0) and with the vector receiver key (type 1): a fuzzed tag must
        // never authenticate, and an authenticated result must agree with the copying AEAD.
        if let parsed, parsed.type == .type0 {
            let inPlace = try? Envelope.openType0(text, key: symKey, encoding: encoding)
            let copying = try? ChaChaPoly.open(parsed.body, key: symKey, nonce: parsed.iv)
            check(inPlace == copying, "in-place open disagrees with the copying open")
        }
        if let parsed, parsed.type == .type1, let sender = parsed.senderPublicKey {
            if let key = try? X25519.deriveSymKey(privateKey: receiverPrivateKey, peerPublicKey: sender) {
                _ = try? ChaChaPoly.open(parsed.body, key: key, nonce: parsed.iv)
            }
        }
        _ = try? Crypto.senderPublicKey(of: text, encoding: encoding)
        _ = try? Crypto.envelopeType(of: text, encoding: encoding)
    }
}

/// Seal/open round trip with fuzzed plaintext, iv and type (first input byte selects the mode).
private func exerciseSeal(_ bytes: [UInt8]) {
    guard bytes.count >= 13 else { return }
    let iv = Array(bytes[1..<13])
    let plaintext = Array(bytes[13...])
    for encoding in [EnvelopeEncoding.base64, .base64url] {
        guard let text = try? Envelope.sealType0(plaintext, key: symKey, iv: iv, encoding: encoding) else {
            fatalError("sealing failed")
        }
        check((try? Envelope.openType0(text, key: symKey, encoding: encoding)) == plaintext, "seal/open round trip")
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEnvelopeDecode(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if bytes.first == 0xff {
        exerciseSeal(bytes)
        return 0
    }
    exerciseBytes(bytes)
    exerciseText(String(decoding: bytes, as: UTF8.self))
    return 0
}
