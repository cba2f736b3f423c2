extension ExistenceChecker {
    /// Every object under each of `folders`, and whether every key came exact (url-encoded listings): from the
    /// check's own listing when it covered them, so that a run lists the bucket once, otherwise listed now.
    public func objects(under folders: [String]) throws(S3Error) -> (objects: [ObjectInfo], exact: Bool) {
        var objects: [ObjectInfo] = []
        var exact = true
        for folder in folders {
            let pages: [ListPage]
            if let listing = completeListing, folder.utf8.starts(with: listing.prefix.utf8) {
                pages = listing.pages
            } else {
                pages = try client.listAllPages(prefix: folder, pageSize: pageSize)
            }
            exact = exact && pages.allSatisfy(\.keysWereURLEncoded)
            objects += pages.flatMap(\.objects).filter { $0.key.utf8.starts(with: folder.utf8) }
        }
        return (objects, exact)
    }
}
