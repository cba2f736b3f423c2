import FoundationEssentials

/// `spaces-exists`' work on a stream of records. Every line is read first (a listing needs the whole set of
/// keys), the listing of the first record's folder starting as soon as that record arrives so that it
/// overlaps the rest of the scan; then the decision; then one line out per line in, in input order.
public final class ExistenceStage {
    public let checker: ExistenceChecker
    /// Receives one line per input line that is not a record.
    let report: (String) -> Void

    /// What the stage makes of its input.
    public struct Output {
        /// Lines for stdout, in input order: every line, or with `separatePending` only the finished ones.
        public var lines: [Data] = []
        /// With `separatePending`: the records still to upload, in input order.
        public var pending: [Data] = []
        public var malformed = 0
        public var skipped = 0
        public var checked = 0
        /// With `keepingRecords`: every record read, whatever its status, for `removals`.
        public var records: [ImageRecord] = []
        /// What was read and written, for the exit status and end line (`StreamTally`).
        public var stream = StreamTally()
    }

    public init(checker: ExistenceChecker, report: @escaping (String) -> Void) {
        self.checker = checker
        self.report = report
    }

    /// Reads `reader` to its end and decides. Throws only errors after which no image could be decided
    /// (credentials, a missing bucket). With `checking` false nothing is asked of the server: every pending record
    /// stays pending (upload-images --no-skip-existing).
    public func run(reading reader: LineReader, separatePending: Bool, keepingRecords: Bool = false,
                    checking: Bool = true) throws(S3Error) -> Output {
        var slots: [Data?] = []
        var pending: [(slot: Int, record: ImageRecord)] = []
        var output = Output()
        while let line = reader.next() {
            let kind = RecordLine.classify(line, lineNumber: reader.lineNumber)
            output.stream.read(kind)
            switch kind {
            case .blank, .marker:
                continue
            case .malformed(let message, let failed):
                output.malformed += 1
                report(message)
                slots.append(failed)
            case .finished(let line, let record):
                if keepingRecords { output.records.append(record) }  // decoded once, by classify
                slots.append(line)
            case .pending(let record):
                if keepingRecords { output.records.append(record) }
                if pending.isEmpty && checking { checker.startListing(prefix: ListingPlan.folder(of: [record])) }
                pending.append((slots.count, record))
                slots.append(nil)
            }
        }
        let decided = checking ? try checker.check(pending.map(\.record)) : pending.map(\.record)
        for (item, checked) in zip(pending, decided) {
            let record = checker.presign.map { $0.signing(checked, url: checker.client.presignedURL) } ?? Presign.unsigned(checked)
            if record.status == .skipped { output.skipped += 1 }
            output.stream.wrote(failed: record.status == .failed)
            if separatePending && record.status == nil {
                output.pending.append(RecordCoding.encode(record))
            } else {
                slots[item.slot] = RecordCoding.encode(record)
            }
        }
        output.lines = slots.compactMap { $0 }
        output.checked = pending.count
        return output
    }

    /// What is gone from the scanned folder (`RemovalFinder`), from every record `output` kept and a listing of
    /// the prefix's two folders, the check's own when it covered them. Refuses when an input line was not a
    /// record (it may have stood for an image that is there), and when the scan's stream was cut or ended in
    /// a fatal error (`StreamTally`): the images after the cut would look removed.
    public func removals(_ finder: RemovalFinder, of output: Output) throws -> RemovalFinder.Result {
        guard output.malformed == 0 else { throw RemovalFinder.Problem.linesNotRecords(output.malformed) }
        if let cut = output.stream.incompleteInput { throw RemovalFinder.Problem.scanIncomplete(cut) }
        let listed = try checker.objects(under: [finder.folder])
        return try finder.find(records: output.records, listed: listed.objects, keysAreExact: listed.exact)
    }
}
