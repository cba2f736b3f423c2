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
        /// ListObjectsV2 pages that seek to the keys looked for (`SeekListing`): 1 request per 1,000 keys
        /// that lie side by side.
        case list
    }

    /// How a check goes about it, `auto` resolved for the number of pending images.
    public enum Plan: Equatable, Sendable {
        /// List where the keys are (`SeekListing`), then decide from what was found.
        case seek
        /// One LIST page; when it does not hold the whole folder, HEADs.
        case onePageElseHead
        /// A HEAD (or two) per image.
        case headEach
    }

    /// Up to this many pending images, `auto` tries one LIST page and falls back to HEADs (two per image);
    /// above it, one LIST per 1,000 objects.
    public static let autoThreshold = 50
    /// Keys to look for that fill more than one page are listed in parts side by side, on up to `maxParts`
    /// connections (`SeekListing.parts`).
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
    /// Requests made on the listing connections (`objects(of:)`).
    public var extraRequests: Int { partRequests.withLock { $0 } }
    private let partRequests = Guarded(0)
    private let listers: Listers
    /// The one page that held a whole folder (a check of 50 images or fewer), kept for `objects(under:)`
    /// (pruning) to reuse.
    var completeListing: (prefix: String, pages: [ListPage])?

    /// Forgets the last listing (a stream keeps deciding: the next part lists afresh).
    public func forgetListing() { completeListing = nil }

    public init(client: S3Client, strategy: Strategy, checksum: Bool, warn: @escaping (String) -> Void) {
        self.client = client
        self.strategy = strategy
        self.warn = warn
        listers = Listers(like: client)
        decision = SkipDecision(checksum: checksum)
        usedStrategy = strategy
    }

    /// How `count` pending records are checked; `following`: they come after others of the same input (a
    /// part of a long input, or of a stream), whose folder may be huge.
    public func plan(pending: Int, following: Bool = false) -> Plan {
        switch strategy {
        case .list: return .seek
        case .head: return .headEach
        case .auto:
            // One page of the folder (one request) where it may hold everything; otherwise a listing that seeks
            // to the keys, which costs less than HEADs (two per image) even for a few images in a big folder.
            return pending > Self.autoThreshold || following ? .seek : .onePageElseHead
        }
    }

    /// Marks complete records `skipped` (with URLs and ETags); others are returned unchanged.
    /// A record whose state cannot be found out is left to be uploaded, with a warning.
    /// `prefetched`: the listing `prefetch` started for these records.
    public func check(_ records: [ImageRecord], following: Bool = false, prefetched: Prefetch? = nil) throws(S3Error) -> [ImageRecord] {
        guard !records.isEmpty else { return records }
        if let prefetched {
            usedStrategy = .list
            guard let index = try prefetched.wait() else { return records }
            return try decideAll(records, from: index)
        }
        let (decided, used) = try check(records, plan: plan(pending: records.count, following: following))
        usedStrategy = used
        return decided
    }

    private func check(_ records: [ImageRecord], plan: Plan) throws(S3Error) -> ([ImageRecord], Strategy) {
        switch plan {
        case .seek:
            guard let index = try listIndex(for: records) else { return (records, .list) }
            return (try decideAll(records, from: index), .list)
        case .onePageElseHead:
            // Few images: one LIST page usually holds everything under the prefix, and costs one round trip
            // where HEADs cost two per image. Only a bucket with more than 1,000 objects there needs the HEADs.
            if let page = try onePage(of: records) {
                completeListing = (ListingPlan.folder(of: records), [page])
                return (try decideAll(records, from: ObjectIndex(pages: [page])), .list)
            }
            return (try headAll(records), .head)
        case .headEach:
            return (try headAll(records), .head)
        }
    }

    /// The one LIST page under the records' common folder when it held them all; nil when there is more, or
    /// when it failed for a reason HEADs may not share.
    private func onePage(of records: [ImageRecord]) throws(S3Error) -> ListPage? {
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
    func decideAll(_ records: [ImageRecord], from found: ObjectIndex) throws(S3Error) -> [ImageRecord] {
        let listed = try withStoredMD5s(of: records, in: found)
        let decided = decision.decide(records, from: listed, file: Self.localFile, publicURL: client.publicURL(forKey:))
        var result: [ImageRecord] = []
        result.reserveCapacity(records.count)
        for index in records.indices {
            let record = records[index]
            let shared = sharedThumbnail.siblingPrefix(of: record).flatMap { sharedThumbnail.other(of: record, under: $0, among: listed.keys(startingWith: $0)) }
            if shared != nil {
                result.append(SharedThumbnail.failing(record, sharedWith: shared))
            } else if let decided = decided[index] {
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

    /// What the records look for: their keys, and the originals that could share their thumbnails.
    func listing(for records: [ImageRecord]) -> SeekListing {
        SeekListing(wants: ListingPlan.keys(of: records).map { SeekListing.Want(key: $0) }
            + records.compactMap { sharedThumbnail.siblingPrefix(of: $0) }.map { SeekListing.Want(key: $0, isPrefix: true) })
    }

    /// The objects the records look for, by a listing that seeks to them (`SeekListing`), in parts side by side
    /// for thousands of keys; nil when the listing failed.
    func listIndex(for records: [ImageRecord]) throws(S3Error) -> ObjectIndex? {
        do {
            let listed = try objects(of: listing(for: records))
            return ObjectIndex(objects: listed.objects, keysAreExact: listed.exact)
        } catch let error where !error.isFatal {
            let folder = ListingPlan.folder(of: records)
            warn("cannot list \(folder.isEmpty ? "the bucket" : folder): \(error); every image will be uploaded")
            return nil
        }
    }

    /// A listing of the records' keys (`listIndex`) on a thread of its own, for the records to be checked later
    /// (`check(_:following:prefetched:)`) while the stage reads on: nil when their check would not list. Several
    /// may be under way at once, each on listing connections of its own.
    public final class Prefetch: @unchecked Sendable {
        private let condition = Condition()
        private var outcome: Result<ObjectIndex?, S3Error>?

        init(_ work: @escaping @Sendable () throws(S3Error) -> ObjectIndex?) {
            Threads.start { [self] in
                let result: Result<ObjectIndex?, S3Error>
                do throws(S3Error) { result = .success(try work()) } catch { result = .failure(error) }
                condition.withLock {
                    outcome = result
                    condition.broadcast()
                }
            }
        }

        /// The index, once the listing has ended.
        public func wait() throws(S3Error) -> ObjectIndex? {
            let result = condition.withLock {
                while outcome == nil { condition.wait() }
                return outcome!
            }
            return try result.get()
        }
    }

    public func prefetch(_ records: [ImageRecord], following: Bool) -> Prefetch? {
        guard !records.isEmpty, plan(pending: records.count, following: following) == .seek else { return nil }
        let box = Unchecked(self)
        return Prefetch { () throws(S3Error) in try box.value.listIndex(for: records) }
    }

    /// What `listing` finds, each part on a listing connection of its own (kept for later listings; two listings
    /// under way side by side borrow different ones).
    public func objects(of listing: SeekListing) throws(S3Error) -> (objects: [ObjectInfo], exact: Bool) {
        let parts = listing.parts(pageSize: pageSize, maxParts: Self.maxParts)
        let pageSize = pageSize, listers = listers
        let outcomes = Parallel.map(0..<parts.count) { index -> Result<(objects: [ObjectInfo], exact: Bool, requests: Int), S3Error> in
            do throws(S3Error) {
                let lister = try listers.borrow()
                defer { listers.giveBack(lister) }
                let before = lister.requestCount
                let found = try listing.objects(of: parts[index], pageSize: pageSize) { prefix, from, maxKeys throws(S3Error) in
                    try lister.listObjects(prefix: prefix, from: from, maxKeys: maxKeys)
                }
                return .success((found.objects, found.exact, lister.requestCount - before))
            } catch {
                return .failure(error)
            }
        }
        // A part's last page may reach into the next part's keys: each object once.
        var objects: [ObjectInfo] = [], exact = true, seen = Set<ExactKey>()
        for outcome in outcomes {
            switch outcome {
            case .success(let part):
                objects += part.objects.filter { seen.insert(ExactKey($0.key)).inserted }
                exact = exact && part.exact
                partRequests.withLock { $0 += part.requests }
            case .failure(let error):
                throw error
            }
        }
        return (objects, exact)
    }

    /// The listing connections: each lent to one part of a listing at a time, and made when none is free, with
    /// the settings of the checker's client (read, never changed, on the listing's threads).
    final class Listers: @unchecked Sendable {
        private let client: S3Client
        private let idle = Guarded<[S3Client]>([])

        init(like client: S3Client) { self.client = client }

        /// A free connection, or a new one.
        func borrow() throws(S3Error) -> S3Client {
            if let free = idle.withLock({ $0.popLast() }) { return free }
            let lister = try S3Client(config: client.config, retryPolicy: client.retryPolicy, http: client.httpOptions)
            lister.urlEncodedListings = client.urlEncodedListings
            lister.debugLog = client.debugLog
            return lister
        }

        func giveBack(_ lister: S3Client) { idle.withLock { $0.append(lister) } }
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
                if let other = sharedThumbnail.other(of: record, under: siblings, among: page.objects.map(\.key)) {
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
