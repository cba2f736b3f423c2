import Foundation
import Testing
@testable import Common
import TestSupport

@Suite struct ImageRecordTests {
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

    @Test func explainsBadLines() {
        #expect(throws: RecordError.notJSON) { try RecordCoding.decode(Data("not json".utf8)) }
        #expect(throws: RecordError.missingField("path")) { try RecordCoding.decode(Data(#"{"rel":"a"}"#.utf8)) }
        #expect(throws: RecordError.badField("size")) { try RecordCoding.decode(Data(#"{"path":"/a","rel":"a","size":"big"}"#.utf8)) }
    }
}

@Suite struct ContentTypeTests {
    @Test(arguments: [
        ([0xFF, 0xD8, 0xFF, 0xE1], "image/jpeg"),
        ([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "image/png"),
        (Array("GIF89a".utf8), "image/gif"),
        (Array("RIFF\u{0}\u{0}\u{0}\u{0}WEBPVP8 ".utf8), "image/webp"),
        (Array("BM6".utf8), "image/bmp"),
        ([0x49, 0x49, 0x2A, 0x00], "image/tiff"),
        ([0x4D, 0x4D, 0x00, 0x2A], "image/tiff"),
    ] as [([UInt8], String)])
    func sniffsRealFormats(head: [UInt8], type: String) {
        #expect(ContentType.sniff(head) == type)
    }

    @Test func contentWinsOverTheName() throws {
        let dir = try TemporaryDirectory()
        let png = try dir.write("really-a-png.jpg", Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0]))
        #expect(ContentType.of(path: png) == "image/png")
        let text = try dir.write("text.gif", Data("hello".utf8))
        #expect(ContentType.of(path: text) == "image/gif")
        let empty = try dir.write("empty.xyz", Data())
        #expect(ContentType.of(path: empty) == "application/octet-stream")
    }
}

@Suite struct S3ResponseParsingTests {
    @Test func readsErrorDocuments() {
        let xml = Data("""
            <?xml version="1.0" encoding="UTF-8"?>
            <Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message><RequestId>4442587FB7D0A2F9</RequestId></Error>
            """.utf8)
        let body = S3ErrorBody(xml: xml)
        #expect(body.code == "SlowDown")
        #expect(body.message == "Please reduce your request rate.")
        #expect(body.requestId == "4442587FB7D0A2F9")
        #expect(S3ErrorBody(xml: Data()).code == nil)
    }

    @Test func readsListObjectsPages() throws {
        let xml = Data("""
            <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><Prefix>p/</Prefix>
            <KeyCount>2</KeyCount><MaxKeys>2</MaxKeys><IsTruncated>true</IsTruncated>
            <Contents><Key>p/a &amp; b.jpg</Key><Size>10</Size><ETag>&quot;abc&quot;</ETag></Contents>
            <Contents><Key>p/é.png</Key><Size>20</Size><ETag>"def"</ETag></Contents>
            <NextContinuationToken>tok/en==</NextContinuationToken></ListBucketResult>
            """.utf8)
        let page = try ListPage(xml: xml)
        #expect(page.objects == [ObjectInfo(key: "p/a & b.jpg", size: 10, etag: "abc"), ObjectInfo(key: "p/é.png", size: 20, etag: "def")])
        #expect(page.isTruncated)
        #expect(page.nextContinuationToken == "tok/en==")
    }

    @Test func decodesEntitiesCDATAAndEmptyElements() throws {
        let xml = Data("""
            <?xml version="1.0" encoding="UTF-8"?>
            <!-- a comment -->
            <ListBucketResult><IsTruncated>false</IsTruncated>
            <Contents><Key>a &lt;b&gt; &apos;c&apos; &#233;&#x1F600; &unknown; &amp;amp;</Key><Size>1</Size><ETag/></Contents>
            <Contents><Key><![CDATA[x<y>&z]]></Key><Size>2</Size><ETag>"e"</ETag></Contents>
            </ListBucketResult>
            """.utf8)
        let page = try ListPage(xml: xml)
        #expect(page.objects.map(\.key) == ["a <b> 'c' \u{E9}\u{1F600} &unknown; &amp;", "x<y>&z"])
        #expect(page.objects.map(\.etag) == ["", "e"])
        #expect(!page.isTruncated && page.nextContinuationToken == nil)
    }
}

@Suite struct FileDigestTests {
    @Test func hashesInOnePass() throws {
        let dir = try TemporaryDirectory()
        let file = try dir.write("a.txt", Data("Welcome to Amazon S3.".utf8))
        let digest = try FileDigest.compute(path: file)
        #expect(digest.size == 21)
        #expect(digest.sha256.hexString == "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072")
        #expect(digest.md5.hexString == "d447d0e8f289f16a12ff6027ce77c258")
        #expect(throws: FileError.self) { try FileDigest.compute(path: dir.path + "/missing") }
    }
}

@Suite struct LineWriterTests {
    /// Many lines go out in whole-line writes of at most PIPE_BUF bytes (a longer line alone), in order. A
    /// SOCK_SEQPACKET socket keeps each write(2) as one message, so the writes themselves can be seen.
    @Test func groupsWholeLinesIntoWritesAPipeDeliversWhole() throws {
        var sockets: [Int32] = [0, 0]
        #expect(socketpair(AF_UNIX, Int32(SOCK_SEQPACKET.rawValue), 0, &sockets) == 0)
        let (reading, writing) = (sockets[0], sockets[1])
        defer { close(reading) }
        let lines = (0..<2000).map { Data(String(repeating: "x", count: $0 % 700).utf8) }
            + [Data(String(repeating: "long", count: 3000).utf8), Data("last".utf8)]
        let writer = Thread {
            LineWriter.writeLines(lines, fd: writing)
            close(writing)
        }
        writer.start()
        var messages: [Data] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let got = buffer.withUnsafeMutableBytes { recv(reading, $0.baseAddress, $0.count, 0) }
            if got <= 0 { break }
            messages.append(Data(buffer[0..<got]))
        }
        #expect(messages.reduce(Data(), +) == lines.reduce(Data()) { $0 + $1 + [10] })
        #expect(messages.allSatisfy { $0.last == 10 }, "every write ends with a whole line")
        #expect(messages.filter { $0.count > Int(PIPE_BUF) }.count == 1, "only the 12,000-byte line goes over PIPE_BUF")
        #expect(messages.count < 400, "lines are grouped: \(messages.count) writes for 2,002 lines")
    }
}
