import FoundationEssentials
import Glibc

/// How the images to upload are cut into batches and how many workers run them. Every worker is one
/// img-thumb | spaces-put for the whole run, taking batches from one queue until none is left; batches of a
/// quarter of an equal share at most (500 images at 10 workers: 13 per batch) leave little for the last worker
/// to finish alone. With --hosts a batch is a host's unit of work: an equal share at most.
public struct BatchPlan: Sendable, Equatable {
    public var batchSize: Int
    public var batches: Int
    /// Workers to start: no more than there are batches.
    public var lanes: Int

    public init(pending: Int, workers: Int, batchSize: Int, hosts: Bool) {
        let workers = max(1, workers)
        let shares = hosts ? workers : 4 * workers
        let share = max(1, (pending + shares - 1) / shares)
        self.batchSize = max(1, min(batchSize, share))
        batches = (pending + self.batchSize - 1) / self.batchSize
        lanes = min(batches, workers)
    }

    /// The name of batch `index` (from 0): `batch.000000`; sorted by name, they are in input order.
    public static func name(_ index: Int) -> String { Printf.string("batch.%06d", Int32(index)) }

    /// Cuts the lines of `pending` into batch files in `folder`, reading it line by line (memory stays flat).
    public func write(from pending: String, into folder: String) throws(FileError) {
        let fd = open(pending, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileError(path: pending, errno: errno) }
        defer { close(fd) }
        let reader = LineReader(fd: fd)
        var index = 0
        var chunk = Data()
        var inChunk = 0
        while let line = reader.next() {
            chunk.append(line)
            chunk.append(UInt8(ascii: "\n"))
            inChunk += 1
            if inChunk == batchSize {
                try WorkFile.replace("\(folder)/\(Self.name(index))", with: chunk)
                index += 1
                chunk = Data()
                inChunk = 0
            }
        }
        if inChunk > 0 { try WorkFile.replace("\(folder)/\(Self.name(index))", with: chunk) }
    }
}
