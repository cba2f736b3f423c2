import Foundation
import TestSupport
import Testing
@testable import Common

@Suite(.unitTimeLimit) struct DeleteObjectsTests {
    @Test func keysAreCutIntoRequestsOfAtMostAThousandInOrder() {
        let keys = (0..<2500).map { "k\($0)" }
        let chunks = DeleteObjects.chunks(keys)
        #expect(chunks.map(\.count) == [1000, 1000, 500])
        #expect(chunks.flatMap { $0 } == keys)
        #expect(DeleteObjects.chunks(Array(keys.prefix(1000))).map(\.count) == [1000])
        #expect(DeleteObjects.chunks(Array(keys.prefix(1001))).map(\.count) == [1000, 1])
        #expect(DeleteObjects.chunks([String]()).isEmpty)
        #expect(DeleteObjects.chunks(Array(keys.prefix(7)), size: 3).map(\.count) == [3, 3, 1])
    }

    @Test func theBodyNamesEveryKeyEscapedAndAsksForEveryAnswer() {
        let body = String(decoding: DeleteObjects.body(keys: ["a/x & y.jpg", "b/<c>.jpg", "é\t😀.png"]), as: UTF8.self)
        #expect(body == #"<?xml version="1.0" encoding="UTF-8"?><Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Quiet>false</Quiet>"#
            + "<Object><Key>a/x &amp; y.jpg</Key></Object><Object><Key>b/&lt;c&gt;.jpg</Key></Object><Object><Key>é\t😀.png</Key></Object></Delete>")
        // Read back as a server reads it: every key exact.
        let parsed = XMLFields.collect(Data(body.utf8), names: ["Key"])["Key"]
        #expect(parsed == ["a/x & y.jpg", "b/<c>.jpg", "é\t😀.png"])
    }

    @Test func contentMD5AndPayloadHashAreThoseOfTheBody() {
        let empty = DeleteObjects.digests(of: Data())
        #expect(empty.md5 == "1B2M2Y8AsgTpgAmY7PhCfg==")
        #expect(empty.sha256 == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(DeleteObjects.digests(of: Data("abc".utf8)).md5 == "kAFQmDzST7DWlj99KOF/cg==")
    }

    @Test func keysXMLCannotCarryAreDeletedOneByOne() {
        #expect(DeleteObjects.canBatch("a/b c\té.jpg"))
        #expect(!DeleteObjects.canBatch("a\u{1}.jpg"))
        #expect(!DeleteObjects.canBatch("a\r.jpg"), "an XML parser turns CR into LF")
        #expect(!DeleteObjects.canBatch("a\u{FFFE}.jpg"))
    }

    @Test func eachKeysOutcomeIsReadFromTheAnswer() {
        let xml = Data("""
            <?xml version="1.0" encoding="UTF-8"?>
            <DeleteResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
            <Deleted><Key>a &amp; b.jpg</Key><DeleteMarker>true</DeleteMarker><VersionId>1</VersionId></Deleted>
            <Error><Key>locked.jpg</Key><Code>AccessDenied</Code><Message>Access Denied</Message></Error>
            <Error><Key>quiet.jpg</Key><Code>InternalError</Code><Message></Message></Error>
            <Deleted><Key>Jose\u{301}.jpg</Key></Deleted>
            </DeleteResult>
            """.utf8)
        let keys = ["a & b.jpg", "locked.jpg", "quiet.jpg", "Jos\u{E9}.jpg", "Jose\u{301}.jpg", "unmentioned.jpg"]
        #expect(DeleteObjects.outcomes(xml: xml, keys: keys) == [
            .deleted, .failed("AccessDenied: Access Denied"), .failed("InternalError"),
            .failed("the server's answer does not say it was deleted"), .deleted,
            .failed("the server's answer does not say it was deleted"),
        ])
        #expect(DeleteObjects.outcomes(xml: Data(), keys: ["x"]) == [.failed("the server's answer does not say it was deleted")])
    }
}
