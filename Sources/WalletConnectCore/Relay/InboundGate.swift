/// Where the relayer's socket reader waits while the inbound read-ahead is full (``RelayerConfiguration/maxInboundReadAhead``):
/// not reading is what pushes back on the relay (TCP flow control).
///
/// Wake-ups are counted (``epoch``): a waiter passes the epoch it saw when it decided to wait and returns at once
/// if a wake-up came in between, so none is missed. A waiting task that is cancelled (its connection ended)
/// returns at once. No continuation is resumed while the lock is held.
final class InboundGate: Sendable {
    private struct State {
        var epoch: UInt64 = 0
        var nextID: UInt64 = 0
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
    }

    private let state = Locked(State())

    /// The number of wake-ups so far.
    var epoch: UInt64 { state.withLock { $0.epoch } }

    /// Waits until a wake-up after `seen` (at once if one already came), or until the task is cancelled.
    func wait(after seen: UInt64) async {
        let id = state.withLock { state -> UInt64 in
            state.nextID += 1
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.epoch != seen || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume()
        }
    }

    /// Wakes every waiter (the read-ahead has room again, or the relayer stopped).
    func wake() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.epoch += 1
            let all = Array(state.waiters.values)
            state.waiters.removeAll()
            return all
        }
        for waiter in waiters { waiter.resume() }
    }
}
