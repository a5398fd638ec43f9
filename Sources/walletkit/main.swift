print("walletkit")
