import Foundation

/// Decides which images are already complete in the bucket (`spaces-exists`): the original is there with the
/// local file's size (and, with `checksum`, its MD5 as ETag) and the thumbnail is there too.
public final class ExistenceChecker {
    public enum Strategy: String, CaseIterable, Sendable {
        /// LIST for more than `autoThreshold` pending images; otherwise one LIST page, and HEADs only when
        /// that page does not hold every object under the prefix (a huge bucket).
        case auto
        /// Two HEAD requests per image over one connection: for a small batch into a huge bucket.
        case head
        /// ListObjectsV2 over the folder all keys fall under, once, then answers from memory.
        case list
    }

    /// Up to this many pending images, `auto` tries one LIST page and falls back to HEADs (two per image);
    /// above it, one LIST per 1,000 objects.
    public static let autoThreshold = 50

    /// The strategy the last `check` used in the end.
    public private(set) var usedStrategy: Strategy
    /// Requests made on connections of their own: the early listing (`startListing`) and listing in parts.
    public var extraRequests: Int { (early?.requests ?? 0) + partRequests }
    private var early: EarlyListing?
    private var partRequests = 0

    /// A folder with at least this many keys to look for is listed in parts side by side (`listInParts`),
    /// each of about this many keys (two pages), on up to `maxParts` connections.
    public static let keysPerPart = 2000
    public static let maxParts = 8

    /// Starts listing `prefix` on a second connection while the records are still being read, so that the
    /// listing overlaps the scan. `check` uses it if the records' common folder turns out to be `prefix`
    /// (as it is when every key shares the first record's top folder), and stops it otherwise.
    public func startListing(prefix: String) {
        guard strategy != .head, early == nil else { return }
        early = EarlyListing(config: client.config, retryPolicy: client.retryPolicy, http: client.httpOptions, prefix: prefix)
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

    public let client: S3Client
    public let strategy: Strategy
    public let checksum: Bool

    public init(client: S3Client, strategy: Strategy, checksum: Bool) {
        self.client = client
        self.strategy = strategy
        self.checksum = checksum
        usedStrategy = strategy
    }

    /// The strategy `auto` resolves to for this many pending images.
    public func resolvedStrategy(pending: Int) -> Strategy {
        guard strategy == .auto else { return strategy }
        return pending > Self.autoThreshold ? .list : .head
    }

    /// Marks complete records `skipped` (with URLs and ETags); others are returned unchanged.
    /// A record whose state cannot be determined is left to be uploaded, with a warning.
    public func check(_ records: [ImageRecord], warn: (String) -> Void) throws(S3Error) -> [ImageRecord] {
        usedStrategy = resolvedStrategy(pending: records.count)
        switch usedStrategy {
        case .list:
            guard let index = try listIndex(for: records, warn: warn) else { return records }
            return try decideAll(records, from: index, warn: warn)
        case .head, .auto:
            let early = takeEarlyListing(for: Self.listPrefix(records))
            defer { early?.cancel() }
            guard !records.isEmpty else { return records }
            // Few images: one LIST page usually holds everything under the prefix, and costs one round trip
            // where HEADs cost two per image. Only a bucket with more than 1,000 objects there needs the HEADs.
            if strategy == .auto, let page = try onePage(of: records, early: early) {
                usedStrategy = .list
                return try decideAll(records, from: ObjectIndex(pages: [page]), warn: warn)
            }
            usedStrategy = .head
            // A HEAD of a missing object and of an object in a missing bucket both answer a bare 404:
            // prove the bucket (and the credentials) first, as LIST does by itself.
            try client.headBucket()
            return try records.map { record throws(S3Error) in try headCheck(record, warn: warn) }
        }
    }

    /// The one LIST page under the records' common folder when it held them all (the early listing's first
    /// page, when there is one); nil when there is more, or when it failed for a reason HEADs may not share.
    private func onePage(of records: [ImageRecord], early: EarlyListing?) throws(S3Error) -> ListPage? {
        if let early { return early.firstPage() }
        do {
            let page = try client.listObjects(prefix: Self.listPrefix(records))
            return page.isTruncated ? nil : page
        } catch let error where error.isFatal {
            throw error
        } catch {
            return nil
        }
    }

    /// Each record decided from the listing, or by HEAD when the listing cannot answer for one of its keys.
    func decideAll(_ records: [ImageRecord], from index: ObjectIndex, warn: (String) -> Void) throws(S3Error) -> [ImageRecord] {
        try records.map { record throws(S3Error) in
            let key = record.key ?? "", thumbnailKey = record.thumbnailKey ?? ""
            guard index.answers(for: key) && index.answers(for: thumbnailKey) else { return try headCheck(record, warn: warn) }
            return decide(record, original: index[key], thumbnail: index[thumbnailKey])
        }
    }

    /// Every object under the prefixes the records' keys fall under; nil when the listing failed.
    func listIndex(for records: [ImageRecord], warn: (String) -> Void) throws(S3Error) -> ObjectIndex? {
        let keys = Self.keys(of: records)
        let prefix = Self.commonFolder(keys)
        let early = takeEarlyListing(for: prefix)
        if keys.count >= 2 * Self.keysPerPart, early?.finished == nil {
            // Thousands of keys: one listing is a page after another, a round trip each. What the early
            // listing has so far covers the start of the folder; the rest is listed in parts at once.
            let (listed, coveredTo) = early?.stopAndTakePages() ?? ([], nil)
            do {
                let rest = try listInParts(prefix: prefix, after: coveredTo, keys: keys)
                return ObjectIndex(pages: listed + rest)
            } catch let error where !error.isFatal {
                warn("cannot list \(prefix.isEmpty ? "the bucket" : prefix): \(error); every image will be uploaded")
                return nil
            }
        }
        if let early {
            switch early.wait() {
            case .success(let pages):
                return ObjectIndex(pages: pages)
            case .failure(let error) where error.isFatal:
                throw error
            case .failure:
                break  // list again below, with this client's retries
            }
        }
        do {
            return ObjectIndex(pages: try client.listAllPages(prefix: prefix))
        } catch let error where !error.isFatal {
            warn("cannot list \(prefix.isEmpty ? "the bucket" : prefix): \(error); every image will be uploaded")
            return nil
        }
    }

    /// Every object under `prefix` after the key `after` (all of them when nil), listed in parts side by side,
    /// each on a connection of its own. The parts are cut at the keys looked for (in S3's byte order): part i
    /// starts after its cut (ListObjectsV2 start-after) and stops once it has passed the next one, so together
    /// they cover every key, whatever else the folder holds.
    public func listInParts(prefix: String, after: String?, keys: [String], keysPerPart: Int = keysPerPart,
                            pageSize: Int = 1000) throws(S3Error) -> [ListPage] {
        let sorted = keys.filter { key in after.map { $0.utf8.lexicographicallyPrecedes(key.utf8) } ?? true }
            .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        let parts = max(1, min(Self.maxParts, sorted.count / keysPerPart))
        let cuts: [String?] = [after] + (1..<parts).map { sorted[$0 * sorted.count / parts - 1] }
        let config = client.config, retryPolicy = client.retryPolicy, http = client.httpOptions
        let outcomes = Parallel.map(0..<parts) { part -> Result<(pages: [ListPage], requests: Int), S3Error> in
            do throws(S3Error) {
                let lister = try S3Client(config: config, retryPolicy: retryPolicy, http: http)
                let pages = try lister.listAllPages(prefix: prefix, startAfter: cuts[part],
                                                    through: part + 1 < parts ? cuts[part + 1] : nil, pageSize: pageSize)
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

    func headCheck(_ record: ImageRecord, warn: (String) -> Void) throws(S3Error) -> ImageRecord {
        guard let key = record.key, let thumbnailKey = record.thumbnailKey else { return record }
        do {
            guard let original = try client.headObject(key: key), matches(record, original) else { return record }
            return decide(record, original: original, thumbnail: try client.headObject(key: thumbnailKey))
        } catch let error where !error.isFatal {
            warn("\(record.rel): cannot tell whether it is already uploaded: \(error); it will be uploaded")
            return record
        }
    }

    /// The record marked skipped when both objects are there and the original matches; else unchanged.
    func decide(_ record: ImageRecord, original: ObjectInfo?, thumbnail: ObjectInfo?) -> ImageRecord {
        guard let original, let thumbnail, let thumbnailKey = record.thumbnailKey, matches(record, original) else {
            return record
        }
        var skipped = record
        skipped.status = .skipped
        skipped.reason = checksum ? "already uploaded (same MD5)" : "already uploaded (same size)"
        skipped.etag = original.etag
        skipped.url = client.publicURL(forKey: original.key)
        skipped.thumbnailEtag = thumbnail.etag
        skipped.thumbnailSize = thumbnail.size
        skipped.thumbnailUrl = client.publicURL(forKey: thumbnailKey)
        return skipped
    }

    /// Same size as the local file; with `checksum`, also an ETag equal to the local MD5 (single-part uploads).
    func matches(_ record: ImageRecord, _ object: ObjectInfo) -> Bool {
        var info = stat()
        guard stat(record.path, &info) == 0, Int64(info.st_size) == object.size else { return false }
        guard checksum else { return true }
        guard let digest = try? FileDigest.compute(path: record.path) else { return false }
        return object.etag.lowercased() == digest.md5.hexString
    }

    /// The folder to list: the longest common folder of every key, originals and thumbnails alike
    /// (`avatar/` for a run with the default prefix), so one listing covers both in ~1 request per 1,000 objects.
    public static func listPrefix(_ records: [ImageRecord]) -> String {
        commonFolder(keys(of: records))
    }

    /// Every key the records look for, originals and thumbnails.
    static func keys(of records: [ImageRecord]) -> [String] {
        records.flatMap { [$0.key, $0.thumbnailKey].compactMap { $0 } }
    }

    static func commonFolder(_ keys: [String]) -> String {
        guard var common = keys.first.map({ Array($0.utf8) }) else { return "" }
        for key in keys.dropFirst() {
            let bytes = Array(key.utf8)
            let shared = zip(common, bytes).prefix(while: { $0 == $1 }).count
            common = Array(common.prefix(shared))
        }
        guard let slash = common.lastIndex(of: UInt8(ascii: "/")) else { return "" }
        return String(decoding: common[...slash], as: UTF8.self)
    }
}

/// A listing of one prefix on a thread and a connection of its own, which can be waited for or stopped.
final class EarlyListing: @unchecked Sendable {
    let prefix: String
    private let condition = NSCondition()
    private var result: Result<[ListPage], S3Error>?
    private var pages: [ListPage] = []
    private var cancelled = false
    private var requestCount = 0
    private(set) var isTaken = false

    init(config: SpacesConfig, retryPolicy: RetryPolicy, http: CurlHandle.Options, prefix: String) {
        self.prefix = prefix
        let thread = Thread { [self] in run(config: config, retryPolicy: retryPolicy, http: http) }
        thread.start()
    }

    var requests: Int { condition.withLock { requestCount } }

    private func run(config: SpacesConfig, retryPolicy: RetryPolicy, http: CurlHandle.Options) {
        let outcome: Result<[ListPage], S3Error>
        do throws(S3Error) {
            let client = try S3Client(config: config, retryPolicy: retryPolicy, http: http)
            if condition.withLock({ cancelled }) { return }
            let listed = try client.listAllPages(prefix: prefix) { page in
                condition.withLock {
                    pages.append(page)
                    requestCount = client.requestCount
                    condition.broadcast()
                    return !cancelled
                }
            }
            if condition.withLock({ cancelled }) { return }
            outcome = .success(listed)
        } catch {
            outcome = .failure(error)
        }
        condition.withLock {
            result = outcome
            condition.broadcast()
        }
    }

    /// Every page of the prefix, once the listing has ended.
    func wait() -> Result<[ListPage], S3Error> {
        condition.withLock {
            while result == nil { condition.wait() }
            return result!
        }
    }

    /// Marks it used by one decision.
    func take() { isTaken = true }

    /// The result, if the listing has ended.
    var finished: Result<[ListPage], S3Error>? { condition.withLock { result } }

    /// Stops the listing and returns the pages it has so far, with the last key they cover (nil: none yet).
    /// A page still in flight is not waited for.
    func stopAndTakePages() -> (pages: [ListPage], coveredTo: String?) {
        condition.withLock {
            cancelled = true
            // A last key that may have come back altered is no place to go on from: start over instead.
            guard let last = pages.last?.objects.last?.key, pages.allSatisfy(\.keysWereURLEncoded) || ListPage.survivesXML(last) else {
                return ([], nil)
            }
            return (pages, last)
        }
    }

    /// The first page when it held the whole folder; nil when there is more (or it failed).
    func firstPage() -> ListPage? {
        condition.withLock {
            while pages.isEmpty && result == nil { condition.wait() }
            guard let first = pages.first, !first.isTruncated else { return nil }
            return first
        }
    }

    func cancel() { condition.withLock { cancelled = true } }
}

/// Runs blocking work (network requests) on threads of its own, one per item, and returns the results in order.
enum Parallel {
    static func map<T: Sendable>(_ items: Range<Int>, _ work: @escaping @Sendable (Int) -> T) -> [T] {
        let box = ResultsBox<T>(count: items.count)
        let group = DispatchGroup()
        for index in items {
            group.enter()
            Thread {
                box.set(index - items.lowerBound, work(index))
                group.leave()
            }.start()
        }
        group.wait()
        return box.values
    }

    private final class ResultsBox<T>: @unchecked Sendable {
        private let lock = NSLock()
        private var slots: [T?]
        init(count: Int) { slots = Array(repeating: nil, count: count) }
        func set(_ index: Int, _ value: T) { lock.withLock { slots[index] = value } }
        var values: [T] { lock.withLock { slots.map { $0! } } }
    }
}
