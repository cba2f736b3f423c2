import Foundation
import TestSupport
import Testing
@testable import Common

/// The page loop every listing uses, against a pretend server, so that what real servers do only sometimes can be
/// tried every time: a truncated page without a continuation token (Spaces, asked for url encoding), a token made
/// of the last key with U+FFFD for what XML cannot carry (SeaweedFS), a server that does not move on.
@Suite(.unitTimeLimit) struct ListPagingTests {
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
