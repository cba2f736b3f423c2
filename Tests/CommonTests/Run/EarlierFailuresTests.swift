@testable import Common
import Foundation
import TestSupport
import Testing

/// The images an earlier run found broken: not tried again while their file is unchanged.
@Suite(.unitTimeLimit) struct EarlierFailuresTests {
    @Test func keepsOnlyBrokenImagesWithTheirIdentity() throws {
        let folder = try TemporaryDirectory()
        let results = try folder.write("upload_results_20261207_010000.jsonl", Data("""
            {"path":"/p/a.jpg","rel":"a.jpg","size":10,"mtime":5,"status":"failed","error":"file is empty","reason":"broken image"}
            {"path":"/p/b.jpg","rel":"b.jpg","size":10,"mtime":5,"status":"failed","error":"server said no"}
            {"path":"/p/c.jpg","rel":"c.jpg","size":10,"mtime":5,"status":"uploaded"}
            {"path":"/p/d.jpg","rel":"d.jpg","size":7,"mtime":1,"status":"failed","error":"damaged","reason":"broken image, unchanged since an earlier run"}
            {"path":"/p/e.jpg","rel":"e.jpg","note":"reason":"broken image"

            """.utf8))
        let earlier = EarlierFailures(results: results)
        #expect(earlier.broken.count == 2)
        #expect(earlier.unchangedFailure(of: .init(path: "/p/a.jpg", size: 10, mtime: 5)) == "file is empty")
        #expect(earlier.unchangedFailure(of: .init(path: "/p/a.jpg", size: 10, mtime: 6)) == nil)
        #expect(earlier.unchangedFailure(of: .init(path: "/p/d.jpg", size: 7, mtime: 1)) == "damaged")
        #expect(earlier.unchangedFailure(of: .init(path: "/p/b.jpg", size: 10, mtime: 5)) == nil)
    }

    @Test func theLatestResultsAreTheNewestByStampAndSuffix() throws {
        let folder = try TemporaryDirectory()
        for name in ["upload_results_20261207_010000.jsonl", "upload_results_20261207_010000_2.jsonl", "upload_results_20261207_010000_10.jsonl",
                     "upload_results_20261206_235959_3.jsonl", "upload_failures_20261208_000000.jsonl"] {
            try folder.write(name, Data())
        }
        let current = folder.path + "/upload_results_20261207_020000.jsonl"
        try folder.write("upload_results_20261207_020000.jsonl", Data())
        #expect(EarlierFailures.latestResults(in: folder.path, besides: current) == folder.path + "/upload_results_20261207_010000_10.jsonl")
        #expect(EarlierFailures.latestResults(in: folder.path + "/none", besides: current) == nil)
    }
}
