import Foundation
import TestSupport
import Testing
@testable import Common

/// ListObjectsV2 answers asked with `encoding-type=url`, as SeaweedFS and moto send them (captured from both):
/// XML 1.0 cannot carry `\x01`, `\x1B` or U+FFFE, so keys come percent-encoded and are decoded to their exact bytes.
@Suite(.unitTimeLimit) struct ListPageTests {
    /// SeaweedFS's answer: a space as `+` (form encoding, as S3 itself does), the Prefix not encoded, and the
    /// continuation token the raw last key, with what XML cannot carry replaced by U+FFFD.
    static let seaweedfs = """
        <?xml version="1.0" encoding="UTF-8"?>
        <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><Prefix>p/</Prefix><MaxKeys>1000</MaxKeys>\
        <IsTruncated>true</IsTruncated>\
        <Contents><Key>p/Jose%CC%81.jpg</Key><LastModified>2026-12-07T10:00:00.123Z</LastModified><ETag>&#34;9dd4e461268c8034f5c8564e155c67a6&#34;</ETag><Size>1</Size></Contents>\
        <Contents><Key>p/Jos%C3%A9.jpg</Key><ETag>&#34;9dd4e461268c8034f5c8564e155c67a6&#34;</ETag><Size>2</Size></Contents>\
        <Contents><Key>p/a%01b.jpg</Key><ETag>&#34;e&#34;</ETag><Size>3</Size></Contents>\
        <Contents><Key>p/amp%26lt.jpg</Key><ETag>&#34;e&#34;</ETag><Size>4</Size></Contents>\
        <Contents><Key>p/c%1Bd.jpg</Key><ETag>&#34;e&#34;</ETag><Size>5</Size></Contents>\
        <Contents><Key>p/e%EF%BF%BEf.jpg</Key><ETag>&#34;e&#34;</ETag><Size>6</Size></Contents>\
        <Contents><Key>p/sp+ace%2Bplus%25.jpg</Key><ETag>&#34;e&#34;</ETag><Size>7</Size></Contents>\
        <NextContinuationToken>p/sp ace+plus%.jpg</NextContinuationToken><EncodingType>url</EncodingType><KeyCount>7</KeyCount>\
        </ListBucketResult>
        """

    static let decodedKeys = ["p/Jose\u{301}.jpg", "p/Jos\u{E9}.jpg", "p/a\u{01}b.jpg", "p/amp&lt.jpg", "p/c\u{1B}d.jpg",
                              "p/e\u{FFFE}f.jpg", "p/sp ace+plus%.jpg"]

    @Test func urlEncodedKeysAreDecodedToTheirExactBytes() throws {
        let page = try ListPage(xml: Data(Self.seaweedfs.utf8))
        #expect(page.objects.map { Array($0.key.utf8) } == Self.decodedKeys.map { Array($0.utf8) })
        #expect(page.objects.map(\.size) == [1, 2, 3, 4, 5, 6, 7])
        #expect(page.objects.first?.etag == "9dd4e461268c8034f5c8564e155c67a6")
        #expect(page.objects.first?.lastModified == "2026-12-07T10:00:00.123Z" && page.objects.last?.lastModified == nil)
        #expect(page.isTruncated)
    }

    /// moto encodes a space as `%20` and puts EncodingType before the token.
    @Test func motosPercentEncodedSpacesAreDecodedToo() throws {
        let xml = """
            <?xml version="1.0" encoding="utf-8"?>
            <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><IsTruncated>false</IsTruncated>\
            <Contents><Key>p/sp%20ace%2Bplus%25.jpg</Key><ETag>"e"</ETag><Size>1</Size></Contents>\
            <Contents><Key>p/a%01b.jpg</Key><ETag>"e"</ETag><Size>1</Size></Contents>\
            <Name>b</Name><Prefix>p/</Prefix><MaxKeys>1000</MaxKeys><EncodingType>url</EncodingType><KeyCount>2</KeyCount>\
            </ListBucketResult>
            """
        let page = try ListPage(xml: Data(xml.utf8))
        #expect(page.objects.map { Array($0.key.utf8) } == ["p/sp ace+plus%.jpg", "p/a\u{01}b.jpg"].map { Array($0.utf8) })
        #expect(!page.isTruncated)
    }

    /// A server that ignores `encoding-type` answers without `<EncodingType>`: its keys are taken as they are.
    @Test func keysOfAnAnswerThatIsNotURLEncodedAreTakenAsTheyAre() throws {
        let xml = """
            <ListBucketResult><IsTruncated>false</IsTruncated>\
            <Contents><Key>p/a+b%25.jpg</Key><ETag>"e"</ETag><Size>1</Size></Contents></ListBucketResult>
            """
        let page = try ListPage(xml: Data(xml.utf8))
        #expect(page.objects.map(\.key) == ["p/a+b%25.jpg"])
    }

    /// A key that is not valid URL encoding (or not UTF-8 once decoded) cannot be told apart from another:
    /// the page is refused rather than read as some other key.
    @Test(arguments: ["p/a%2.jpg", "p/a%zz.jpg", "p/%FF.jpg"])
    func aKeyThatDoesNotDecodeRefusesThePage(_ key: String) {
        let xml = """
            <ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>\(key)</Key><Size>1</Size></Contents>\
            <EncodingType>url</EncodingType></ListBucketResult>
            """
        #expect(throws: S3Error.self) { try ListPage(xml: Data(xml.utf8)) }
    }
}
