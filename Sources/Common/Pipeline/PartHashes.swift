import Dispatch
import FoundationEssentials
import Glibc
import Dispatch
import Synchronization

/// Each part's MD5 and SHA-256 (its `Content-MD5` and signed payload hash), computed ahead of the sending by a
/// thread of its own, in part order, from the moment the upload is decided: it runs beside the whole file's MD5
/// pass, while no part can go yet, and then keeps ahead of the senders, so that a connection does not sit idle
/// while its next part is hashed. A sender that gets to a part first hashes it itself. Only the hashes are
/// kept (48 bytes a part), never the bytes: each part is read again as it is sent. A part whose bytes change in
/// between is refused by the server (`Content-MD5`), and the changed file is caught before completing.
final class PartHashes: Sendable {
    typealias Hashes = (md5: Data, sha256: Data)

    private enum Slot {
        case waiting
        case hashing
        case done(Result<Hashes, FileError>)
    }

    private let plan: MultipartPlan
    private let file: String
    private let slots: Mutex<(parts: [Slot], stopped: Bool)>
    /// One per part, signalled once its hashes are known, for a sender that found it being hashed.
    private let ready: [DispatchSemaphore]
    private let ahead = DispatchGroup()

    /// Whether each part's SHA-256 is made too (only for a client that signs payloads).
    private let withSHA256: Bool

    init(plan: MultipartPlan, file: String, withSHA256: Bool = true) {
        self.withSHA256 = withSHA256
        self.plan = plan
        self.file = file
        slots = Mutex((Array(repeating: .waiting, count: plan.partCount), false))
        ready = (0..<plan.partCount).map { _ in DispatchSemaphore(value: 0) }
    }

    /// Starts the thread that hashes every part in order, until `stop`.
    func hashAhead() {
        ahead.enter()
        Threads.start { [self] in
            defer { ahead.leave() }
            for number in 1...plan.partCount where claim(number) {
                compute(number)
            }
        }
    }

    /// Stops the thread hashing ahead, and waits for it: no read of the file outlives the upload.
    func stop() {
        slots.withLock { $0.stopped = true }
        ahead.wait()
    }

    /// The part's hashes: hashed here if no one has started on it, else waited for.
    func hashes(of number: Int) throws(FileError) -> Hashes {
        if claim(number, bySender: true) { compute(number) } else { ready[number - 1].wait() }
        guard case .done(let result) = slots.withLock({ $0.parts[number - 1] }) else {
            throw FileError(path: file, reason: "part \(number) was not hashed")
        }
        return try result.get()
    }

    /// Marks the part as being hashed by the caller, if no one has started on it (and, for the thread hashing
    /// ahead, unless it was stopped).
    private func claim(_ number: Int, bySender: Bool = false) -> Bool {
        slots.withLock { state in
            guard case .waiting = state.parts[number - 1], bySender || !state.stopped else { return false }
            state.parts[number - 1] = .hashing
            return true
        }
    }

    private func compute(_ number: Int) {
        let part = plan.part(number)
        let result = Result { () throws(FileError) -> Hashes in
            try FileDigest.compute(path: file, offset: part.offset, length: part.length, withSHA256: withSHA256)
        }
        slots.withLock { $0.parts[number - 1] = .done(result) }
        ready[number - 1].signal()
    }
}
