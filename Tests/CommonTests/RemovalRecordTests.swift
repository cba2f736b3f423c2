import Foundation
import TestSupport
import Testing
@testable import Common

@Suite(.unitTimeLimit) struct RemovalRecordTests {
    @Test func recordsRoundTripWithSortedKeys() throws {
        var record = RemovalRecord(key: "avatar/original/a/b.jpg", kind: .original, rel: "a/b.jpg", size: 12)
        #expect(String(decoding: record.encoded(), as: UTF8.self)
            == #"{"action":"delete","key":"avatar/original/a/b.jpg","kind":"original","rel":"a/b.jpg","size":12}"#)
        record.status = .failed
        record.error = "AccessDenied"
        #expect(try RemovalRecord.decode(record.encoded()) == record)
    }

    @Test func anImageRecordIsNotADeletionRecord() {
        let image = Data(#"{"key":"avatar/original/a.jpg","path":"/p/a.jpg","rel":"a.jpg"}"#.utf8)
        #expect(throws: RecordError.missingField("action")) { try RemovalRecord.decode(image) }
        #expect(throws: RecordError.badField("action")) { try RemovalRecord.decode(Data(#"{"action":"keep","key":"k"}"#.utf8)) }
        #expect(throws: RecordError.missingField("key")) { try RemovalRecord.decode(Data(#"{"action":"delete"}"#.utf8)) }
        #expect(throws: RecordError.notJSON) { try RemovalRecord.decode(Data("nope".utf8)) }
        #expect(String(decoding: RemovalRecord.failedLine("input line 2: x"), as: UTF8.self)
            == #"{"action":"delete","error":"input line 2: x","status":"failed"}"#)
    }
}
