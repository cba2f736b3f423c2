import Foundation
import Testing
@testable import Common
import TestSupport

@Suite(.unitTimeLimit) struct S3ResponseParsingTests {
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
