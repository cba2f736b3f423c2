import Crypto
import Foundation
import TestSupport
import Testing
@testable import Common

/// The documents of a multipart upload and the ETag of the object it makes.
@Suite(.unitTimeLimit) struct MultipartUploadTests {
    @Test func theUploadIdIsReadFromCreateMultipartUploadsAnswer() throws {
        let xml = Data("""
            <?xml version="1.0" encoding="UTF-8"?>
            <InitiateMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Bucket>b</Bucket>\
            <Key>a &amp; b.tif</Key><UploadId>2~D2mLCQTVhdgbgbN2Ei70XEQyX92ZtpK</UploadId></InitiateMultipartUploadResult>
            """.utf8)
        #expect(try MultipartUpload.uploadId(fromAnswer: xml) == "2~D2mLCQTVhdgbgbN2Ei70XEQyX92ZtpK")
        #expect(throws: S3Error.self) { try MultipartUpload.uploadId(fromAnswer: Data("<Initiate><UploadId></UploadId></Initiate>".utf8)) }
    }

    @Test func theCompleteBodyNamesEveryPartInOrderWithItsQuotedETag() throws {
        let body = String(decoding: MultipartUpload.completeBody(partETags: ["0cc175b9c0f1b6a831c399e269772661", "92eb5ffee6ae2fec3ad71c777531578f"]), as: UTF8.self)
        #expect(body == #"<?xml version="1.0" encoding="UTF-8"?><CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">"#
            + #"<Part><PartNumber>1</PartNumber><ETag>"0cc175b9c0f1b6a831c399e269772661"</ETag></Part>"#
            + #"<Part><PartNumber>2</PartNumber><ETag>"92eb5ffee6ae2fec3ad71c777531578f"</ETag></Part></CompleteMultipartUpload>"#)
        // As a server reads it back.
        let fields = XMLFields.collect(Data(body.utf8), names: ["PartNumber", "ETag"])
        #expect(fields["PartNumber"] == ["1", "2"])
        #expect(fields["ETag"] == ["\"0cc175b9c0f1b6a831c399e269772661\"", "\"92eb5ffee6ae2fec3ad71c777531578f\""])
    }

    /// S3's answer (SeaweedFS quotes with &#34;, S3 with &quot;), RGW 16's empty ETag, and an error under a 200,
    /// which S3 sends after its keep-alive spaces when the assembly fails.
    @Test func completeAnswersAreReadWholeAndAnErrorUnderA200IsAnError() {
        let seaweed = Data(#"<?xml version="1.0" encoding="UTF-8"?>\#n<CompleteMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Location>http://h/b/a.tif</Location><Bucket>b</Bucket><Key>a.tif</Key><ETag>&#34;bccb8986cc6b395e4f045d410c776698-1&#34;</ETag></CompleteMultipartUploadResult>"#.utf8)
        #expect(MultipartUpload.completeAnswer(seaweed) == .completed(etag: "bccb8986cc6b395e4f045d410c776698-1"))
        let rgw = Data(#"<?xml version="1.0" encoding="UTF-8"?><CompleteMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Location>x</Location><Bucket>b</Bucket><Key>a.tif</Key><ETag></ETag></CompleteMultipartUploadResult>"#.utf8)
        #expect(MultipartUpload.completeAnswer(rgw) == .completed(etag: nil))
        let failed = Data("   \n   \n<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message><RequestId>656c76696e6727732072657175657374</RequestId></Error>".utf8)
        #expect(MultipartUpload.holdsError(failed))
        guard case .failed(let error) = MultipartUpload.completeAnswer(failed) else {
            Issue.record("an <Error> under a 200 was taken for success")
            return
        }
        #expect(error.code == "InternalError" && error.requestId == "656c76696e6727732072657175657374")
        #expect(RetryPolicy.isRetryable(.status(200, code: error.code, retryAfter: nil)), "InternalError is retried whatever the status")
        #expect(!MultipartUpload.holdsError(seaweed) && !MultipartUpload.holdsError(Data()))
        #expect(MultipartUpload.completeAnswer(Data("   ".utf8)) == .unreadable, "cut short before the document")
        #expect(MultipartUpload.completeAnswer(Data("<html>proxy error</html>".utf8)) == .unreadable)
    }

    /// The ETag of an assembled object: the MD5 of the parts' MD5s, a dash and the count. The figures were read
    /// back from SeaweedFS and Ceph's RADOS Gateway, which both compute it so.
    @Test func theObjectsETagIsTheMD5OfThePartsMD5s() {
        let parts = [Data(repeating: 0x61, count: 5 << 20), Data("tail".utf8)]
        let md5s = parts.map { Data(Insecure.MD5.hash(data: $0)) }
        var whole = Insecure.MD5()
        md5s.forEach { whole.update(data: $0) }
        #expect(MultipartUpload.etag(partMD5s: md5s) == Data(whole.finalize()).hexString + "-2")
        let one = Data(Insecure.MD5.hash(data: Data(repeating: 0x78, count: 100)))
        #expect(MultipartUpload.etag(partMD5s: [one]) == "bccb8986cc6b395e4f045d410c776698-1", "SeaweedFS's answer for 100 x 'x'")
    }

    @Test func multipartETagsAreToldFromMD5s() {
        #expect(MultipartUpload.isMultipartETag("bccb8986cc6b395e4f045d410c776698-1"))
        #expect(MultipartUpload.isMultipartETag("909902F190412915D1E376F9EAF13243-10000"))
        #expect(!MultipartUpload.isMultipartETag("bccb8986cc6b395e4f045d410c776698"))
        #expect(!MultipartUpload.isMultipartETag("bccb8986cc6b395e4f045d410c776698-"))
        #expect(!MultipartUpload.isMultipartETag("bccb8986cc6b395e4f045d410c77669-12"))
        #expect(!MultipartUpload.isMultipartETag("zccb8986cc6b395e4f045d410c776698-2"))
        #expect(!MultipartUpload.isMultipartETag("bccb8986cc6b395e4f045d410c776698-2-3"))
    }

    @Test func debugLinesNameThePartButNoQueryValue() {
        #expect(S3Client.debugLabel("PUT", key: "a.tif", query: [("partNumber", "3"), ("uploadId", "secret-ish")]) == "PUT a.tif?partNumber=3")
        #expect(S3Client.debugLabel("POST", key: "a.tif", query: [("uploads", "")]) == "POST a.tif?uploads")
        #expect(S3Client.debugLabel("POST", key: "a.tif", query: [("uploadId", "x")]) == "POST a.tif?uploadId")
        #expect(S3Client.debugLabel("PUT", key: "a.jpg", query: []) == "PUT a.jpg")
        #expect(S3Client.debugLabel("GET", key: nil, query: [("list-type", "2")]) == "GET /")
    }
}
