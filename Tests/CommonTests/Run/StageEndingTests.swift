@testable import Common
import Testing

/// How a worker's img-thumb | spaces-put ended, and what the run does next.
@Suite(.unitTimeLimit) struct StageEndingTests {
    @Test func answersFatalErrorsUnavailableServersAndDeaths() {
        #expect(StageEnding(thumb: 0, put: 0).outcome == .answered)
        #expect(StageEnding(thumb: 1, put: 1).outcome == .answered)
        #expect(StageEnding(thumb: 0, put: 130).outcome == .answered)
        #expect(StageEnding(thumb: 0, put: 2).outcome == .fatal)
        #expect(StageEnding(thumb: 137, put: 3).outcome == .unavailable)
        #expect(StageEnding(thumb: 137, put: 0).outcome == .died(reason: "img-thumb was killed by signal 9 (KILL)"))
        #expect(StageEnding(thumb: 2, put: 143).outcome == .died(reason: "img-thumb exited with status 2; spaces-put was killed by signal 15 (TERM)"))
    }

    /// --from-bucket: spaces-get's fatal error stops the run; its death is a death like the others'.
    @Test func spacesGetsEndingCountsToo() {
        #expect(StageEnding(get: 0, thumb: 0, put: 0).outcome == .answered)
        #expect(StageEnding(get: 1, thumb: 1, put: 1).outcome == .answered)
        #expect(StageEnding(get: 2, thumb: 2, put: 2).outcome == .fatal)
        #expect(StageEnding(get: 3, thumb: 1, put: 1).outcome == .unavailable)
        #expect(StageEnding(get: 3, thumb: 137, put: 2).outcome == .fatal, "a fatal error is not hidden by a server gone")
        #expect(StageEnding(get: 137, thumb: 2, put: 0).outcome == .died(reason: "spaces-get was killed by signal 9 (KILL); img-thumb exited with status 2"))
    }

    @Test func parallelCountsFailedBatchesXargsFailsOnAnyStatus() {
        #expect(!StageEnding.dispatcherFailed("parallel", status: 3) && StageEnding.dispatcherFailed("parallel", status: 255))
        #expect(!StageEnding.dispatcherFailed("xargs", status: 0) && StageEnding.dispatcherFailed("xargs", status: 123))
    }

    @Test func describesAnEnding() {
        #expect(StageEnding.describe("spaces-exists", status: 4) == "spaces-exists exited with status 4")
        #expect(StageEnding.describe("img-scan", status: 139) == "img-scan was killed by signal 11 (SEGV)")
    }
}
