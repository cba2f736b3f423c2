import FoundationEssentials

/// What the result lines of a run say, counted by each line's own top-level status (a field a user added to a
/// record, nested or not, is never taken for one): images by status, the bytes stored, the failed records, and
/// the deletions of --delete-removed.
public struct RunTally: Sendable, Equatable {
    public var uploaded = 0
    public var skipped = 0
    public var failed = 0
    /// Failed without a try: an earlier run found them broken and their file is unchanged (not in `failed`).
    public var unchanged = 0
    /// Result lines without a status, or not image records at all: a bug, said loudly by the summary.
    public var other = 0
    public var originalBytes: Int64 = 0
    public var thumbnailBytes: Int64 = 0
    public var deleted = 0
    public var deleteFailed = 0
    /// One line per failed image, `  REL: REASON`, for the first `listedFailures` of them (the failures file
    /// holds every one: a library of a million unreadable files must not make a summary of a million lines, nor
    /// hold them in memory).
    public var failureLines: [String] = []
    public static let listedFailures = 1000

    public init() {}

    /// The bytes of the original a pending record will send (the progress bar's whole is their sum): none for an
    /// image of the bucket, whose original is never written.
    public static func originalBytes(of line: Data, using decoder: JSONDecoder) -> Int64 {
        (try? decoder.decode(ResultFields.self, from: line))?.originalBytes ?? 0
    }

    /// Counts one result line; returns whether it is a failed image record (for the failures file).
    @discardableResult
    public mutating func add(_ bytes: Data) -> Bool { add(bytes, using: JSONDecoder()) }

    /// `add(_:)` with the caller's decoder: one for a whole results file, not one per line.
    @discardableResult
    public mutating func add(_ bytes: Data, using decoder: JSONDecoder) -> Bool {
        guard let line = try? decoder.decode(ResultFields.self, from: bytes) else {
            other += 1
            return false
        }
        if line.action == RemovalRecord.action {
            if line.status == "deleted" { deleted += 1 } else if line.status == "failed" { deleteFailed += 1 }
            return false
        }
        switch line.status {
        case "uploaded":
            uploaded += 1
            originalBytes += line.originalBytes
            thumbnailBytes += line.thumbnailSize ?? 0
        case "skipped":
            skipped += 1
        case "failed" where line.reason == EarlierFailures.unchanged:
            unchanged += 1
            return true
        case "failed":
            failed += 1
            guard failureLines.count < Self.listedFailures else { return true }
            failureLines.append("  \(line.rel ?? "?"): \(line.error ?? "failed")".replacing("\n", with: "\\n"))
            return true
        default:
            if StreamMarker.decode(bytes) == nil { other += 1 }  // a stream's first or last line is no image
        }
        return false
    }
}
