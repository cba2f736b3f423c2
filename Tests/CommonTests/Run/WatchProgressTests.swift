@testable import Common
import Testing

@Suite(.unitTimeLimit) struct WatchProgressTests {
    @Test func countsFromTheResultsAndWhatTheScanSent() {
        #expect(WatchProgress(results: 10, failed: 1, skipped: 3, sent: 12).text == "watching: 6 uploaded, 3 skipped, 1 failed, 2 waiting")
        // A count file behind the results (written after the records) never makes a negative.
        #expect(WatchProgress(results: 5, failed: 0, skipped: 0, sent: 4).waiting == 0)
    }
}
