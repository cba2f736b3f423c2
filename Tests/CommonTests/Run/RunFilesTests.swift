@testable import Common
import Foundation
import TestSupport
import Testing

/// A run's files, named after its start time; a second run in the same second gets a suffix, never the first's.
@Suite(.unitTimeLimit) struct RunFilesTests {
    @Test func aSecondRunInTheSameSecondGetsASuffix() throws {
        let folder = try TemporaryDirectory()
        let first = try #require(RunFiles.create(in: folder.path, stamp: "20261207_010203", mode: 0o644))
        let second = try #require(RunFiles.create(in: folder.path, stamp: "20261207_010203", mode: 0o644))
        #expect(first.log == folder.path + "/upload_log_20261207_010203.log")
        #expect(second.results == folder.path + "/upload_results_20261207_010203_2.jsonl")
        #expect(second.review == folder.path + "/upload_review_20261207_010203_2.html")
        #expect(RunFiles.create(in: folder.path + "/missing", stamp: "20261207_010203", mode: 0o644) == nil)
        #expect(RunFiles.stamp(0).count == "19700101_000000".count)
    }
}
