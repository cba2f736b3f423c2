import TestSupport
import Testing
@testable import Common

@Suite(.unitTimeLimit) struct ExistenceCheckerTests {
    func checker(_ strategy: ExistenceChecker.Strategy) throws -> ExistenceChecker {
        let config = try SpacesConfig.resolve(["SPACES_ACCESS_KEY": "k", "SPACES_SECRET_KEY": "s", "SPACES_BUCKET": "b",
                                               "SPACES_ENDPOINT": "http://127.0.0.1:9"])
        return ExistenceChecker(client: try S3Client(config: config), strategy: strategy, checksum: false, warn: { _ in })
    }

    /// What each strategy does for a number of pending images: `auto` lists a big run, and for a small one
    /// tries one page before HEADs.
    @Test func eachStrategyHasItsPlan() throws {
        #expect(try checker(.list).plan(pending: 3) == .listAll)
        #expect(try checker(.head).plan(pending: 5000) == .headEach)
        #expect(try checker(.auto).plan(pending: ExistenceChecker.autoThreshold) == .onePageElseHead)
        #expect(try checker(.auto).plan(pending: ExistenceChecker.autoThreshold + 1) == .listAll)
    }

    /// Once a listing found the folder's size (a stream's first part), a later part of a few dozen images into a
    /// folder of 200,000 objects asks by HEAD (about 3 requests each) instead of 200 LIST pages; a part big enough
    /// still lists; forgetting the listing keeps its size.
    @Test func aKnownBigFolderIsAskedByHead() throws {
        let checker = try checker(.auto)
        let page = ListPage(objects: Array(repeating: ObjectInfo(key: "k", size: 1, etag: "e"), count: 200_000), isTruncated: false)
        checker.completeListing = ("p/", [page])
        checker.forgetListing()
        #expect(checker.completeListing == nil)
        #expect(checker.knownObjects == 200_000)
        #expect(checker.plan(pending: 60) == .headEach)
        #expect(checker.plan(pending: 10) == .onePageElseHead)
        #expect(checker.plan(pending: 70) == .listAll)
    }

    /// No pending record: nothing is asked of the server (which is not there).
    @Test func nothingToCheckCostsNoRequest() throws {
        for strategy in ExistenceChecker.Strategy.allCases {
            let checker = try checker(strategy)
            #expect(try checker.check([]).isEmpty)
            #expect(checker.client.requestCount == 0, "\(strategy)")
        }
    }
}
