import FoundationEssentials
import Glibc

/// Finds out which images are already complete in the bucket (`spaces-exists`), by listing or by HEAD, and
/// has `SkipDecision` decide each one from what it found.
public final class ExistenceChecker {
    public enum Strategy: String, CaseIterable, Sendable {
        /// LIST for more than `autoThreshold` pending images; otherwise one LIST page, and HEADs only when
        /// that page does not hold every object under the prefix (a huge bucket).
        case auto
        /// Two HEAD requests per image over one connection (and a LIST of the originals sharing its thumbnail
        /// name, `SharedThumbnail`): for a small batch into a huge bucket.
        case head
        /// ListObjectsV2 over the folder all keys fall under, once, then answers from memory.
        case list
    }

    /// How a check goes about it, `auto` resolved for the number of pending images.
    public enum Plan: Equatable, Sendable {
        /// List the whole folder, then decide from memory.
        case listAll
        /// One LIST page; when it does not hold the whole folder, HEADs.
        case onePageElseHead
        /// A HEAD (or two) per image.
        case headEach
    }

    /// Up to this many pending images, `auto` tries one LIST page and falls back to HEADs (two per image);
    /// above it, one LIST per 1,000 objects.
    public static let autoThreshold = 50
    /// A folder with at least twice this many keys to look for is listed in parts side by side, each of about
    /// this many keys (two pages), on up to `maxParts` connections.
    public var keysPerPart = 2000
    public static let maxParts = 8
    /// Objects per LIST page (1,000 is S3's largest; tests make it small to make listings long).
    public var pageSize = 1000

    public let client: S3Client
    public let strategy: Strategy
    public let decision: SkipDecision
    /// Which originals in the bucket share a record's thumbnail key (`--extensions` gives the scan's rules).
    public var sharedThumbnail = SharedThumbnail()
    /// `--presign`: presigned GET URLs in every skipped record.
    public var presign: Presign?
    /// Receives one-line warnings: an image whose state could not be found out, a listing that failed.
    let warn: (String) -> Void

    /// What the last `check` did in the end: `list` or `head`.
    public private(set) var usedStrategy: Strategy
    /// Requests made on connections of their own: the early listing (`startListing`) and listing in parts.
    public var extraRequests: Int { (early?.requests ?? 0) + partRequests }
    private var early: EarlyListing?
    private var partRequests = 0
    /// The last whole listing of a folder the check made, kept for `objects(under:)` (pruning) to reuse.
    var completeListing: (prefix: String, pages: [ListPage])? {
        didSet { if let completeListing { knownObjects = completeListing.pages.reduce(0) { $0 + $1.objects.count } } }
    }
    /// How many objects the last whole listing found: a later check of a few images into a folder this big
    /// asks by HEAD rather than list it all again (`plan`).
    public private(set) var knownObjects: Int?

    /// Forgets the last listing (a stream keeps deciding: the next part lists afresh), but not its size.
    public func forgetListing() { completeListing = nil }

    public init(client: S3Client, strategy: Strategy, checksum: Bool, warn: @escaping (String) -> Void) {
        self.client = client
        self.strategy = strategy
        self.warn = warn
        decision = SkipDecision(checksum: checksum)
        usedStrategy = strategy
    }

    public func plan(pending: Int) -> Plan {
        switch strategy {
        case .list: return .listAll
        case .head: return .headEach
        case .auto:
            // Listing costs a request per 1,000 objects, HEADs about three per image: the cheaper, once the
            // folder's size is known.
            if pending > Self.autoThreshold, let known = knownObjects, pending * 3 < known / 1000 { return .headEach }
            return pending > Self.autoThreshold ? .listAll : .onePageElseHead
        }
    }

    /// Starts listing `prefix` on a second connection while the records are still being read, so that the
    /// listing overlaps the scan. `check` uses it if the records' common folder turns out to be `prefix`
    /// (as it is when every key shares the first record's top folder), and stops it otherwise.
    public func startListing(prefix: String) {
        guard strategy != .head, early == nil else { return }
        early = EarlyListing(config: client.config, retryPolicy: client.retryPolicy, http: client.httpOptions,
                             prefix: prefix, pageSize: pageSize)
    }

    /// Marks complete records `skipped` (with URLs and ETags); others are returned unchanged.
    /// A record whose state cannot be found out is left to be uploaded, with a warning.
    public func check(_ records: [ImageRecord]) throws(S3Error) -> [ImageRecord] {
        guard !records.isEmpty else {
            early?.cancel()
            return records
        }
        let (decided, used) = try check(records, plan: plan(pending: records.count))
        usedStrategy = used
        return decided
    }

    private func check(_ records: [ImageRecord], plan: Plan) throws(S3Error) -> ([ImageRecord], Strategy) {
        switch plan {
        case .listAll:
            guard let index = try listIndex(for: records) else { return (records, .list) }
            return (try decideAll(records, from: index), .list)
        case .onePageElseHead:
            let early = takeEarlyListing(for: ListingPlan.folder(of: records))
            defer { early?.cancel() }
            // Few images: one LIST page usually holds everything under the prefix, and costs one round trip
            // where HEADs cost two per image. Only a bucket with more than 1,000 objects there needs the HEADs.
            if let page = try onePage(of: records, early: early) {
                completeListing = (ListingPlan.folder(of: records), [page])
                return (try decideAll(records, from: ObjectIndex(pages: [page])), .list)
            }
            return (try headAll(records), .head)
        case .headEach:
            takeEarlyListing(for: ListingPlan.folder(of: records))?.cancel()
            return (try headAll(records), .head)
        }
    }

    /// The early listing if it lists `prefix`; otherwise it is stopped and nil. Either way it is used once.
    private func takeEarlyListing(for prefix: String) -> EarlyListing? {
        guard let early, !early.isTaken else { return nil }
        early.take()
        guard ExactKey(early.prefix) == ExactKey(prefix) else {
            early.cancel()
            return nil
        }
        return early
    }

    /// The one LIST page under the records' common folder when it held them all (the early listing's first
    /// page, when there is one); nil when there is more, or when it failed for a reason HEADs may not share.
    private func onePage(of records: [ImageRecord], early: EarlyListing?) throws(S3Error) -> ListPage? {
        if let early { return early.firstPage() }
        do {
            let page = try client.listObjects(prefix: ListingPlan.folder(of: records), maxKeys: pageSize)
            return page.isTruncated ? nil : page
        } catch let error where error.isFatal {
            throw error
        } catch {
            return nil
        }
    }

    /// Each record decided from the listing, or by HEAD when the listing cannot answer for one of its keys.
    func decideAll(_ records: [ImageRecord], from listed: ObjectIndex) throws(S3Error) -> [ImageRecord] {
        let index = try withStoredMD5s(of: records, in: listed)
        let decided = decision.decide(records, from: index, file: Self.localFile, publicURL: client.publicURL(forKey:))
        var result: [ImageRecord] = []
        for (record, decided) in zip(records, decided) {
            let shared = sharedThumbnail.siblingPrefix(of: record).flatMap { sharedThumbnail.other(of: record, among: index.keys(startingWith: $0)) }
            if shared != nil {
                result.append(SharedThumbnail.failing(record, sharedWith: shared))
            } else if let decided {
                result.append(decided)
            } else {
                result.append(try headCheck(record))
            }
        }
        return result
    }

    /// With `--checksum`, the listing completed by a HEAD of each original that went up in parts and has the local
    /// file's size: the MD5 it is compared by is in its metadata, which listings do not give. Only those objects
    /// cost a request. One whose HEAD fails is left as listed, so its image is uploaded again, with a warning.
    func withStoredMD5s(of records: [ImageRecord], in listed: ObjectIndex) throws(S3Error) -> ObjectIndex {
        guard decision.checksum else { return listed }
        var index = listed
        for record in records {
            guard let key = record.key, let object = index[key], MultipartUpload.isMultipartETag(object.etag),
                  decision.needsStoredMD5(object, size: Self.localFile(record).size) else { continue }
            do {
                if let headed = try client.headObject(key: key) { index.update(headed) }
            } catch let error where !error.isFatal {
                warn("\(record.rel): cannot read the MD5 stored with its original: \(error); it will be uploaded")
            }
        }
        return index
    }

    /// Every object under the folder the records' keys fall under; nil when the listing failed.
    func listIndex(for records: [ImageRecord]) throws(S3Error) -> ObjectIndex? {
        let keys = ListingPlan.keys(of: records)
        let prefix = ListingPlan.commonFolder(keys)
        let early = takeEarlyListing(for: prefix)
        do {
            let pages = try listPages(prefix: prefix, keys: keys, early: early)
            completeListing = (prefix, pages)
            return ObjectIndex(pages: pages)
        } catch let error where !error.isFatal {
            warn("cannot list \(prefix.isEmpty ? "the bucket" : prefix): \(error); every image will be uploaded")
            return nil
        }
    }

    /// The pages of `prefix`: the early listing's, listing in parts for thousands of keys, or one listing.
    private func listPages(prefix: String, keys: [String], early: EarlyListing?) throws(S3Error) -> [ListPage] {
        if keys.count >= 2 * keysPerPart, early?.finished == nil {
            // Thousands of keys: one listing is a page after another, a round trip each. What the early
            // listing has so far covers the start of the folder; the rest is listed in parts at once.
            let (listed, coveredTo) = early?.stopAndTakePages() ?? ([], nil)
            return listed + (try listInParts(prefix: prefix, after: coveredTo, keys: keys))
        }
        if let early {
            switch early.wait() {
            case .success(let pages): return pages
            case .failure(let error) where error.isFatal: throw error
            case .failure: break  // list again, with this client's retries
            }
        }
        return try client.listAllPages(prefix: prefix, pageSize: pageSize)
    }

    /// Every object under `prefix` after the key `after` (all of them when nil), listed in parts side by side,
    /// each on a connection of its own, from the cuts `ListingPlan.cuts` makes.
    public func listInParts(prefix: String, after: String?, keys: [String]) throws(S3Error) -> [ListPage] {
        let cuts = ListingPlan.cuts(keys: keys, after: after, keysPerPart: keysPerPart, maxParts: Self.maxParts)
        let config = client.config, retryPolicy = client.retryPolicy, http = client.httpOptions, pageSize = pageSize
        let outcomes = Parallel.map(0..<cuts.count) { part -> Result<(pages: [ListPage], requests: Int), S3Error> in
            do throws(S3Error) {
                let lister = try S3Client(config: config, retryPolicy: retryPolicy, http: http)
                let pages = try lister.listAllPages(prefix: prefix, startAfter: cuts[part],
                                                    through: part + 1 < cuts.count ? cuts[part + 1] : nil, pageSize: pageSize)
                return .success((pages, lister.requestCount))
            } catch {
                return .failure(error)
            }
        }
        var pages: [ListPage] = []
        for outcome in outcomes {
            switch outcome {
            case .success(let part):
                pages += part.pages
                partRequests += part.requests
            case .failure(let error):
                throw error
            }
        }
        return pages
    }

    private func headAll(_ records: [ImageRecord]) throws(S3Error) -> [ImageRecord] {
        // A HEAD of a missing object and of an object in a missing bucket both answer a bare 404: prove the
        // bucket (and the credentials) first, as LIST does by itself.
        try client.headBucket()
        return try records.map { record throws(S3Error) in try headCheck(record) }
    }

    func headCheck(_ record: ImageRecord) throws(S3Error) -> ImageRecord {
        guard let key = record.key, let thumbnailKey = record.thumbnailKey else { return record }
        do {
            if let siblings = sharedThumbnail.siblingPrefix(of: record) {
                // No listing of the folder: its originals of this stem, in one request.
                let page = try client.listObjects(prefix: siblings, maxKeys: 1000)
                if let other = sharedThumbnail.other(of: record, among: page.objects.map(\.key)) {
                    return SharedThumbnail.failing(record, sharedWith: other)
                }
            }
            let file = Self.localFile(record)
            guard let original = try client.headObject(key: key), decision.originalMatches(record, file, original) else { return record }
            guard let thumbnail = try client.headObject(key: thumbnailKey) else { return record }
            var extras: [ObjectInfo?] = []
            for extra in record.extraThumbnails ?? [] {
                guard let object = try client.headObject(key: extra.key) else { return record }
                extras.append(object)
            }
            return decision.decide(record, file: file, original: original, thumbnail: thumbnail, extras: extras,
                                   publicURL: client.publicURL(forKey:))
        } catch let error where !error.isFatal {
            warn("\(record.rel): cannot tell whether it is already uploaded: \(error); it will be uploaded")
            return record
        }
    }

    /// The record's file as it is now: its size, and its MD5 when asked for.
    static func localFile(_ record: ImageRecord) -> SkipDecision.LocalFile {
        var info = stat()
        let size = stat(record.path, &info) == 0 ? Int64(info.st_size) : nil
        return SkipDecision.LocalFile(size: size) { (try? FileDigest.compute(path: record.path))?.md5.hexString }
    }
}
