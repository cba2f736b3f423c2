import FoundationEssentials

/// The summary at the end of a run (also of one interrupted, or whose results file could not be written), and
/// the run's exit status.
public struct RunSummary: Sendable {
    public enum Kind: Sendable { case complete, interrupted, unrecorded }

    public var kind: Kind
    public var found: Int
    /// img-scan's line about what it left out: `ignored 3: ...`.
    public var ignored: String?
    public var tally: RunTally
    /// Skipped before the upload (spaces-exists), when those lines were not read again.
    public var skippedEarlier: Int
    /// --delete-removed: whether it was asked for.
    public var pruning: Bool
    public var elapsed: Double
    /// --watch, stopped by a second INT or TERM or by a stage that died: images the watch took that got no
    /// result before the stop (the next run takes them up). They make the counts add up only in such a run's
    /// summary (`stoppedEarly`).
    public var unanswered = 0
    public var stoppedEarly = false

    public init(kind: Kind, found: Int, ignored: String?, tally: RunTally, skippedEarlier: Int, pruning: Bool, elapsed: Double) {
        self.kind = kind
        self.found = found
        self.ignored = ignored
        self.tally = tally
        self.skippedEarlier = skippedEarlier
        self.pruning = pruning
        self.elapsed = elapsed
    }

    public var skipped: Int { tally.skipped + skippedEarlier }

    /// Every image found ends uploaded, skipped or failed: counts that do not add up are a bug.
    public var countsAddUp: Bool {
        kind == .unrecorded || (tally.uploaded + skipped + tally.failed + tally.unchanged + (kind == .interrupted || stoppedEarly ? unanswered : 0) == found
                                && tally.other == 0)
    }

    public var anyFailed: Bool { tally.failed > 0 || !countsAddUp || tally.deleteFailed > 0 }

    /// 0 every image uploaded or skipped; 1 some failed (or the counts do not add up).
    public var exitStatus: Int32 { anyFailed ? Toolkit.Exit.someFailed : 0 }

    public var deletedText: String {
        var text = "\(RunUnits.counted(tally.deleted, "object")) whose image is gone"
        if tally.deleteFailed > 0 { text += " (\(tally.deleteFailed) could not be deleted: see the results file)" }
        return text
    }

    /// The summary's lines.
    public var text: String {
        let sent = tally.originalBytes + tally.thumbnailBytes
        let rate = elapsed > 0 ? Double(Int(Double(tally.uploaded) / elapsed * 10)) / 10 : 0
        var lines: [String] = []
        switch kind {
        case .complete: lines.append("\nSummary")
        case .interrupted: lines.append("\nInterrupted: partial summary")
        case .unrecorded: lines.append("\nSummary of what was recorded")
        }
        lines.append("  found:      \(found)")
        if let ignored, let colon = ignored.firstIndex(of: ":") {
            let count = ignored[..<colon].dropFirst("ignored ".count)
            lines.append("  ignored:    \(count), not counted as found:\(ignored[ignored.index(after: colon)...])")
        }
        lines.append("  uploaded:   \(tally.uploaded)")
        lines.append("  skipped:    \(skipped) (already in the bucket)")
        lines.append("  failed:     \(tally.failed)")
        if (kind == .interrupted || stoppedEarly) && unanswered > 0 {
            lines.append("  unanswered: \(unanswered) taken by the watch, stopped before their result (the next run takes them up)")
        }
        if tally.unchanged > 0 {
            lines.append("  unchanged:  \(tally.unchanged) failed earlier and not tried again, their files unchanged (see the failures file; --retry-failed tries them)")
        }
        if pruning { lines.append("  deleted:    \(deletedText)") }
        lines.append("  sent:       \(RunUnits.bytes(tally.originalBytes)) of originals, \(RunUnits.bytes(tally.thumbnailBytes)) of thumbnails")
        lines.append("  elapsed:    \(Printf.string("%.1f", elapsed)) s, \(Printf.string("%.1f", rate)) images/s, \(RunUnits.megabytesPerSecond(sent, seconds: elapsed)) MB/s")
        if tally.failed > 0 {
            lines.append("Failures:")
            lines += tally.failureLines
            if tally.failed > tally.failureLines.count {
                lines.append("  ... and \(tally.failed - tally.failureLines.count) more (the failures file lists every one)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// --watch: what the watch took is `sent` (img-scan's count); what has a result line is what the tally read.
    /// Found is the larger; the difference is unanswered (a complete run's counts then do not add up).
    public mutating func countWatch(sent: Int) {
        let answered = tally.uploaded + tally.skipped + tally.failed + tally.unchanged + tally.other
        found = max(sent, answered)
        unanswered = found - answered
    }

    /// Said after the summary when the counts do not add up.
    public var countsProblem: String? {
        guard !countsAddUp else { return nil }
        let total = tally.uploaded + skipped + tally.failed + tally.unchanged
        return "error: the counts do not add up: found \(found), but uploaded + skipped + failed = \(total) (and \(tally.other) lines without a status)"
    }
}
