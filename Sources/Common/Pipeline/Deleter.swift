import FoundationEssentials
import Glibc

/// Deletes the objects that deletion records name (`spaces-put --delete`), `chunkSize` keys a DeleteObjects
/// request, and writes each record again with its status, `deleted` or `failed` with the reason: one line out
/// per line in, in order. Only keys that the scan's rules make under `PREFIX/` are ever sent (`KeyScope`).
public final class Deleter {
    public let client: S3Client
    public let scope: KeyScope
    /// Keys per request: S3's 1,000; tests make it small.
    public var chunkSize = DeleteObjects.maxKeys
    public private(set) var deletedCount = 0
    public private(set) var failedCount = 0
    /// Receives one line per key that could not be deleted and per input line that is not a deletion record.
    let report: (String) -> Void

    public init(client: S3Client, scope: KeyScope, report: @escaping (String) -> Void) {
        self.client = client
        self.scope = scope
        self.report = report
    }

    /// The output lines of the next input lines, up to one request's worth of keys; nil at the end of the input.
    /// Throws only errors after which no request could succeed (credentials, a missing bucket).
    public func next(from reader: LineReader) throws(S3Error) -> [Data]? {
        var slots: [Data?] = []
        var batch: [(slot: Int, record: RemovalRecord)] = []
        var ended = false
        while batch.count < chunkSize {
            guard let line = reader.next() else {
                ended = true
                break
            }
            guard line.contains(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") && $0 != UInt8(ascii: "\r") }) else { continue }
            switch accept(line, lineNumber: reader.lineNumber) {
            case .output(let output): slots.append(output)
            case .delete(let record):
                batch.append((slots.count, record))
                slots.append(nil)
            }
        }
        if ended && slots.isEmpty { return nil }
        for (item, done) in zip(batch, try delete(batch.map(\.record))) {
            slots[item.slot] = done.encoded()
        }
        return slots.compactMap { $0 }
    }

    private enum Acceptance {
        /// Written as it is: passed through, or failed without a request.
        case output(Data)
        case delete(RemovalRecord)
    }

    private func accept(_ line: Data, lineNumber: Int) -> Acceptance {
        let record: RemovalRecord
        do {
            record = try RemovalRecord.decode(line)
        } catch {
            failedCount += 1
            let message = "input line \(lineNumber): not a deletion record (\(error)): nothing deleted"
            report(message)
            return .output(RemovalRecord.failedLine(message))
        }
        if record.status != nil { return .output(line) }
        if let refused = record.refused {
            return .output(failed(record, "not deleted: the prune was refused: \(refused)").encoded())
        }
        guard scope.mayDelete(record.key) else {
            return .output(failed(record, "not deleted: not a key the scan makes under \(scope.originals) or the thumbnail folders \(scope.folder)thumbnail*/").encoded())
        }
        return .delete(record)
    }

    /// One DeleteObjects request for the records' keys (each key once); a request that fails after its retries
    /// fails every record in it.
    private func delete(_ records: [RemovalRecord]) throws(S3Error) -> [RemovalRecord] {
        guard !records.isEmpty else { return [] }
        var unique: [String] = []
        var seen: Set<ExactKey> = []
        for record in records where seen.insert(ExactKey(record.key)).inserted { unique.append(record.key) }
        var outcomes: [ExactKey: DeleteObjects.Outcome] = [:]
        do {
            for (key, outcome) in zip(unique, try client.deleteObjects(keys: unique)) { outcomes[ExactKey(key)] = outcome }
        } catch let error where !error.isFatal {
            for key in unique { outcomes[ExactKey(key)] = .failed(error.description) }
        }
        return records.map { record in
            switch outcomes[ExactKey(record.key)] ?? .failed("not sent") {
            case .deleted:
                deletedCount += 1
                var done = record
                done.status = .deleted
                return done
            case .failed(let reason):
                return failed(record, reason)
            }
        }
    }

    private func failed(_ record: RemovalRecord, _ reason: String) -> RemovalRecord {
        failedCount += 1
        report("\(record.key): not deleted: \(reason)")
        var done = record
        done.status = .failed
        done.error = reason
        return done
    }
}
