import FoundationEssentials

/// What one input line of a pipeline stage holds, decided the same way by every stage.
public enum RecordLine {
    /// An empty line: no output.
    case blank
    /// Not a record: the stage writes `output` (a failed record naming the line) so lines stay one-to-one.
    case malformed(message: String, output: Data)
    /// A record that already has a status: written through unchanged, byte for byte.
    case finished(Data, record: ImageRecord)
    /// A record this stage works on.
    case pending(ImageRecord)
    /// The first or last line of a stage's output (`StreamMarker`): read, never passed on.
    case marker(StreamMarker)

    public static func classify(_ line: Data, lineNumber: Int) -> RecordLine {
        guard line.contains(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") && $0 != UInt8(ascii: "\r") }) else {
            return .blank
        }
        do {
            let record = try RecordCoding.decode(line)
            return record.status == nil ? .pending(record) : .finished(line, record: record)
        } catch {
            if let marker = StreamMarker.decode(line) { return .marker(marker) }
            let message = "input line \(lineNumber): \(error)"
            let object = ["status": "failed", "error": message]
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let output = (try? encoder.encode(object))
                ?? Data(#"{"status":"failed"}"#.utf8)
            return .malformed(message: message, output: output)
        }
    }
}

extension RecordLine {
    /// The output for one input line, handled as every stage does: nothing for a blank line; for a line that
    /// is not a record, a failed record (counted in `failures`, its reason given to `report`); a finished
    /// record unchanged; for a pending record, the record `work` makes of it (counted when it failed); and
    /// for a stream marker, nothing. `stream` tallies every line read and every record written. `passing`, when
    /// given, may rewrite a finished record's line (spaces-put --presign signs the skipped ones).
    public static func output<Failure: Error>(
        for line: Data, lineNumber: Int, failures: inout Int, stream: inout StreamTally, report: (String) -> Void,
        passing: ((Data, ImageRecord) -> Data)? = nil, _ work: (ImageRecord) throws(Failure) -> ImageRecord
    ) throws(Failure) -> Data? {
        let kind = classify(line, lineNumber: lineNumber)
        stream.read(kind)
        switch kind {
        case .blank, .marker:
            return nil
        case .malformed(let message, let output):
            failures += 1
            report(message)
            return output
        case .finished(let line, let record):
            return passing?(line, record) ?? line
        case .pending(let record):
            let done = try work(record)
            if done.status == .failed { failures += 1 }
            stream.wrote(failed: done.status == .failed)
            return RecordCoding.encode(done)
        }
    }
}
