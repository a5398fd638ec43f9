import ArgumentParser

/// The `walletkit` command-line tool.
@main
struct WalletKitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "walletkit",
        abstract: "WalletConnect v2 wallet toolkit: relay server and demo tools.",
        subcommands: [
            RelayCommand.self, DappCommand.self, WalletCommand.self, DemoCommand.self,
        ]
    )
}
