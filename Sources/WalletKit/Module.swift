// WalletKit module
