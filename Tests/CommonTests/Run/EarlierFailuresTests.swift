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

    /// A broken image among the lines of a large results file, past its first MiB, its line the last and
    /// without a newline; the mark is found where it begins or ends a line, and a near miss is not it.
    @Test func aBrokenImageIsFoundAmongManyLines() throws {
        let folder = try TemporaryDirectory()
        let uploaded = (0..<20_000).map { #"{"path":"/p/\#($0).jpg","size":1,"mtime":1,"status":"uploaded","reason":"broken imag"}"# + "\n" }
        let broken = #"{"path":"/p/x.jpg","size":3,"mtime":4,"status":"failed","error":"bad","reason":"broken image"}"#
        let results = try folder.write("upload_results_20261207_020000.jsonl", Data((uploaded.joined() + broken).utf8))
        let earlier = EarlierFailures(results: results)
        #expect(earlier.broken.count == 1 && earlier.unchangedFailure(of: .init(path: "/p/x.jpg", size: 3, mtime: 4)) == "bad")
        #expect(EarlierFailures.mentionsBroken(Data(#""reason":"broken image"#.utf8)))
        #expect(EarlierFailures.mentionsBroken(Data(#"xx"reason":"broken image"#.utf8)))
        #expect(!EarlierFailures.mentionsBroken(Data(#""reason":"broken imag"#.utf8)))
        #expect(!EarlierFailures.mentionsBroken(Data(#""reason": "broken image""#.utf8)))
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
