import FoundationEssentials

/// `spaces-exists`' work on a stream of records: read a part at a time (`chunkSize` lines), each part decided
/// by one listing that seeks to its keys (`SeekListing`, under way while the next part is read) and written, one
/// line out per line in, in input order. The memory is a part's, whatever the size of the input; a scan's records, in
/// S3's order, cost one LIST request per 1,000 keys. With `stream`, each part of the input that comes before a
/// pause.
public final class ExistenceStage {
    public let checker: ExistenceChecker
    /// Receives one line per input line that is not a record.
    let report: (String) -> Void

    /// Lines decided at a time.
    public static let chunkSize = 5000

    /// What the stage made of its input.
    public struct Output {
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

    /// Lines read but not yet decided: each line's place in the output, and the records to check with theirs.
    private struct Chunk {
        var slots: [Data?] = []
        var pending: [ImageRecord] = []
        var places: [Int] = []
    }

    /// Reads `reader` to its end, deciding a part (`chunkSize` lines) at a time and handing each part's lines to
    /// `write` in input order: every line as `lines`, or with `separatePending` the records still to upload as
    /// `pending` and the rest as `lines`. `write` returning false (its reader is gone) ends the stage. Throws
    /// only errors after which no image could be decided (credentials, a missing bucket). With `checking` false
    /// nothing is asked of the server: every pending record stays pending (upload-images --no-skip-existing).
    public func run(reading reader: LineReader, separatePending: Bool, keepingRecords: Bool = false,
                    checking: Bool = true, chunkSize: Int = ExistenceStage.chunkSize,
                    write: (_ lines: [Data], _ pending: [Data]) -> Bool) throws(S3Error) -> Output {
        var chunk = Chunk()
        var output = Output()
        // The part read last, its listing under way while the next part is read.
        var waiting: (chunk: Chunk, listing: ExistenceChecker.Prefetch?, following: Bool)?
        func decideWaiting() throws(S3Error) -> Bool {
            guard let last = waiting else { return true }
            let decided = try decide(last.chunk, &output, separatePending: separatePending, checking: checking,
                                     following: last.following, prefetched: last.listing)
            return write(decided.lines, decided.pending)
        }
        while true {
            let line = reader.next()
            if let line { take(line, number: reader.lineNumber, into: &chunk, &output, keepingRecords: keepingRecords) }
            guard line == nil || chunk.slots.count >= chunkSize else { continue }
            // This part's listing starts at once, beside the last one's if that is still under way, and runs while
            // the last part is decided and written and the next one read. (A fatal error of the last one's, bad
            // credentials, then ends the stage while this one may still be asking: nothing else is lost.)
            let following = waiting != nil
            let listing = checking ? checker.prefetch(chunk.pending, following: following) : nil
            guard try decideWaiting() else { return output }
            waiting = (chunk, listing, following)
            guard line != nil else { break }
            chunk = Chunk()
        }
        _ = try decideWaiting()
        return output
    }

    /// `--stream`: decides what was read each time the input pauses, at most `idle` seconds after the part's
    /// first line came, and hands those lines to
    /// `write` at once, so that a record of a stream that does not end (`img-scan --watch`) leaves promptly: the
    /// first scan's burst is one part (one listing), each later arrival a small one (one LIST page or HEADs).
    /// No listing is kept from one part to the next. Returns the counts; `Output.lines` stays empty. `write`
    /// returning false (its reader is gone) ends the stage.
    public func stream(reading reader: LineReader, idle: Double, longest: Double = 5, checking: Bool = true,
                       write: ([Data]) -> Bool) throws(S3Error) -> Output {
        var chunk = Chunk()
        var output = Output()
        var begun = 0.0, firstPart = true
        while true {
            // A part ends at a pause of the input, or, while it is small, once its first line has waited `idle`
            // seconds: a steady trickle (an image every 50 ms) must not wait for a pause that never comes. The
            // first part (the first scan's burst) waits for its pause, to be decided by one listing; a later
            // big one (thousands of images copied in, a rescan) leaves after `longest` seconds at most.
            let age = MonotonicClock.seconds() - begun
            let big = chunk.pending.count > ExistenceChecker.autoThreshold
            if !chunk.slots.isEmpty && ((!firstPart && age >= longest) || !reader.waitForLine(timeout: big ? idle : idle - age)) {
                let lines = try decide(chunk, &output, separatePending: false, checking: checking, following: !firstPart).lines
                checker.forgetListing()
                guard write(lines) else { return output }
                chunk = Chunk()
                firstPart = false
                continue
            }
            guard let line = reader.next() else { break }
            if chunk.slots.isEmpty { begun = MonotonicClock.seconds() }
            take(line, number: reader.lineNumber, into: &chunk, &output, keepingRecords: false)
        }
        if !chunk.slots.isEmpty { _ = write(try decide(chunk, &output, separatePending: false, checking: checking, following: !firstPart).lines) }
        return output
    }

    /// One input line into the chunk.
    private func take(_ line: Data, number: Int, into chunk: inout Chunk, _ output: inout Output, keepingRecords: Bool) {
        let kind = RecordLine.classify(line, lineNumber: number)
        output.stream.read(kind)
        switch kind {
        case .blank, .marker:
            return
        case .malformed(let message, let failed):
            output.malformed += 1
            report(message)
            chunk.slots.append(failed)
        case .finished(let line, let record):
            if keepingRecords { output.records.append(record) }  // decoded once, by classify
            chunk.slots.append(line)
        case .pending(let record):
            if keepingRecords { output.records.append(record) }
            chunk.pending.append(record)
            chunk.places.append(chunk.slots.count)
            chunk.slots.append(nil)
        }
    }

    /// The chunk's records decided, its lines in input order (with `separatePending`, the ones still to upload
    /// apart); `following`: other parts of the input came before it.
    private func decide(_ chunk: Chunk, _ output: inout Output, separatePending: Bool, checking: Bool,
                        following: Bool, prefetched: ExistenceChecker.Prefetch? = nil) throws(S3Error) -> (lines: [Data], pending: [Data]) {
        var slots = chunk.slots
        var pending: [Data] = []
        let decided = checking ? try checker.check(chunk.pending, following: following, prefetched: prefetched) : chunk.pending
        for (place, checked) in zip(chunk.places, decided) {
            let record = checker.presign.map { $0.signing(checked, url: checker.client.presignedURL) } ?? Presign.unsigned(checked)
            if record.status == .skipped { output.skipped += 1 }
            output.stream.wrote(failed: record.status == .failed)
            if separatePending && record.status == nil {
                pending.append(RecordCoding.encode(record))
            } else {
                slots[place] = RecordCoding.encode(record)
            }
        }
        output.checked += chunk.pending.count
        return (slots.compactMap { $0 }, pending)
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
