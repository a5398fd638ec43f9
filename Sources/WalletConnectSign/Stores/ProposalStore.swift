import WalletConnectCore

/// The persisted session proposals (`wc@2:client:0.3//proposal`), keyed by proposal id.
///
/// A wallet keeps the proposals it received until it approves, rejects or they expire; a dapp keeps the
/// proposals it sent until the session settles.
package actor ProposalStore {
    private let store: Store<Proposal>

    /// Creates a proposal store on `storage`; call ``load()`` before use.
    package init(storage: any KeyValueStorage, prefix: String = "") {
        self.store = Store(storage: storage, storageKey: .client("proposal", prefix: prefix))
    }

    /// Loads every persisted proposal. Returns the keys of records that could not be decoded.
    /// - Throws: The storage error.
    @discardableResult
    package func load() async throws -> [String] { try await store.load() }

    /// The proposal with `id`, or `nil`.
    package func proposal(id: Int64) async -> Proposal? { await store.value(forKey: String(id)) }

    /// Whether the proposal `id` was deleted recently.
    package func wasRecentlyDeleted(id: Int64) async -> Bool {
        do {
            _ = try await store.get(String(id))
            return false
        } catch StoreError.recentlyDeleted {
            return true
        } catch {
            return false
        }
    }

    /// Every stored proposal, oldest id first.
    package var all: [Proposal] { get async { await store.values.sorted { $0.id < $1.id } } }

    /// The stored proposals received on `pairingTopic`, oldest id first.
    package func proposals(pairingTopic: String) async -> [Proposal] {
        await all.filter { $0.pairingTopic == pairingTopic }
    }

    /// Inserts or replaces a proposal.
    /// - Throws: The storage error (nothing is changed then).
    package func set(_ proposal: Proposal) async throws { try await store.set(String(proposal.id), proposal) }

    /// Deletes the proposal `id`; returns it (or `nil` when absent).
    /// - Throws: The storage error.
    @discardableResult
    package func delete(id: Int64) async throws -> Proposal? { try await store.delete(String(id)) }
}
