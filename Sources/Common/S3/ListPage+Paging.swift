/// Following a ListObjectsV2 listing from page to page: one loop for every listing of the toolkit.
/// https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html (continuation-token, start-after)
extension ListPage {
    /// What the request for a page says about where to start.
    public enum Continuation: Equatable, Sendable {
        /// `start-after`: the page starts after this key, in S3's byte order.
        case startAfter(String)
        /// `continuation-token`, as the previous page gave it.
        case token(String)
    }

    /// Where the page after this one starts; nil when this page is the last.
    func continuation() throws(S3Error) -> Continuation? {
        guard isTruncated, let nextContinuationToken else { return nil }
        return .token(nextContinuationToken)
    }

    /// Every page from `first` on (nil: the start of the listing), each asked for with `fetch`, until a page is
    /// the last one or `keepGoing` says to stop after it.
    static func follow(from first: Continuation?, fetch: (Continuation?) throws(S3Error) -> ListPage,
                       keepGoing: (ListPage) -> Bool) throws(S3Error) -> [ListPage] {
        var pages: [ListPage] = []
        var next = first
        repeat {
            let page = try fetch(next)
            pages.append(page)
            guard keepGoing(page) else { break }
            next = try page.continuation()
        } while next != nil
        return pages
    }
}
