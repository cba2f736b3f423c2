@testable import Common
import Testing
import FoundationEssentials

/// The summary at the end of a run, and the run's exit status.
@Suite(.unitTimeLimit) struct RunSummaryTests {
    func summary(_ kind: RunSummary.Kind = .complete, found: Int, uploaded: Int = 0, skippedEarlier: Int = 0, failed: [String] = [],
                 pruning: Bool = false) -> RunSummary {
        var tally = RunTally()
        tally.uploaded = uploaded
        tally.failed = failed.count
        tally.failureLines = failed.map { "  \($0): broken" }
        tally.originalBytes = 2048
        return RunSummary(kind: kind, found: found, ignored: "ignored 2: 1 AppleDouble file, 1 hidden", tally: tally,
                          skippedEarlier: skippedEarlier, pruning: pruning, elapsed: 2)
    }

    @Test func everyImageEndsUploadedSkippedOrFailed() {
        let done = summary(found: 5, uploaded: 3, skippedEarlier: 2)
        #expect(done.countsAddUp && done.exitStatus == 0 && done.countsProblem == nil)
        #expect(done.text == """

            Summary
              found:      5
              ignored:    2, not counted as found: 1 AppleDouble file, 1 hidden
              uploaded:   3
              skipped:    2 (already in the bucket)
              failed:     0
              sent:       2 KiB of originals, 0 bytes of thumbnails
              elapsed:    2.0 s, 1.5 images/s, 0.0 MB/s

            """)
    }

    /// A run of a million failures lists the first thousand, and says how many more the failures file holds.
    @Test func theSummaryListsTheFirstThousandFailures() {
        var tally = RunTally()
        for index in 0..<(RunTally.listedFailures + 5) {
            tally.add(Data(#"{"path":"/p/\#(index).jpg","rel":"\#(index).jpg","status":"failed","error":"broken"}"#.utf8))
        }
        #expect(tally.failed == RunTally.listedFailures + 5 && tally.failureLines.count == RunTally.listedFailures)
        let text = RunSummary(kind: .complete, found: tally.failed, ignored: nil, tally: tally, skippedEarlier: 0, pruning: false,
                              elapsed: 1).text
        #expect(text.contains("  999.jpg: broken\n  ... and 5 more (the failures file lists every one)\n"))
        #expect(!text.contains("1000.jpg"))
    }

    @Test func aFailureMakesTheStatusOneAndIsListed() {
        let failed = summary(found: 2, uploaded: 1, failed: ["a.jpg"], pruning: true)
        #expect(failed.exitStatus == 1)
        #expect(failed.text.contains("  deleted:    0 objects whose image is gone\n"))
        #expect(failed.text.hasSuffix("Failures:\n  a.jpg: broken\n"))
    }

    @Test func countsThatDoNotAddUpAreABugSaidLoudly() {
        let missing = summary(found: 4, uploaded: 3)
        #expect(!missing.countsAddUp && missing.exitStatus == 1)
        #expect(missing.countsProblem == "error: the counts do not add up: found 4, but uploaded + skipped + failed = 3 (and 0 lines without a status)")
        #expect(summary(.unrecorded, found: 4, uploaded: 3).countsAddUp)
        #expect(summary(.interrupted, found: 4, uploaded: 3).text.hasPrefix("\nInterrupted: partial summary\n"))
    }

    /// --watch: found is what the watch took; a stop before some had their result shows them as unanswered in an
    /// interrupted run's summary, and is a counting error in a complete one.
    @Test func aWatchCountsWhatItTookAgainstTheResults() {
        var tally = RunTally()
        tally.uploaded = 3
        tally.skipped = 1
        var interrupted = RunSummary(kind: .interrupted, found: 0, ignored: nil, tally: tally, skippedEarlier: 0, pruning: false, elapsed: 1)
        interrupted.countWatch(sent: 6)
        #expect(interrupted.found == 6 && interrupted.unanswered == 2 && interrupted.countsAddUp)
        #expect(interrupted.text.contains("  unanswered: 2 taken by the watch"))
        var complete = RunSummary(kind: .complete, found: 0, ignored: nil, tally: tally, skippedEarlier: 0, pruning: false, elapsed: 1)
        complete.countWatch(sent: 6)
        #expect(!complete.countsAddUp && complete.exitStatus == 1 && !complete.text.contains("unanswered"))
        complete.countWatch(sent: 4)
        #expect(complete.countsAddUp && complete.exitStatus == 0 && complete.found == 4)
        // A stage that died: what had no result is unanswered, not a counting error.
        complete.countWatch(sent: 6)
        complete.stoppedEarly = true
        #expect(complete.countsAddUp && complete.text.contains("  unanswered: 2"))
    }
}
