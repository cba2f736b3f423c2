import Foundation
import Testing
@testable import Common
import TestSupport

@Suite(.unitTimeLimit) struct RecordScannerTests {
    /// What JSONDecoder makes of a line, as the bytes the record encodes to (`==` on strings would take an NFD
    /// text for its NFC twin).
    func decoded(_ line: [UInt8]) -> Data? {
        (try? JSONDecoder().decode(ImageRecord.self, from: Data(line))).map(RecordCoding.encode)
    }

    func scanned(_ line: [UInt8]) -> Data? {
        RecordScanner.record(in: Data(line)).map(RecordCoding.encode)
    }

    static let texts = ["plain", "a/b c", "quote \" back \\ slash", "line\nbreak\r\ttab", "\u{1}\u{8}\u{c}\u{1f}\u{7f}",
                        "caf\u{e9} cafe\u{301} \u{6f22}\u{5b57} \u{1F600}", "", "\\xE9", "</script>", "\u{FFFE}\u{1B}[31m"]

    static func records() -> [ImageRecord] {
        texts.enumerated().flatMap { index, text in
            var plain = ImageRecord(path: "/p/" + text, rel: text, size: Int64(index) - 3, mtime: 1_795_000_000,
                                    key: "avatar/original/" + text, thumbnailKey: "avatar/thumbnail/" + text)
            var full = plain
            full.status = [ImageRecord.Status.uploaded, .failed, .skipped][index % 3]
            (full.error, full.reason, full.contentType, full.etag) = (text, text, "image/jpeg", "abc")
            (full.url, full.thumbnailEtag, full.thumbnailUrl, full.thumbnailPath) = (text, "def", text, "/tmp/" + text)
            (full.thumbnailSize, full.thumbnailSource, full.fromBucket, full.download) = (Int64.max, "2049:77:1", index % 2 == 0, text)
            (full.presignedUrl, full.presignedThumbnailUrl, full.presignedExpires) = (text, text, "2026-12-07T10:00:00Z")
            full.thumbnailSpec = "400x600.webp:60"
            var extra = ImageRecord.ExtraThumbnail(key: "avatar/thumbnail-400x600/" + text, spec: "400x600")
            (extra.path, extra.size, extra.etag, extra.url, extra.presignedUrl) = ("/tmp/" + text, Int64.min, "e", text, text)
            full.extraThumbnails = [extra, ImageRecord.ExtraThumbnail(key: text, spec: "200x300.webp")]
            plain.extraThumbnails = index == 0 ? [] : nil
            return [plain, full]
        }
    }

    @Test func readsEveryRecordTheEncoderWritesAsJSONDecoderDoes() {
        for record in Self.records() {
            let line = Array(RecordCoding.encode(record))
            #expect(scanned(line) != nil, "\(String(decoding: line, as: UTF8.self))")
            #expect(scanned(line) == decoded(line), "\(String(decoding: line, as: UTF8.self))")
        }
    }

    @Test func readsWhitespaceEscapesAndAnyOrderAsJSONDecoderDoes() {
        let lines = [
            #"  { "rel" : "a\/b\u00e9\u6F22\"\\\b\f\n\r\t\u0000" ,"path":"x", "size" : 0 , "mtime":-12 }  "#,
            #"{"path":"/a","rel":"a","from_bucket":false,"extra_thumbnails":[ { "spec":"s" , "key":"k" } ]}"#,
            "{\"path\":\"/a\",\"rel\":\"a\",\"size\":9223372036854775807}\r\n",
        ]
        for line in lines {
            #expect(scanned(Array(line.utf8)) != nil, "\(line)")
            #expect(scanned(Array(line.utf8)) == decoded(Array(line.utf8)), "\(line)")
        }
    }

    /// What it does not take is left to JSONDecoder: a valid record of another shape, or no record at all.
    @Test func leavesEverythingElseToJSONDecoder() {
        let lines = [
            #"{"path":"/a","rel":"a","user_id":42}"#, #"{"path":"/a","rel":"a","size":null}"#,
            #"{"path":"/a","rel":"a","size":1.0}"#, #"{"path":"/a","rel":"a","size":1e3}"#, #"{"path":"/a","rel":"a","size":01}"#,
            #"{"path":"/a","rel":"a","size":-0}"#, #"{"path":"/a","rel":"a","size":9223372036854775808}"#,
            #"{"path":"/a","rel":"a","rel":"b"}"#, #"{"p\u0061th":"/a","rel":"a"}"#, #"{"path":"\ud83d\ude00","rel":"a"}"#,
            #"{"path":"/a","rel":"a"} x"#, #"{"path":"/a","rel":"a","status":"done"}"#, #"{"rel":"a"}"#, "{\"path\":\"\t\",\"rel\":\"a\"}",
            #"{"path":"/a","rel":"a","extra_thumbnails":[{"key":"k"}]}"#, #"{"path":"/a","rel":"a","extra_thumbnails":[{"key":"k","spec":"s","w":1}]}"#,
            #"{"path":"/a","rel":"a","from_bucket":truex}"#, #"{"path":"/a","rel":"a",}"#, "", "not json", "[1]", #"{"stream":"begin"}"#,
        ]
        for line in lines {
            #expect(scanned(Array(line.utf8)) == nil, "\(line)")
        }
        #expect(scanned([UInt8](#"{"path":"/"#.utf8) + [0xFF] + Array(#"","rel":"a"}"#.utf8)) == nil, "not UTF-8")
    }

    /// Lines cut, doubled and changed a byte at a time: whatever the scanner reads, JSONDecoder reads the same.
    @Test func neverReadsALineOtherwiseThanJSONDecoder() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array(#"{}[]",:\ 0123456789-.eEtruefalsnul/"#.utf8) + [0x00, 0x0A, 0xC3, 0xA9, 0xFF]
        var read = 0
        for record in Self.records() {
            let line = Array(RecordCoding.encode(record))
            for _ in 0..<300 {
                var mutated = line
                for _ in 0..<Int.random(in: 1...3, using: &generator) {
                    let at = Int.random(in: 0..<mutated.count, using: &generator)
                    switch Int.random(in: 0..<3, using: &generator) {
                    case 0: mutated.remove(at: at)
                    case 1: mutated.insert(alphabet.randomElement(using: &generator)!, at: at)
                    default: mutated[at] = alphabet.randomElement(using: &generator)!
                    }
                }
                guard let scanned = scanned(mutated) else { continue }
                read += 1
                #expect(scanned == decoded(mutated), "\(String(decoding: mutated, as: UTF8.self))")
            }
        }
        #expect(read > 100, "the mutations left too few records to compare")
    }
}
