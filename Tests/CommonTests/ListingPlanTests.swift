import TestSupport
import Testing
@testable import Common

/// Which folder a run lists.
@Suite(.unitTimeLimit) struct ListingPlanTests {
    @Test func theFolderIsTheLongestOneEveryKeyShares() {
        #expect(ListingPlan.commonFolder(["avatar/original/a.jpg", "avatar/thumbnail/a.jpg"]) == "avatar/")
        #expect(ListingPlan.commonFolder(["p/x/a.jpg", "p/x/b/c.jpg"]) == "p/x/")
        #expect(ListingPlan.commonFolder(["p/abc.jpg", "p/abd.jpg"]) == "p/", "a shared start of a name is no folder")
        #expect(ListingPlan.commonFolder(["a.jpg", "p/b.jpg"]) == "")
        #expect(ListingPlan.commonFolder([]) == "")
        // By bytes: an NFC and an NFD name share only what their bytes share.
        #expect(ListingPlan.commonFolder(["Jos\u{E9}/a.jpg", "Jose\u{301}/a.jpg"]) == "")
        let records = [ImageRecord(path: "/a", rel: "a", key: "avatar/original/a.jpg", thumbnailKey: "avatar/thumbnail/a.jpg")]
        #expect(ListingPlan.folder(of: records) == "avatar/")
    }
}
