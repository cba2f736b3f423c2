@testable import Common
import Foundation
import Testing

/// The result lines of a run, counted by each line's own top-level status.
@Suite(.unitTimeLimit) struct RunTallyTests {
    func tally(_ lines: [String]) -> RunTally {
        var tally = RunTally()
        for line in lines { tally.add(Data(line.utf8)) }
        return tally
    }

    @Test func countsByTopLevelStatusOnly() {
        let tally = tally([
            #"{"path":"/a","rel":"a.jpg","status":"uploaded","size":1000,"thumbnail_size":10}"#,
            #"{"path":"/b","rel":"b.jpg","status":"skipped","note":{"status":"failed"}}"#,
            #"{"path":"/c","rel":"c.jpg","status":"failed","error":"bad\nline"}"#,
            #"{"path":"/d","rel":"d.jpg","mine":{"status":"uploaded"}}"#,
            #"{"action":"delete","key":"k","status":"deleted"}"#,
            #"{"action":"delete","key":"k2","status":"failed"}"#,
            #"{"by":"spaces-put","stream":"begin"}"#,
            "not json",
        ])
        #expect(tally.uploaded == 1 && tally.skipped == 1 && tally.failed == 1 && tally.other == 2)
        #expect(tally.originalBytes == 1000 && tally.thumbnailBytes == 10)
        #expect(tally.deleted == 1 && tally.deleteFailed == 1)
        #expect(tally.failureLines == [#"  c.jpg: bad\nline"#])
    }

    @Test func addSaysWhichLinesAreFailedImages() {
        var tally = RunTally()
        let image = tally.add(Data(#"{"path":"/c","rel":"c.jpg","status":"failed"}"#.utf8))
        let deletion = tally.add(Data(#"{"action":"delete","key":"k","status":"failed"}"#.utf8))
        #expect(image && !deletion)
    }

    /// An image failed earlier and unchanged is a failed record, not a failure of this run (exit 0).
    @Test func unchangedFailuresAreCountedApart() {
        let tally = tally([#"{"path":"/a","rel":"a.jpg","status":"failed","error":"file is empty","reason":"broken image, unchanged since an earlier run"}"#])
        #expect(tally.unchanged == 1 && tally.failed == 0)
        let summary = RunSummary(kind: .complete, found: 1, ignored: nil, tally: tally, skippedEarlier: 0, pruning: false, elapsed: 1)
        #expect(summary.countsAddUp && summary.exitStatus == 0)
        #expect(summary.text.contains("  unchanged:  1 failed earlier and not tried again"))
    }

    /// An image of the bucket sends no original: its size is neither progress to make nor bytes sent.
    @Test func anImageOfTheBucketSendsNoOriginalBytes() {
        var tally = RunTally()
        let line = Data(#"{"from_bucket":true,"path":"s3://b/k","rel":"k","size":500,"status":"uploaded","thumbnail_size":7}"#.utf8)
        tally.add(line)
        #expect(tally.uploaded == 1 && tally.originalBytes == 0 && tally.thumbnailBytes == 7)
        #expect(RunTally.originalBytes(of: line, using: JSONDecoder()) == 0)
        #expect(RunTally.originalBytes(of: Data(#"{"path":"/p/k","rel":"k","size":500}"#.utf8), using: JSONDecoder()) == 500)
    }
}
