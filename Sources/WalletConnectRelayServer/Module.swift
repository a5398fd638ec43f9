// WalletConnectRelayServer module
