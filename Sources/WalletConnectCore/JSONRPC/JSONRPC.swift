import Foundation

/// A JSON-RPC 2.0 request. Params are any JSON value (WalletConnect always sends an object).
public struct JSONRPCRequest: Sendable, Hashable, Codable {
    /// The request id; the response carries the same id.
    public var id: RPCID
    /// The protocol version, always `"2.0"` (a missing member decodes as `"2.0"`).
    public var jsonrpc: String
    /// The method name, for example `wc_sessionRequest`.
    public var method: String
    /// The params (a missing member decodes as an empty object).
    public var params: JSONValue

    /// Creates a request with `jsonrpc` set to `"2.0"`.
    /// - Parameters:
    ///   - id: The request id.
    ///   - method: The method name.
    ///   - params: The params; an empty object by default.
    public init(id: RPCID, method: String, params: JSONValue = .object([:])) {
        self.id = id
        self.jsonrpc = "2.0"
        self.method = method
        self.params = params
    }

    enum CodingKeys: String, CodingKey { case id, jsonrpc, method, params }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(RPCID.self, forKey: .id)
        jsonrpc = try container.decodeIfPresent(String.self, forKey: .jsonrpc) ?? "2.0"
        method = try container.decode(String.self, forKey: .method)
        params = try container.decodeIfPresent(JSONValue.self, forKey: .params) ?? .object([:])
    }
}

/// A JSON-RPC 2.0 error object. Decoding is tolerant: `"error": {}` decodes with code 0 and an empty message.
public struct JSONRPCError: Error, Sendable, Hashable, Codable {
    /// The error code (JSON-RPC reserved codes, or a WalletConnect SDK error code).
    public var code: Int
    /// A human-readable message.
    public var message: String
    /// Optional extra data, omitted from the JSON when `nil`.
    public var data: JSONValue?

    /// Creates an error object.
    /// - Parameters:
    ///   - code: The error code.
    ///   - message: A human-readable message.
    ///   - data: Optional extra data.
    public init(code: Int, message: String, data: JSONValue? = nil) {
        self.code = code
        self.message = message
        self.data = data
    }

    enum CodingKeys: String, CodingKey { case code, message, data }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        code = (try? container.decodeIfPresent(Int.self, forKey: .code)) ?? 0
        message = (try? container.decodeIfPresent(String.self, forKey: .message)) ?? ""
        data = try? container.decodeIfPresent(JSONValue.self, forKey: .data)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(code, forKey: .code)
        try container.encode(message, forKey: .message)
        try container.encodeIfPresent(data, forKey: .data)
    }
}

/// A JSON-RPC 2.0 response: a result or an error.
public struct JSONRPCResponse: Sendable, Hashable, Codable {
    /// What a response carries: exactly one of `result` and `error`.
    public enum Outcome: Sendable, Hashable {
        /// A success, with the `result` member.
        case result(JSONValue)
        /// A failure, with the `error` member.
        case error(JSONRPCError)
    }

    /// The id of the request this response answers.
    public var id: RPCID
    /// The protocol version, always `"2.0"` (a missing member decodes as `"2.0"`).
    public var jsonrpc: String
    /// The result or the error.
    public var outcome: Outcome

    /// Creates a success response.
    /// - Parameters:
    ///   - id: The id of the request answered.
    ///   - result: The result value.
    public init(id: RPCID, result: JSONValue) {
        self.id = id
        self.jsonrpc = "2.0"
        self.outcome = .result(result)
    }

    /// Creates an error response.
    /// - Parameters:
    ///   - id: The id of the request answered.
    ///   - error: The error object.
    public init(id: RPCID, error: JSONRPCError) {
        self.id = id
        self.jsonrpc = "2.0"
        self.outcome = .error(error)
    }

    /// The result, when the response is a success.
    public var result: JSONValue? {
        if case .result(let value) = outcome { return value }
        return nil
    }

    /// The error, when the response is a failure.
    public var error: JSONRPCError? {
        if case .error(let value) = outcome { return value }
        return nil
    }

    enum CodingKeys: String, CodingKey { case id, jsonrpc, result, error }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(RPCID.self, forKey: .id)
        jsonrpc = try container.decodeIfPresent(String.self, forKey: .jsonrpc) ?? "2.0"
        if container.contains(.error), !((try? container.decodeNil(forKey: .error)) ?? true) {
            outcome = .error(try container.decode(JSONRPCError.self, forKey: .error))
        } else if container.contains(.result) {
            outcome = .result(try container.decode(JSONValue.self, forKey: .result))
        } else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "JSON-RPC response has neither result nor error"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(jsonrpc, forKey: .jsonrpc)
        switch outcome {
        case .result(let value): try container.encode(value, forKey: .result)
        case .error(let value): try container.encode(value, forKey: .error)
        }
    }
}

/// Any JSON-RPC 2.0 message, classified as the spec says: `method` → request; `result`/`error` → response.
package enum JSONRPCMessage: Sendable, Hashable {
    /// A message with a `method` member.
    case request(JSONRPCRequest)
    /// A message with a `result` or an `error` member.
    case response(JSONRPCResponse)

    /// Decodes and classifies one JSON-RPC frame.
    /// - Throws: ``JSONRPCDecodingError`` when the text is not a JSON-RPC 2.0 message.
    package static func decode(_ data: Data) throws -> JSONRPCMessage {
        // One pass: the envelope checks and the request/response decode share the decoder (no JSONValue tree
        // of the whole frame first).
        do {
            return try JSONDecoder().decode(Classified.self, from: data).message
        } catch let error as JSONRPCDecodingError {
            throw error
        } catch {
            throw JSONRPCDecodingError.notJSON
        }
    }

    /// The member names of a JSON-RPC 2.0 frame.
    enum FrameKey: String, CodingKey { case jsonrpc, id, method, result, error }

    /// What a frame is, after the envelope checks shared by every JSON-RPC reader.
    enum Kind { case request, response }

    /// Checks `jsonrpc` (absent or "2.0") and `id` (an integer or a decimal string), then classifies the frame.
    /// - Throws: ``JSONRPCDecodingError``.
    static func classify(_ decoder: any Decoder) throws -> (KeyedDecodingContainer<FrameKey>, Kind) {
        let container: KeyedDecodingContainer<FrameKey>
        do {
            container = try decoder.container(keyedBy: FrameKey.self)
        } catch {
            throw JSONRPCDecodingError.notAnObject
        }
        if container.contains(.jsonrpc), (try? container.decode(String.self, forKey: .jsonrpc)) != "2.0" {
            throw JSONRPCDecodingError.badVersion
        }
        guard container.contains(.id), (try? container.decode(JSONValue.self, forKey: .id))?.int64Value != nil else {
            throw JSONRPCDecodingError.missingID
        }
        if container.contains(.method) { return (container, .request) }
        if container.contains(.result) || container.contains(.error) { return (container, .response) }
        throw JSONRPCDecodingError.invalidShape
    }

    private struct Classified: Decodable {
        var message: JSONRPCMessage

        init(from decoder: any Decoder) throws {
            let (_, kind) = try JSONRPCMessage.classify(decoder)
            do {
                switch kind {
                case .request: message = .request(try JSONRPCRequest(from: decoder))
                case .response: message = .response(try JSONRPCResponse(from: decoder))
                }
            } catch {
                throw JSONRPCDecodingError.invalidShape
            }
        }
    }

    /// Decodes and classifies one JSON-RPC frame from text.
    /// - Throws: ``JSONRPCDecodingError`` when the text is not a JSON-RPC 2.0 message.
    package static func decode(_ text: String) throws -> JSONRPCMessage {
        try decode(Data(text.utf8))
    }
}

/// Why a frame is not a JSON-RPC 2.0 message.
package enum JSONRPCDecodingError: Error, Sendable, Hashable {
    /// The text is not valid JSON.
    case notJSON
    /// The JSON is not an object.
    case notAnObject
    /// `jsonrpc` is present but not `"2.0"`.
    case badVersion
    /// `id` is missing, or neither a 64-bit integer nor a decimal string.
    case missingID
    /// Neither a well-formed request nor a well-formed response.
    case invalidShape
}

/// The encoder used for everything sent on the wire: compact, `/` unescaped.
package enum WireJSON {
    /// Encodes a value as compact JSON without escaping `/`.
    /// - Throws: `EncodingError` when `value` cannot be encoded (e.g. a non-finite number).
    package static func encode<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return try encoder.encode(value)
    }

    /// Encodes a value as compact JSON text without escaping `/`.
    /// - Throws: `EncodingError` when `value` cannot be encoded (e.g. a non-finite number).
    package static func string<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try encode(value), as: UTF8.self)
    }
}
