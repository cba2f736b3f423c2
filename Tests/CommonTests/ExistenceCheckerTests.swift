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
        #expect(try checker(.list).plan(pending: 3) == .seek)
        #expect(try checker(.head).plan(pending: 5000) == .headEach)
        #expect(try checker(.auto).plan(pending: ExistenceChecker.autoThreshold) == .onePageElseHead)
        #expect(try checker(.auto).plan(pending: ExistenceChecker.autoThreshold + 1) == .seek)
    }

    /// A part that follows others (of a long input, or of a stream) is listed by seeking to its keys, however
    /// few: its folder may hold millions, where one page would not do and HEADs cost two requests an image.
    @Test func aFollowingPartIsListed() throws {
        let checker = try checker(.auto)
        #expect(checker.plan(pending: 3, following: true) == .seek)
        #expect(try self.checker(.head).plan(pending: 3, following: true) == .headEach)
    }

    /// The listing connections: one given back is lent again (its connection kept for the next part), and two
    /// listings under way at once never share one; each new one has the checker's settings.
    @Test func listingConnectionsAreLentOneAtATime() throws {
        let client = try checker(.list).client
        client.urlEncodedListings = false
        let listers = ExistenceChecker.Listers(like: client)
        let first = try listers.borrow(), second = try listers.borrow()
        #expect(first !== second && first !== client)
        #expect(!first.urlEncodedListings && !second.urlEncodedListings)
        listers.giveBack(first)
        let again = try listers.borrow()
        #expect(again === first)
        #expect(try listers.borrow() !== second, "a connection still lent is not lent twice")
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
