import Foundation
import Logging
import WalletConnectCore
import WalletConnectSign

/// A decrypted push notification, typed by the relay tag it came with (sign.md §12.2; reown-swift decrypts pushes
/// to typed requests the same way).
public enum WalletKitNotification: Sendable, Hashable {
    /// Tag 1100: a `wc_sessionPropose` on a pairing topic.
    case sessionProposal(id: Int64, params: SessionProposeParams)
    /// Tag 1108: a `wc_sessionRequest` on a session topic.
    case sessionRequest(id: Int64, topic: String, params: SessionRequestParams)
    /// Tag 1116: a `wc_sessionAuthenticate` on a pairing topic.
    case sessionAuthenticate(id: Int64, params: SessionAuthenticateParams)
    /// Any other tag: the JSON-RPC request as decrypted.
    case other(tag: Int, request: JSONRPCRequest)
}

/// Why a push could not be turned into a ``WalletKitNotification``.
public enum WalletKitNotificationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The envelope is not type 0, its topic's key is missing, or it does not decrypt.
    case notDecrypted(topic: String)
    /// The plaintext is not a JSON-RPC request.
    case notARequest(topic: String)
    /// The request's method is not the one the tag announces (a push claiming to be something it is not).
    case tagMismatch(tag: Int, method: String)
    /// The request's params do not decode as the method's params.
    case invalidParams(method: String)

    public var description: String {
        switch self {
        case .notDecrypted(let topic): "push not decrypted (topic \(topic)): not type 0, no key, or does not decrypt"
        case .notARequest(let topic): "push is not a JSON-RPC request (topic \(topic))"
        case .tagMismatch(let tag, let method): "push tag \(tag) does not match its method \(method)"
        case .invalidParams(let method): "push params are not valid \(method) params"
        }
    }
}

extension WalletKitNotifications {
    /// ``decryptNotification(topic:encodedEnvelope:tag:keyChainFile:logger:)`` with the key chain already open.
    package static func decryptNotification(
        topic: String, encodedEnvelope: String, tag: Int, keyChain: KeyChain,
        logger: Logger = Logger(label: "walletkit.notifications", factory: { _ in SwiftLogNoOpLogHandler() })
    ) async throws -> WalletKitNotification {
        guard
            let text = await decryptMessage(
                topic: topic, encodedEnvelope: encodedEnvelope, keyChain: keyChain, logger: logger)
        else { throw WalletKitNotificationError.notDecrypted(topic: topic) }
        guard case .request(let request) = try? JSONRPCMessage.decode(text) else {
            throw WalletKitNotificationError.notARequest(topic: topic)
        }
        func params<T: Decodable>(_ method: SignMethod, as type: T.Type) throws -> T {
            guard request.method == method.rawValue else {
                throw WalletKitNotificationError.tagMismatch(tag: tag, method: request.method)
            }
            do {
                return try request.params.decode(as: T.self)
            } catch {
                throw WalletKitNotificationError.invalidParams(method: request.method)
            }
        }
        let id = request.id.rawValue
        switch tag {
        case SignMethod.sessionPropose.requestOptions.tag:
            return .sessionProposal(id: id, params: try params(.sessionPropose, as: SessionProposeParams.self))
        case SignMethod.sessionRequest.requestOptions.tag:
            return .sessionRequest(id: id, topic: topic, params: try params(.sessionRequest, as: SessionRequestParams.self))
        case SignMethod.sessionAuthenticate.requestOptions.tag:
            return .sessionAuthenticate(
                id: id, params: try params(.sessionAuthenticate, as: SessionAuthenticateParams.self))
        default:
            return .other(tag: tag, request: request)
        }
    }

    /// Decrypts a pushed envelope with the topic's key from the client's key chain file
    /// (`SignClientConfiguration.resolvedKeyChainPath()`) and decodes it by its `tag`: 1100 a proposal, 1108 a
    /// session request, 1116 a one-click authentication request; other tags give the raw request. Nothing is
    /// written.
    /// - Throws: ``WalletKitNotificationError`` (`notDecrypted` also when the file cannot be read).
    public static func decryptNotification(
        topic: String, encodedEnvelope: String, tag: Int, keyChainFile: URL,
        logger: Logger = Logger(label: "walletkit.notifications", factory: { _ in SwiftLogNoOpLogHandler() })
    ) async throws -> WalletKitNotification {
        guard let keyChain = try? KeyChain(fileURL: keyChainFile) else {
            throw WalletKitNotificationError.notDecrypted(topic: topic)
        }
        return try await decryptNotification(
            topic: topic, encodedEnvelope: encodedEnvelope, tag: tag, keyChain: keyChain, logger: logger)
    }
}
