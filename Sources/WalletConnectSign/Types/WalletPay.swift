/// Wallet Pay request (experimental, §4.6): `{version, orderId?, acceptedPayments, expiry}`.
public struct WalletPayParams: Codable, Sendable, Hashable {
    /// One accepted payment option.
    public struct Payment: Codable, Sendable, Hashable {
        /// CAIP-19 asset id.
        public var asset: String
        /// Amount as `0x` hex.
        public var amount: String
        /// CAIP-10 recipient.
        public var recipient: String

        /// Creates a payment option.
        public init(asset: String, amount: String, recipient: String) {
            self.asset = asset
            self.amount = amount
            self.recipient = recipient
        }
    }

    /// Protocol version.
    public var version: String
    /// Merchant order id.
    public var orderID: String?
    /// Accepted payments.
    public var acceptedPayments: [Payment]
    /// Expiry (Unix seconds).
    public var expiry: Int64

    /// Creates a Wallet Pay request.
    public init(version: String, orderID: String? = nil, acceptedPayments: [Payment], expiry: Int64) {
        self.version = version
        self.orderID = orderID
        self.acceptedPayments = acceptedPayments
        self.expiry = expiry
    }

    enum CodingKeys: String, CodingKey {
        case version
        case orderID = "orderId"
        case acceptedPayments, expiry
    }
}

/// Wallet Pay result (experimental, §4.6): `{version, orderId?, txid, recipient, asset, amount}`.
public struct WalletPayResult: Codable, Sendable, Hashable {
    /// Protocol version.
    public var version: String
    /// Merchant order id.
    public var orderID: String?
    /// Transaction id.
    public var txid: String
    /// CAIP-10 recipient.
    public var recipient: String
    /// CAIP-19 asset id.
    public var asset: String
    /// Amount as `0x` hex.
    public var amount: String

    /// Creates a Wallet Pay result.
    public init(version: String, orderID: String? = nil, txid: String, recipient: String, asset: String, amount: String) {
        self.version = version
        self.orderID = orderID
        self.txid = txid
        self.recipient = recipient
        self.asset = asset
        self.amount = amount
    }

    enum CodingKeys: String, CodingKey {
        case version
        case orderID = "orderId"
        case txid, recipient, asset, amount
    }
}
