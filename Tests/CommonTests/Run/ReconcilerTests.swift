@testable import Common
import Foundation
import TestSupport
import Testing

/// Every image to upload ends with a result line: the records of batches that got none fail, saying why.
@Suite(.unitTimeLimit) struct ReconcilerTests {
    func record(_ name: String) -> String { #"{"path":"/p/\#(name)","rel":"\#(name)","key":"avatar/original/\#(name)"}"# }

    func missing(_ reconciler: Reconciler, fallback: String, forced: String?, expected: Int, answered: Int, hosts: Bool = false) -> [Data] {
        var all: [Data] = []
        reconciler.reconcile(fallback: fallback, forced: forced, expected: expected, answered: answered, hosts: hosts) { lines in
            all += lines
            return true
        }
        return all
    }

    func work() throws -> TemporaryDirectory {
        let folder = try TemporaryDirectory()
        for sub in ["batches", "unstarted", "lanes/1.1", "lanes/2.1", "died"] {
            try FileManager.default.createDirectory(atPath: folder.path + "/" + sub, withIntermediateDirectories: true)
        }
        return folder
    }

    @Test func recordsWithoutAnAnswerFailWithTheirBatchsReason() throws {
        let folder = try work()
        try folder.write("lanes/1.1/batch.000000", Data((record("a.jpg") + "\n" + record("b.jpg") + "\n").utf8))
        try folder.write("lanes/2.1/batch.000001", Data((record("c.jpg") + "\n").utf8))
        try folder.write("unstarted/batch.000002", Data((record("d.jpg") + "\n").utf8))
        try folder.write("died/1.1", Data("img-thumb was killed by signal 9 (KILL)\n".utf8))
        let results = try folder.write("results.jsonl", Data((#"{"path":"/p/a.jpg","key":"avatar/original/a.jpg","status":"uploaded"}"# + "\n").utf8))
        let lines = missing(Reconciler(work: folder.path, results: results),
                            fallback: "not attempted: a fatal error stopped the upload", forced: nil, expected: 4, answered: 1)
        let records = try lines.map { try RecordCoding.decode($0) }
        #expect(records.map(\.rel) == ["d.jpg", "b.jpg", "c.jpg"])
        #expect(records.allSatisfy { $0.status == .failed })
        #expect(records[0].error == "not attempted: a fatal error stopped the upload")
        #expect(records[1].error == "not uploaded: img-thumb was killed by signal 9 (KILL)")
        #expect(records[2].error == "not attempted: a fatal error stopped the upload")
    }

    @Test func nothingIsReadWhenEveryRecordWasAnswered() throws {
        let folder = try work()
        try folder.write("lanes/1.1/batch.000000", Data((record("a.jpg") + "\n").utf8))
        let results = try folder.write("results.jsonl", Data())
        #expect(missing(Reconciler(work: folder.path, results: results), fallback: "x", forced: nil, expected: 1, answered: 1).isEmpty)
        let forced = missing(Reconciler(work: folder.path, results: results), fallback: "x", forced: "interrupted", expected: 1, answered: 1)
        #expect(try forced.map { try RecordCoding.decode($0).error } == ["interrupted"])
    }

    @Test func aHostsBatchGivesItsOwnReason() throws {
        let folder = try work()
        try folder.write("batches/batch.000000", Data((record("a.jpg") + "\n").utf8))
        try folder.write("died/batch.000000", Data("on h1: the ssh connection failed or was lost (ssh exit 255)\n".utf8))
        let results = try folder.write("results.jsonl", Data())
        let lines = missing(Reconciler(work: folder.path, results: results), fallback: "x", forced: nil, expected: 1, answered: 0, hosts: true)
        #expect(try lines.map { try RecordCoding.decode($0).error } == ["not uploaded: on h1: the ssh connection failed or was lost (ssh exit 255)"])
    }

    /// Batches never taken need no look at the results, except with --hosts, where parallel ran them in place.
    @Test func unstartedBatchesAreFailedWholeUnlessHostsRanThem() throws {
        let folder = try work()
        try folder.write("unstarted/batch.000000", Data((record("a.jpg") + "\n").utf8))
        let results = try folder.write("results.jsonl", Data((#"{"path":"/p/a.jpg","key":"avatar/original/a.jpg","status":"uploaded"}"# + "\n").utf8))
        let reconciler = Reconciler(work: folder.path, results: results)
        #expect(missing(reconciler, fallback: "x", forced: "stopped", expected: 1, answered: 1).count == 1)
        #expect(missing(reconciler, fallback: "x", forced: "stopped", expected: 1, answered: 1, hosts: true).isEmpty)
    }
}
