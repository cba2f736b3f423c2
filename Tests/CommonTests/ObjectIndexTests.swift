import Foundation
import TestSupport
import Testing
@testable import Common

/// What a listing tells `spaces-exists`, by exact key.
@Suite(.unitTimeLimit) struct ObjectIndexTests {
    func page(_ keys: [String], urlEncoded: Bool = true) -> ListPage {
        ListPage(objects: keys.map { ObjectInfo(key: $0, size: 1, etag: "e") }, isTruncated: false, keysWereURLEncoded: urlEncoded)
    }

    /// An NFD key must not find the object of its NFC twin: the listing is indexed by bytes.
    @Test func theIndexFindsOnlyTheExactKey() {
        let index = ObjectIndex(pages: [page(["a/Jos\u{E9}.jpg"])])
        #expect(index["a/Jos\u{E9}.jpg"]?.etag == "e")
        #expect(index["a/Jose\u{301}.jpg"] == nil)
    }

    /// From a server that ignored `encoding-type=url`, a key XML cannot carry may be listed altered: the listing
    /// cannot say it is missing (nor that a key holding U+FFFD is there), so such keys go to HEAD; others do not.
    @Test func aListingThatIsNotURLEncodedAnswersOnlyForKeysXMLCarries() {
        let raw = ObjectIndex(pages: [page(["a/x.jpg"]), page(["a/\u{FFFD}.jpg"], urlEncoded: false)])
        #expect(!raw.keysAreExact)
        #expect(raw.answers(for: "a/x.jpg") && raw.answers(for: "a/tab\tand newline\n.jpg") && raw.answers(for: "a/😀\u{E000}.jpg"))
        for key in ["a/\u{01}.jpg", "a/\u{1B}.jpg", "a/\u{FFFE}.jpg", "a/\u{FFFF}.jpg", "a/\u{FFFD}.jpg", "a/cr\r.jpg"] {
            #expect(!raw.answers(for: key), "\(Array(key.utf8))")
        }
        let exact = ObjectIndex(pages: [page(["a/\u{01}.jpg"]), page(["a/\u{FFFE}.jpg"])])
        #expect(exact.keysAreExact && exact.answers(for: "a/\u{01}.jpg") && exact.answers(for: "a/\u{FFFE}.jpg"))
        #expect(exact["a/\u{01}.jpg"] != nil && exact["a/\u{1B}.jpg"] == nil)
    }

    /// The keys under a start, by bytes, from pages in S3's order or not.
    @Test func keysStartingWithAPrefixComeInByteOrder() {
        let keys = ["p/original/a.JPG", "p/original/a.jpg", "p/original/a.jpg.jpg", "p/original/a/b.jpg", "p/original/b.jpg", "p/thumbnail/a.jpg"]
        for pages in [[page(Array(keys.prefix(3))), page(Array(keys.dropFirst(3)))], [page(keys.reversed())]] {
            let index = ObjectIndex(pages: pages)
            #expect(index.keys(startingWith: "p/original/a.") == ["p/original/a.JPG", "p/original/a.jpg", "p/original/a.jpg.jpg"])
            #expect(index.keys(startingWith: "p/original/b.") == ["p/original/b.jpg"])
            #expect(index.keys(startingWith: "p/original/c.").isEmpty && index.keys(startingWith: "q").isEmpty)
            #expect(index.keys(startingWith: "").count == keys.count)
        }
        #expect(ObjectIndex(pages: [page(["p/original/Jos\u{E9}.png"])]).keys(startingWith: "p/original/Jose\u{301}.").isEmpty)
    }
}
