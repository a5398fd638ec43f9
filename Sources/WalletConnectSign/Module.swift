// WalletConnectSign module
