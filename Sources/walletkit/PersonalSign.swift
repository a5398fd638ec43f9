import Foundation
import WalletConnectCore
import WalletConnectSign

/// `personal_sign` / `eth_sign` helpers for the CLI wallet (signing) and dapp (verification).
enum PersonalSign {
    /// The message the dapp signs by default.
    static let defaultMessage = "Hello from walletkit"

    /// The bytes of a message parameter: `0x`-hex is decoded (what dapps usually send), anything else is UTF-8.
    static func messageBytes(_ message: String) -> Data {
        if message.hasPrefix("0x"), message.count % 2 == 0, let bytes = try? Hex.decode(String(message.dropFirst(2))) {
            return Data(bytes)
        }
        return Data(message.utf8)
    }

    /// `0x` + the UTF-8 bytes of `text` as hex (how dapps encode a personal_sign message).
    static func hexMessage(_ text: String) -> String {
        "0x" + Hex.encode(Array(text.utf8))
    }

    /// The EIP-191 signature (`0x` + r‖s‖v, v 27/28) of a message parameter.
    /// - Throws: ``AuthError`` when the key is invalid.
    static func sign(message: String, privateKey: Data) throws -> String {
        try EIP191.sign(hash: EIP191.hash(data: messageBytes(message)), privateKey: privateKey)
    }

    /// The address that produced `signature` over a message parameter.
    /// - Throws: ``AuthError`` when the signature is malformed or does not recover.
    static func recover(message: String, signature: String) throws -> EthereumAddress {
        try EIP191.recoverAddress(hash: EIP191.hash(data: messageBytes(message)), signature: signature)
    }

    /// The message and the address of a `personal_sign` (`[message, address]`, tolerating the swapped order) or
    /// `eth_sign` (`[address, message]`) request; `nil` for other methods or malformed params.
    static func messageAndAddress(method: String, params: JSONValue) -> (message: String, address: String?)? {
        guard let items = params.arrayValue, let first = items.first?.stringValue else { return nil }
        let second = items.count > 1 ? items[1].stringValue : nil
        switch method {
        case "personal_sign":
            if let second, isAddress(first), !isAddress(second) { return (second, first) }
            return (first, second)
        case "eth_sign":
            guard let second else { return nil }
            return (second, first)
        default:
            return nil
        }
    }

    /// Whether `text` is `0x` + 40 hex digits.
    static func isAddress(_ text: String) -> Bool {
        text.count == 42 && text.hasPrefix("0x") && (try? Hex.decode(String(text.dropFirst(2)))) != nil
    }

    /// Parses a 32-byte private key given as hex (with or without `0x`).
    /// - Parameter source: Where the key came from, named in the error (never the key itself).
    /// - Throws: ``CLIError`` when it is not 32 bytes of hex or not a valid secp256k1 key.
    static func privateKey(hex text: String, source: String = "--private-key") throws -> Data {
        let digits = text.hasPrefix("0x") ? String(text.dropFirst(2)) : text
        guard let bytes = try? Hex.decode(digits, count: 32) else {
            throw CLIError("\(source) must be 32 bytes of hex")
        }
        let key = Data(bytes)
        guard (try? EthereumAddress(privateKey: key)) != nil else {
            throw CLIError("\(source) is not a valid secp256k1 private key")
        }
        return key
    }

    /// A fresh random secp256k1 private key (the demo wallet's key).
    static func randomPrivateKey() -> Data {
        var generator = SystemRandomNumberGenerator()
        while true {
            let key = Data((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
            if (try? EthereumAddress(privateKey: key)) != nil { return key }
        }
    }

    /// The address part of a CAIP-10 account (`eip155:1:0xabc` → `0xabc`).
    static func address(ofAccount account: String) -> String {
        account.split(separator: ":").last.map(String.init) ?? account
    }

    /// The chain part of a CAIP-10 account (`eip155:1:0xabc` → `eip155:1`).
    static func chain(ofAccount account: String) -> String {
        account.split(separator: ":").dropLast().joined(separator: ":")
    }
}
