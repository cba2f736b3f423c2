import FoundationEssentials
import Glibc

/// Record lines from batch files taken one at a time from a shared queue folder, for a stage that lives
/// through many batches (upload-images starts one img-thumb | spaces-put per worker, not per batch).
///
/// A batch is taken by renaming it into this process's own folder (`claimed`): a rename happens once, so
/// two processes never take the same batch, and what a process took stays on record beside it if it dies.
/// The next batch is taken only once the last line of the one in hand has been read, so the workers share
/// the batches to the end. The queue ends when it is empty or gone: renaming the queue folder away stops
/// every taker after its batch in hand (upload-images does that after a fatal error or an interruption).
public final class BatchQueue {
    private let queue: String
    private let claimed: String
    private var reader: LineReader?
    private var descriptor: Int32 = -1
    private var numbered = 0
    /// The number of the line last returned, counted over all the batches taken.
    public var lineNumber: Int { numbered + (reader?.lineNumber ?? 0) }

    public init(queue: String, claimed: String) {
        self.queue = queue
        self.claimed = claimed
    }

    deinit { if descriptor >= 0 { close(descriptor) } }

    /// The next line of the batch in hand, or of the next batch taken; nil once none is left.
    public func next() -> Data? {
        while true {
            if let reader, let line = reader.next() { return line }
            guard take() else { return nil }
        }
    }

    /// Takes the first batch (by name) still in the queue; false when there is none, or no queue.
    private func take() -> Bool {
        if let reader { numbered += reader.lineNumber }
        reader = nil
        if descriptor >= 0 { close(descriptor) }
        descriptor = -1
        while true {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: queue) else { return false }
            let waiting = names.filter { !$0.hasPrefix(".") }.sorted()
            guard !waiting.isEmpty else { return false }
            for name in waiting {
                guard rename(queue + "/" + name, claimed + "/" + name) == 0 else {
                    // Gone: another process took it (or the queue was renamed away). Still there, it could not
                    // be moved (no claim folder, another file system), nor could any other: end, not spin.
                    if access(queue + "/" + name, F_OK) != 0 { continue }
                    return false
                }
                descriptor = open(claimed + "/" + name, O_RDONLY | O_CLOEXEC)
                guard descriptor >= 0 else { continue }
                reader = LineReader(fd: descriptor)
                return true
            }
        }
    }
}
