import Foundation
import Testing
@testable import Common

/// The decisions of `spaces-exists` that need no server.
@Suite struct ExistenceCheckerTests {
    /// An NFD key must not find the object of its NFC twin: the listing is indexed by bytes.
    @Test func theIndexFindsOnlyTheExactKey() {
        let index = ExistenceChecker.index([ObjectInfo(key: "a/Jos\u{E9}.jpg", size: 1, etag: "e")])
        #expect(index[ExactKey("a/Jos\u{E9}.jpg")]?.etag == "e")
        #expect(index[ExactKey("a/Jose\u{301}.jpg")] == nil)
    }
}
