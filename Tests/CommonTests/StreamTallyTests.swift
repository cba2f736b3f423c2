import Foundation
import TestSupport
import Testing
@testable import Common

/// The pipeline's status rule (`StreamTally`) and the markers that carry it from stage to stage.
@Suite(.unitTimeLimit) struct StreamTallyTests {
    func tally(_ lines: [String], producer: Bool = false) -> StreamTally {
        var tally = StreamTally(producer: producer)
        var failures = 0
        for (number, line) in lines.enumerated() {
            _ = RecordLine.output(for: Data(line.utf8), lineNumber: number + 1, failures: &failures, stream: &tally, report: { _ in }) { $0 }
        }
        return tally
    }

    static let begin = #"{"by":"img-scan","stream":"begin"}"#
    static func end(_ exit: Int32, error: String? = nil) -> String {
        String(decoding: StreamMarker(.end, by: "img-scan", exit: exit, records: 1, failed: 0, error: error).encoded, as: UTF8.self)
    }
    static let good = #"{"key":"k","path":"/p/a.jpg","rel":"a.jpg","thumbnail_key":"t"}"#
    static let failed = #"{"error":"broken","key":"k","path":"/p/b.jpg","rel":"b.jpg","status":"failed"}"#
    static let skipped = #"{"key":"k","path":"/p/c.jpg","rel":"c.jpg","status":"skipped"}"#

    @Test func theStatusFollowsTheRule() {
        #expect(tally([Self.begin, Self.good, Self.skipped, Self.end(0)]).outcome(own: 0).exit == 0, "all good")
        #expect(tally([Self.begin, Self.end(0)]).outcome(own: 0).exit == 0, "an empty folder: nothing to do")
        #expect(tally([Self.begin, Self.good, Self.failed, Self.end(1)]).outcome(own: 0).exit == 1, "a failed record passed on")
        #expect(tally([Self.begin, Self.good, Self.end(1)]).outcome(own: 0).exit == 1, "the stage before ended with 1")
        #expect(tally([Self.begin, Self.good, Self.end(0)]).outcome(own: 1).exit == 1, "this stage failed one")
        #expect(tally([Self.begin, Self.good, Self.end(0)]).outcome(own: 3).exit == 3, "spaces-put's server stopped answering")
        let fatal = tally([Self.begin, Self.end(2, error: "Directory not found: x")]).outcome(own: 0)
        #expect(fatal.exit == 2 && fatal.error == "img-scan: Directory not found: x")
        let cut = tally([Self.begin, Self.good]).outcome(own: 0)
        #expect(cut.exit == 2 && cut.error?.contains("killed or crashed") == true)
        let nothing = tally([]).outcome(own: 0)
        #expect(nothing.exit == 2 && nothing.error?.contains("nothing came in") == true)
        #expect(tally([""]).outcome(own: 0).exit == 2, "blank lines are nothing")
        #expect(tally([Self.begin, Self.good, Self.end(0)]).outcome(own: 2).exit == 2, "this stage's own fatal error")
        #expect(tally([], producer: true).outcome(own: 0).exit == 0, "img-scan reads nothing")
    }

    /// Records written by hand have no markers: judged by the records alone. Streams put one after the other
    /// (`(img-scan a; img-scan b) | ...`) each need their end.
    @Test func handWrittenRecordsAndConcatenatedStreams() {
        #expect(tally([Self.good]).outcome(own: 0).exit == 0)
        #expect(tally([Self.good, Self.failed]).outcome(own: 0).exit == 1)
        #expect(tally(["not json"]).outcome(own: 0).exit == 1, "a line that is not a record is a failed record")
        #expect(tally([Self.begin, Self.good, Self.end(0), Self.begin, Self.good, Self.end(0)]).outcome(own: 0).exit == 0)
        #expect(tally([Self.begin, Self.good, Self.end(0), Self.begin, Self.good]).outcome(own: 0).exit == 2)
        #expect(tally([Self.begin, Self.end(1), Self.begin, Self.end(0)]).outcome(own: 0).exit == 1, "the worst end counts")
    }

    @Test func markersAreReadNeverPassedOnAndCountsAreKept() throws {
        var tally = StreamTally()
        var failures = 0
        let out = [Self.begin, Self.good, Self.failed, Self.end(1)].enumerated().compactMap { number, line in
            RecordLine.output(for: Data(line.utf8), lineNumber: number, failures: &failures, stream: &tally, report: { _ in }) { $0 }
        }
        #expect(out.count == 2)
        let end = tally.end(by: "img-thumb", own: 0)
        #expect(end == StreamMarker(.end, by: "img-thumb", exit: 1, records: 2, failed: 1))
        #expect(String(decoding: end.encoded, as: UTF8.self) == #"{"by":"img-thumb","exit":1,"failed":1,"records":2,"stream":"end"}"#)
        #expect(StreamMarker.decode(end.encoded) == end)
        #expect(StreamMarker.decode(Data(Self.good.utf8)) == nil && StreamMarker.decode(Data(#"{"stream":"end","by":"x"}"#.utf8)) == nil,
                "a record, and an end without its status, are not markers")
    }

    /// What a prune needs: input known to be whole (`StreamTally.incompleteInput`).
    @Test func aPruneKnowsWhenItsInputIsIncomplete() {
        #expect(tally([Self.begin, Self.good, Self.end(0)]).incompleteInput == nil)
        #expect(tally([Self.good]).incompleteInput == nil, "records by hand are taken as whole")
        #expect(tally([Self.begin, Self.good]).incompleteInput?.contains("killed or crashed") == true)
        #expect(tally([Self.begin, Self.end(2, error: "Directory not found: x")]).incompleteInput == "img-scan: Directory not found: x")
        #expect(tally([]).incompleteInput == nil, "an empty scan is PruneGuard's to refuse, with its own reason")
        #expect(tally([Self.begin, Self.failed, Self.end(1)]).incompleteInput == nil, "a failed image is no cut")
    }

    /// URLs of an earlier run are never passed on as this run's.
    @Test func unsignedRecordsLoseEveryPresignedURL() {
        var record = ImageRecord(path: "/p/a.jpg", rel: "a.jpg", key: "k", thumbnailKey: "t")
        var extra = ImageRecord.ExtraThumbnail(key: "x", spec: "400x600")
        extra.presignedUrl = "old"
        record.extraThumbnails = [extra]
        record.presignedUrl = "old"
        record.presignedThumbnailUrl = "old"
        record.presignedExpires = "2020-01-01T00:00:00Z"
        let plain = Presign.unsigned(record)
        #expect(plain.presignedUrl == nil && plain.presignedThumbnailUrl == nil && plain.presignedExpires == nil)
        #expect(plain.extraThumbnails?.first?.presignedUrl == nil && plain.extraThumbnails?.first?.key == "x")
    }

}
