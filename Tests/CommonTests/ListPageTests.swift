import Foundation
import Testing
@testable import Common

/// ListObjectsV2 answers asked with `encoding-type=url`, as SeaweedFS and moto send them (captured from both):
/// XML 1.0 cannot carry `\x01`, `\x1B` or U+FFFE, so keys come percent-encoded and are decoded to their exact bytes.
@Suite struct ListPageTests {
    /// SeaweedFS's answer: a space as `+` (form encoding, as S3 itself does), the Prefix not encoded, and the
    /// continuation token the raw last key, with what XML cannot carry replaced by U+FFFD.
    static let seaweedfs = """
        <?xml version="1.0" encoding="UTF-8"?>
        <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><Prefix>p/</Prefix><MaxKeys>1000</MaxKeys>\
        <IsTruncated>true</IsTruncated>\
        <Contents><Key>p/Jose%CC%81.jpg</Key><ETag>&#34;9dd4e461268c8034f5c8564e155c67a6&#34;</ETag><Size>1</Size></Contents>\
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

/// The page loop every listing uses, against a pretend server, so that what real servers do only sometimes can be
/// tried every time: a truncated page without a continuation token (Spaces, asked for url encoding), a token made
/// of the last key with U+FFFD for what XML cannot carry (SeaweedFS), a server that does not move on.
@Suite struct ListPagingTests {
    /// A folder's keys in S3's byte order, served `pageSize` at a time.
    struct PretendServer {
        enum Token { case none, lastKeyAsXMLShowsIt, opaque }

        var keys: [String]
        var pageSize = 2
        var token = Token.opaque
        private(set) var requests = 0

        init(_ keys: [String], pageSize: Int = 2, token: Token) {
            self.keys = keys.sorted { ExactKey($0) < ExactKey($1) }
            self.pageSize = pageSize
            self.token = token
        }

        /// What XML 1.0 makes of a key: each character it cannot carry becomes U+FFFD.
        static func asXMLShowsIt(_ key: String) -> String {
            String(String.UnicodeScalarView(key.unicodeScalars.map { $0.value < 0x20 || $0.value == 0xFFFE ? "\u{FFFD}" : $0 }))
        }

        mutating func page(_ continuation: ListPage.Continuation?) throws(S3Error) -> ListPage {
            requests += 1
            guard requests < 50 else { throw .integrity("the listing does not end") }
            let after: String?
            switch continuation {
            case .startAfter(let key): after = key
            case .token(let token) where token.hasPrefix("opaque:"): after = String(token.dropFirst(7))
            case .token(let token): after = token  // SeaweedFS's token is a key
            case nil: after = nil
            }
            let rest = keys.filter { key in after.map { ExactKey($0) < ExactKey(key) } ?? true }
            let served = Array(rest.prefix(pageSize))
            let truncated = rest.count > served.count
            var next: String?
            if truncated, let last = served.last {
                switch token {
                case .none: next = nil
                case .lastKeyAsXMLShowsIt: next = Self.asXMLShowsIt(last)
                case .opaque: next = "opaque:" + last
                }
            }
            return ListPage(objects: served.map { ObjectInfo(key: $0, size: 1, etag: "e") }, isTruncated: truncated,
                            nextContinuationToken: next)
        }

        mutating func listAll(from first: ListPage.Continuation? = nil) throws(S3Error) -> [[UInt8]] {
            let pages = try ListPage.follow(from: first, fetch: { continuation throws(S3Error) in try page(continuation) },
                                            keepGoing: { _ in true })
            return pages.flatMap(\.objects).map { Array($0.key.utf8) }
        }
    }

    static let keys = ["k/c\u{01}.jpg", "k/c\u{1B}d.jpg", "k/cat.jpg", "k/cz.jpg", "k/e\u{FFFE}f.jpg", "k/Jos\u{E9}.jpg",
                       "k/Jose\u{301}.jpg", "k/sp ace+plus%.jpg", "k/z.jpg"]
    static var expected: [[UInt8]] { keys.sorted { ExactKey($0) < ExactKey($1) }.map { Array($0.utf8) } }

    @Test(arguments: [1, 2, 4])
    func aTruncatedPageWithoutAContinuationTokenIsFollowedFromItsLastKey(pageSize: Int) throws {
        var server = PretendServer(Self.keys, pageSize: pageSize, token: .none)
        #expect(try server.listAll() == Self.expected)
        #expect(server.requests == (Self.keys.count + pageSize - 1) / pageSize)
    }

    /// SeaweedFS makes its token of the last key as XML shows it: following it would skip keys, or ask for
    /// the same page for ever.
    @Test(arguments: [1, 2, 3])
    func aTokenMadeOfAnAlteredKeyIsNotFollowed(pageSize: Int) throws {
        var server = PretendServer(Self.keys, pageSize: pageSize, token: .lastKeyAsXMLShowsIt)
        #expect(try server.listAll() == Self.expected)
    }

    @Test func aListingStartsAfterTheKeyItIsGiven() throws {
        var server = PretendServer(Self.keys, token: .opaque)
        let from = "k/c\u{1B}d.jpg"
        #expect(try server.listAll(from: .startAfter(from)) == Self.expected.filter { Array(from.utf8).lexicographicallyPrecedes($0) })
    }

    /// From a server that ignored `encoding-type=url`, a last key holding U+FFFD may stand for another key:
    /// the token is the only way on from such a page; from any other, the last key.
    @Test func aPageEndingOnAKeyThatMayBeAlteredGoesOnByItsToken() throws {
        let altered = ListPage(objects: [ObjectInfo(key: "k/c\u{FFFD}.jpg", size: 1, etag: "e")], isTruncated: true,
                               nextContinuationToken: "t", keysWereURLEncoded: false)
        #expect(try altered.continuation() == .token("t"))
        let plain = ListPage(objects: [ObjectInfo(key: "k/cat.jpg", size: 1, etag: "e")], isTruncated: true,
                             nextContinuationToken: "t", keysWereURLEncoded: false)
        #expect(try plain.continuation() == .startAfter("k/cat.jpg"))
        #expect(try ListPage(objects: plain.objects, isTruncated: false, nextContinuationToken: "t").continuation() == nil)
    }

    /// A server that answers every request with the same page would otherwise be listed for ever.
    @Test func aServerThatDoesNotMoveOnIsAnError() {
        var requests = 0
        #expect(throws: S3Error.self) {
            _ = try ListPage.follow(from: nil, fetch: { _ throws(S3Error) in
                requests += 1
                return ListPage(objects: [ObjectInfo(key: "k/a.jpg", size: 1, etag: "e")], isTruncated: true, nextContinuationToken: "t")
            }, keepGoing: { _ in true })
        }
        #expect(requests == 2)
    }

    /// A truncated page that holds no key and no token gives nothing to go on from: an error, not a listing
    /// silently cut short, nor one that never ends.
    @Test func aTruncatedEmptyPageWithoutATokenIsAnError() {
        #expect(throws: S3Error.self) {
            _ = try ListPage.follow(from: nil, fetch: { _ throws(S3Error) in ListPage(objects: [], isTruncated: true) }, keepGoing: { _ in true })
        }
    }
}
