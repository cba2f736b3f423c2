import Foundation
import TestSupport
import Testing
@testable import Common

/// ListMultipartUploads pages as S3, SeaweedFS and Ceph's RADOS Gateway write them, the ages read from them, and
/// which uploads `--abort-incomplete` takes.
@Suite(.unitTimeLimit) struct MultipartUploadListTests {
    /// RGW 16's page (copied from one): NextKeyMarker and NextUploadIdMarker, fractional seconds.
    @Test func aPageGivesEveryUploadWithItsStartAndWhereTheNextPageStarts() throws {
        let xml = Data("""
            <?xml version="1.0" encoding="UTF-8"?><ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">\
            <Bucket>b</Bucket><Prefix>avatar/</Prefix><NextKeyMarker>avatar/original/b &amp; c.tif</NextKeyMarker>\
            <NextUploadIdMarker>2~bbb</NextUploadIdMarker><MaxUploads>2</MaxUploads><IsTruncated>true</IsTruncated>\
            <Upload><Key>avatar/original/a.tif</Key><UploadId>2~aaa</UploadId><Initiator><ID>local</ID></Initiator>\
            <StorageClass>STANDARD</StorageClass><Initiated>2026-11-30T11:49:51.965Z</Initiated></Upload>\
            <Upload><Key>avatar/original/b &amp; c.tif</Key><UploadId>2~bbb</UploadId><Initiated>2026-11-29T11:49:52.000Z</Initiated></Upload>\
            </ListMultipartUploadsResult>
            """.utf8)
        let page = try MultipartUploadList(xml: xml)
        #expect(page.uploads.map(\.key) == ["avatar/original/a.tif", "avatar/original/b & c.tif"])
        #expect(page.uploads.map(\.uploadId) == ["2~aaa", "2~bbb"])
        #expect(page.uploads.map(\.initiated) == [1_796_039_391, 1_795_952_992])
        #expect(try page.next() == MultipartUploadList.Marker(key: "avatar/original/b & c.tif", uploadId: "2~bbb"))
    }

    /// SeaweedFS's truncated page has NextUploadIdMarker but no NextKeyMarker: it lists by upload id, and pages by
    /// upload-id-marker alone (its key-marker keeps only that key's uploads).
    @Test func aPageWithoutNextKeyMarkerGoesOnByUploadIdAlone() throws {
        let xml = Data("""
            <?xml version="1.0" encoding="UTF-8"?>
            <ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Bucket>b</Bucket><Delimiter></Delimiter>\
            <EncodingType></EncodingType><IsTruncated>true</IsTruncated><KeyMarker></KeyMarker><MaxUploads>1</MaxUploads>\
            <NextUploadIdMarker>e937_a039</NextUploadIdMarker><Prefix>avatar/</Prefix><Upload><Initiated>2026-11-30T11:49:53Z</Initiated>\
            <Key>avatar/original/a.tif</Key><UploadId>e937_a039</UploadId></Upload></ListMultipartUploadsResult>
            """.utf8)
        let page = try MultipartUploadList(xml: xml)
        #expect(page.uploads == [.init(key: "avatar/original/a.tif", uploadId: "e937_a039", initiated: 1_796_039_393)])
        #expect(try page.next() == MultipartUploadList.Marker(key: nil, uploadId: "e937_a039"))
    }

    @Test func theLastPageEndsTheListingAndAnEmptyCutPageIsAnError() throws {
        let last = try MultipartUploadList(xml: Data("<ListMultipartUploadsResult><IsTruncated>false</IsTruncated></ListMultipartUploadsResult>".utf8))
        #expect(last.uploads.isEmpty)
        #expect(try last.next() == nil)
        let cut = try MultipartUploadList(xml: Data("<ListMultipartUploadsResult><IsTruncated>true</IsTruncated></ListMultipartUploadsResult>".utf8))
        #expect(throws: S3Error.self) { try cut.next() }
        #expect(throws: S3Error.self) { try MultipartUploadList(xml: Data("<Error><Code>x</Code></Error>".utf8)) }
    }

    @Test func timesAreReadInBothFormsS3Uses() {
        #expect(S3Timestamp.parseISO8601("1970-01-01T00:00:00Z") == 0)
        #expect(S3Timestamp.parseISO8601("2026-11-30T11:49:51.965Z") == 1_796_039_391)
        #expect(S3Timestamp.parseISO8601("2000-02-29T23:59:59") == 951_868_799)
        #expect(S3Timestamp.parseHTTPDate("Mon, 30 Nov 2026 11:49:52 GMT") == 1_796_039_392)
        #expect(S3Timestamp.parseHTTPDate("Sun, 06 Nov 1994 08:49:37 GMT") == 784_111_777)
        for bad in ["", "2026-11-30", "2026-13-30T11:49:51Z", "2026-11-30T11:49:51+02:00", "2026-11-30T11:49:51.Z"] {
            #expect(S3Timestamp.parseISO8601(bad) == nil, "\(bad)")
        }
        #expect(S3Timestamp.parseHTTPDate("Sunday, 06-Nov-94 08:49:37 GMT") == nil)
    }

    @Test func agesAreAWholeNumberAndAUnit() {
        #expect(IncompleteUploads.parseAge("30s") == 30)
        #expect(IncompleteUploads.parseAge("90m") == 5400)
        #expect(IncompleteUploads.parseAge("24h") == 86_400)
        #expect(IncompleteUploads.parseAge("7d") == 604_800)
        #expect(IncompleteUploads.parseAge("0s") == 0)
        for bad in ["24", "h", "1.5h", "-1d", "24H", " 24h", "1w", "12345678s"] {
            #expect(IncompleteUploads.parseAge(bad) == nil, "\(bad)")
        }
    }

    /// By the server's clock; an upload whose start is unreadable is never taken.
    @Test func onlyUploadsOlderThanTheAgeAreTaken() {
        let uploads: [MultipartUploadList.Upload] = [
            .init(key: "a", uploadId: "1", initiated: 1000), .init(key: "b", uploadId: "2", initiated: 1900),
            .init(key: "c", uploadId: "3", initiated: nil), .init(key: "d", uploadId: "4", initiated: 1099),
        ]
        #expect(IncompleteUploads.older(uploads, than: 900, now: 2000).map(\.key) == ["a", "d"])
        #expect(IncompleteUploads.older(uploads, than: 902, now: 2000).map(\.key) == ["a"])
        #expect(IncompleteUploads.older(uploads, than: 0, now: 2000).map(\.key) == ["a", "b", "d"])
    }
}
