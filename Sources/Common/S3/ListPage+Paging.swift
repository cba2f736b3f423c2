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
    ///
    /// After its last key, when that key is exact, rather than at the continuation token: Spaces has been seen to
    /// leave the token out of a truncated url-encoded page, and SeaweedFS makes it of the last key with U+FFFD in
    /// place of what XML cannot carry, so that following it skips the keys in between or asks for the same page
    /// for ever. Start-after by the exact key means the same on every server. The token is the way on only from a
    /// page that is not url-encoded and ends with a key that may have come back altered.
    func continuation() throws(S3Error) -> Continuation? {
        guard isTruncated else { return nil }
        if let last = objects.last?.key, keysWereURLEncoded || Self.survivesXML(last) { return .startAfter(last) }
        if let nextContinuationToken { return .token(nextContinuationToken) }
        throw .integrity("the listing was cut short after \(objects.last?.key ?? "an empty page") with nothing to go on from")
    }

    /// Every page from `first` on (nil: the start of the listing), each asked for with `fetch`, until a page is
    /// the last one or `keepGoing` says to stop after it. A server that does not move on is an error, not a
    /// listing without end.
    static func follow(from first: Continuation?, fetch: (Continuation?) throws(S3Error) -> ListPage,
                       keepGoing: (ListPage) -> Bool) throws(S3Error) -> [ListPage] {
        var pages: [ListPage] = []
        try walk(from: first, fetch: fetch) { page in
            pages.append(page)
            return keepGoing(page)
        }
        return pages
    }

    /// Each page from `first` on handed to `visit` as it comes, none kept: a listing of a million keys in the
    /// memory of one page. Stops after a page `visit` refuses.
    static func walk(from first: Continuation?, fetch: (Continuation?) throws(S3Error) -> ListPage,
                     visit: (ListPage) -> Bool) throws(S3Error) {
        var next = first
        repeat {
            let page = try fetch(next)
            guard visit(page) else { break }
            let after = try page.continuation()
            if let after, !after.isPast(next) {
                throw .integrity("the listing does not move on from one page to the next (\(after))")
            }
            next = after
        } while next != nil
    }
}

extension ListPage.Continuation {
    /// Whether a listing asked for from here has moved on from `previous`: a later key, or another token.
    func isPast(_ previous: ListPage.Continuation?) -> Bool {
        switch (self, previous) {
        case (.startAfter(let key), .startAfter(let before)?): return ExactKey(before) < ExactKey(key)
        case (_, let previous?): return self != previous
        case (_, nil): return true
        }
    }
}
