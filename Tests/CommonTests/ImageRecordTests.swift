import Foundation
import Testing
@testable import Common
import TestSupport

@Suite(.unitTimeLimit) struct ImageRecordTests {
    @Test func encodesSnakeCaseKeysInStableOrderWithoutEscapingSlashes() {
        var record = ImageRecord(path: "/p/a b.jpg", rel: "a b.jpg", size: 3, mtime: 7, key: "avatar/original/a b.jpg",
                                 thumbnailKey: "avatar/thumbnail/a b.jpg")
        record.thumbnailPath = "/tmp/t.jpg"
        let line = String(decoding: RecordCoding.encode(record), as: UTF8.self)
        #expect(line == #"{"key":"avatar/original/a b.jpg","mtime":7,"path":"/p/a b.jpg","rel":"a b.jpg","size":3,"thumbnail_key":"avatar/thumbnail/a b.jpg","thumbnail_path":"/tmp/t.jpg"}"#)
        #expect(!line.contains("\n"))
    }

    /// The hand-written encoder writes exactly what JSONEncoder (sorted keys, slashes as they are) writes.
    @Test func encodesTheSameBytesAsJSONEncoder() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let awkward = ["plain", "a/b c", "quote \" back \\ slash", "line\nbreak\r\ttab", "\u{1}\u{8}\u{c}\u{1f}\u{7f}",
                       "caf\u{e9} \u{6f22}\u{5b57} \u{1F600}", "", "\\xE9", "</script>"]
        for (index, text) in awkward.enumerated() {
            var record = ImageRecord(path: "/p/" + text, rel: text, size: Int64(index) - 3, mtime: 1_795_000_000,
                                     key: "avatar/original/" + text, thumbnailKey: "avatar/thumbnail/" + text)
            #expect(RecordCoding.encode(record) == (try encoder.encode(record)), "\(text)")
            record.thumbnailPath = "/tmp/" + text
            record.thumbnailSize = 12
            record.status = [ImageRecord.Status.uploaded, .failed, .skipped][index % 3]
            record.error = text
            record.reason = text
            record.contentType = "image/jpeg"
            record.etag = "abc"
            record.url = "https://b.nyc3.digitaloceanspaces.com/" + text
            record.thumbnailEtag = "def"
            record.thumbnailUrl = text
            record.thumbnailSource = "2049:77:\(index):1795000000123456789"
            #expect(RecordCoding.encode(record) == (try encoder.encode(record)), "\(text)")
            record.fromBucket = index % 2 == 0
            record.download = "/tmp/spaces-get/" + text
            #expect(RecordCoding.encode(record) == (try encoder.encode(record)), "\(text)")
            record.thumbnailSpec = "400x600.webp:60"
            var extra = ImageRecord.ExtraThumbnail(key: "avatar/thumbnail-400x600/" + text, spec: "400x600")
            #expect(RecordCoding.encode(record) == (try encoder.encode(record)), "\(text)")
            record.extraThumbnails = [extra]
            #expect(RecordCoding.encode(record) == (try encoder.encode(record)), "\(text)")
            extra.path = "/tmp/" + text
            extra.size = 99
            extra.etag = "e"
            extra.url = text
            record.extraThumbnails = [extra, ImageRecord.ExtraThumbnail(key: text, spec: "200x300.webp")]
            #expect(RecordCoding.encode(record) == (try encoder.encode(record)), "\(text)")
            #expect(try RecordCoding.decode(RecordCoding.encode(record)) == record)
        }
    }

    @Test func roundTrips() throws {
        var record = ImageRecord(path: "/p/x.jpg", rel: "x.jpg", size: 1, mtime: 2, key: "k", thumbnailKey: "t")
        record.status = .uploaded
        record.etag = "abc"
        #expect(try RecordCoding.decode(RecordCoding.encode(record)) == record)
    }

    /// Fields a user joined in pass through every stage unchanged: their value's bytes as written, at their
    /// place in key order.
    @Test func unknownFieldsSurviveInTheirPlace() throws {
        let line = #"{"path":"/p/a.jpg","rel":"a.jpg","key":"k","user_id":42,"album":{"name":"Sommer \u00e9t\u00e9","tags":["a","}"]},"thumbnail_key":"t","z":null,"Big":1.50}"#
        var record = try RecordCoding.decode(Data(line.utf8))
        #expect(record.otherFields.map(\.name) == ["user_id", "album", "z", "Big"])
        record.status = .uploaded
        record.etag = "e"
        let out = String(decoding: RecordCoding.encode(record), as: UTF8.self)
        #expect(out == #"{"Big":1.50,"album":{"name":"Sommer \u00e9t\u00e9","tags":["a","}"]},"etag":"e","key":"k","path":"/p/a.jpg","rel":"a.jpg","status":"uploaded","thumbnail_key":"t","user_id":42,"z":null}"#)
        // Valid JSON, and a second pass changes nothing.
        _ = try JSONSerialization.jsonObject(with: Data(out.utf8))
        #expect(RecordCoding.encode(try RecordCoding.decode(Data(out.utf8))) == Data(out.utf8))
        // Without other fields, the bytes are JSONEncoder's as before.
        #expect(try RecordCoding.decode(Data(#"{"path":"/a","rel":"a"}"#.utf8)).otherFields.isEmpty)
    }

    @Test func objectMembersAreSplitWithTheirValuesAsWritten() {
        let text = #" { "a" : "x\"}" , "b":[1,{"c":"]"}] ,"e\u0301":true,"n":-1.5e3 } "#
        let members = JSONObjectFields.members(of: Array(text.utf8))
        #expect(members?.map(\.name) == ["a", "b", "e\u{301}", "n"])
        #expect(members?.map { String(decoding: $0.value, as: UTF8.self) } == [#""x\"}""#, #"[1,{"c":"]"}]"#, "true", "-1.5e3"])
        #expect(JSONObjectFields.members(of: Array("[1,2]".utf8)) == nil)
        #expect(JSONObjectFields.members(of: Array(#"{"a":"#.utf8)) == nil)
    }

    /// One top-level string member, read without decoding the line: never one nested or inside a string.
    @Test func oneTopLevelStringIsReadByName() {
        let text = #"{"extra":{"status":"nested"},"note":"\"status\":\"x\"","st\u0061tus":"sk\u0069pped","z":1}"#
        #expect(JSONObjectFields.string(named: "status", in: Array(text.utf8)) == "skipped")
        #expect(JSONObjectFields.string(named: "note", in: Array(text.utf8)) == #""status":"x""#)
        #expect(JSONObjectFields.string(named: "status", in: Array(#"{"extra":{"status":"nested"}}"#.utf8)) == nil)
        // The same over bytes in place, a name written with an escape too.
        Array(#"{"a":1,"st\u0061tus":"failed"}"#.utf8).withUnsafeBufferPointer {
            #expect(JSONObjectFields.string(named: "status", in: $0) == "failed")
        }
        #expect(JSONObjectFields.string(named: "z", in: Array(text.utf8)) == nil, "not a string")
        #expect(JSONObjectFields.string(named: "status", in: Array(#" { "status" : "failed" } "#.utf8)) == "failed")
        #expect(JSONObjectFields.string(named: "status", in: Array("[1]".utf8)) == nil)
    }

    @Test func explainsBadLines() {
        #expect(throws: RecordError.notJSON) { try RecordCoding.decode(Data("not json".utf8)) }
        #expect(throws: RecordError.missingField("path")) { try RecordCoding.decode(Data(#"{"rel":"a"}"#.utf8)) }
        #expect(throws: RecordError.badField("size")) { try RecordCoding.decode(Data(#"{"path":"/a","rel":"a","size":"big"}"#.utf8)) }
    }
}
