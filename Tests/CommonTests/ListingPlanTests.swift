import TestSupport
import Testing
@testable import Common

/// Which folder a run lists, and where a long listing is cut into parts.
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

    @Test func partsHoldAboutEqualSharesOfTheKeysInByteOrder() {
        let keys = (0..<100).map { String(format: "f/%03d", $0) }.shuffled()
        let cuts = ListingPlan.cuts(keys: keys, after: nil, keysPerPart: 25, maxParts: 8)
        #expect(cuts == [nil, "f/024", "f/049", "f/074"])
        // A cut is a key looked for: part i lists after it, up to and including the next cut.
        #expect(ListingPlan.cuts(keys: keys, after: nil, keysPerPart: 10, maxParts: 4).count == 4)
        #expect(ListingPlan.cuts(keys: keys, after: nil, keysPerPart: 1000, maxParts: 8) == [nil])
    }

    @Test func partsStartAfterWhatIsAlreadyListed() {
        let keys = (0..<100).map { String(format: "f/%03d", $0) }
        let cuts = ListingPlan.cuts(keys: keys, after: "f/059", keysPerPart: 10, maxParts: 8)
        #expect(cuts == ["f/059", "f/069", "f/079", "f/089"])
        #expect(cuts.dropFirst().allSatisfy { ExactKey("f/059") < ExactKey($0!) })
    }
}
