import FoundationEssentials

/// The first and the last line of every stage's output, so that the last stage of a pipeline can tell, on its
/// own, how the whole pipeline went, under a shell without `pipefail` (`sh -c`, dash, make):
///
///     {"by":"img-scan","stream":"begin"}
///     ...records...
///     {"by":"img-scan","exit":1,"failed":3,"records":120,"stream":"end"}
///
/// `exit` is the status the stage ended with (0, 1, or 2 with an `error`), counting what came before it.
/// A stage reads the markers of the stage before it and folds them into its own (`StreamTally`); they are
/// never passed on as records.
public struct StreamMarker: Codable, Equatable, Sendable {
    public enum Kind: String, Codable, Sendable { case begin, end }

    public var stream: Kind
    /// The command that wrote it.
    public var by: String
    /// With `end`: the stage's exit status; the image records it wrote, and how many of them had failed.
    public var exit: Int32?
    public var records: Int?
    public var failed: Int?
    /// With `end` and an exit status of 2: why the pipeline stopped.
    public var error: String?

    public init(_ stream: Kind, by: String, exit: Int32? = nil, records: Int? = nil, failed: Int? = nil, error: String? = nil) {
        self.stream = stream
        self.by = by
        self.exit = exit
        self.records = records
        self.failed = failed
        self.error = error
    }

    /// The marker a line holds, or nil for any other line (a record, garbage).
    public static func decode(_ line: Data) -> StreamMarker? {
        guard line.count < 64 * 1024, let marker = try? JSONDecoder().decode(StreamMarker.self, from: line) else { return nil }
        return marker.stream == .end && marker.exit == nil ? nil : marker
    }

    public var encoded: Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)) ?? Data(#"{"stream":"end","by":"?","exit":2}"#.utf8)
    }
}

/// What a stage has read and written, and the exit status that follows: the one rule of the pipeline's status.
///
/// - 2: the stage itself stopped on a fatal error; or nothing at all came in (the stage before stopped
///   without a word); or a stream began and did not end (a stage before was killed, or crashed); or the stage
///   before ended with 2.
/// - 1: any image record written had failed, wherever it failed; or the stage before ended with 1.
/// - otherwise the stage's own status (0; 3 for spaces-put's server that stopped answering).
///
/// Input with no marker at all (records written by hand, or through a filter that dropped them) is judged by
/// its records alone.
public struct StreamTally: Sendable {
    /// Whether the stage reads no input (img-scan): then nothing coming in is no fault.
    public let producer: Bool
    public private(set) var inputLines = 0
    /// Streams begun and not ended yet (concatenated streams each have their pair).
    public private(set) var open = 0
    /// The worst end marker read, by its exit status.
    public private(set) var worstEnd: StreamMarker?
    public private(set) var records = 0
    public private(set) var failed = 0

    public init(producer: Bool = false) { self.producer = producer }

    /// A non-blank input line of any kind.
    private mutating func readLine() { inputLines += 1 }

    /// An input line this stage leaves out on purpose (spaces-get: a thumbnail of spaces-ls's listing).
    public mutating func passOver() { readLine() }

    mutating func read(_ marker: StreamMarker) {
        switch marker.stream {
        case .begin:
            open += 1
        case .end:
            open = max(0, open - 1)
            if (marker.exit ?? 2) > (worstEnd?.exit ?? -1) { worstEnd = marker }
        }
    }

    /// One classified input line, as every stage counts it: a marker read, a bad line's failed record or a
    /// finished record written out; a pending record is counted by `wrote(failed:)` once the stage is done
    /// with it. Blank lines are not counted.
    public mutating func read(_ line: RecordLine) {
        switch line {
        case .blank: return
        case .marker(let marker): readLine(); read(marker)
        case .malformed: readLine(); wrote(failed: true)
        case .finished(_, let record): readLine(); wrote(failed: record.status == .failed)
        case .pending: readLine()
        }
    }

    /// An image record written out (passed on, made here, or a failed record standing for a bad line).
    public mutating func wrote(failed isFailed: Bool, count: Int = 1) {
        records += count
        if isFailed { failed += count }
    }

    /// The exit status, and the reason when it is 2 for a cause outside this stage.
    public func outcome(own: Int32) -> (exit: Int32, error: String?) {
        if own == Toolkit.Exit.fatal { return (own, nil) }
        if !producer {
            if inputLines == 0 {
                return (Toolkit.Exit.fatal, "nothing came in: the stage before this one stopped without writing a line (see its error)")
            }
            if open > 0 {
                return (Toolkit.Exit.fatal, "the input ended before its last line: a stage before this one was killed or crashed")
            }
            if let worstEnd, (worstEnd.exit ?? 2) >= Toolkit.Exit.fatal {
                return (Toolkit.Exit.fatal, worstEnd.error.map { "\(worstEnd.by): \($0)" } ?? "\(worstEnd.by) stopped")
            }
        }
        if own == Toolkit.Exit.serverUnavailable { return (own, nil) }
        if failed > 0 || worstEnd?.exit == Toolkit.Exit.someFailed { return (Toolkit.Exit.someFailed, nil) }
        return (own, nil)
    }

    /// Why the input is known to be incomplete, or nil: a stream began and did not end, or the stage before
    /// ended with a fatal error. Input without markers (written by hand, or `--records-only`) is taken as it
    /// is, and so is no input at all (an empty scan, which `PruneGuard` never prunes).
    public var incompleteInput: String? {
        guard !producer, inputLines > 0 else { return nil }
        let (exit, error) = outcome(own: 0)
        return exit == Toolkit.Exit.fatal ? error : nil
    }

    /// This stage's end marker, for `own` status and `error` (its own fatal error, when it has one).
    public func end(by: String, own: Int32, error: String? = nil) -> StreamMarker {
        let (exit, reason) = outcome(own: own)
        return StreamMarker(.end, by: by, exit: exit, records: records, failed: failed, error: exit == Toolkit.Exit.fatal ? (error ?? reason) : nil)
    }
}
