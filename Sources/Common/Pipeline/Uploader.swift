import FoundationEssentials
import Glibc

/// Uploads each record's thumbnail and original (`spaces-put`), one output record per input line.
public final class Uploader {
    public struct Options: Sendable {
        public var acl: String
        public var cacheControl: String?
        /// Leave thumbnail files in place after uploading them (they are deleted by default).
        public var keepThumbnails = false
        /// `--meta` (originals and thumbnails) and `--content-disposition` (originals).
        public var metadata = ObjectMetadata()
        /// Which originals go up in parts, how big and how many at once (`--multipart-threshold`, `--part-size`,
        /// `--part-concurrency`).
        public var multipart = MultipartSettings()
        /// Where the bytes of originals stored so far are kept for upload-images' progress line.
        public var progress: UploadProgress?
        /// Receives the parts' request lines when debugging (from the parts' own threads).
        public var partDebugLog: (@Sendable (String) -> Void)?
        /// The keys a record may ask for (`--prefix`): its original under `PREFIX/original/`, its thumbnails in
        /// the thumbnail folders under the original's own names.
        public var scope: KeyScope
        /// No `--prefix` was given: an image in the bucket gets its thumbnails under its own prefix.
        public var bucketImagesKeepTheirPrefix = false
        /// `--presign`: presigned GET URLs in every uploaded or skipped record.
        public var presign: Presign?

        public init(acl: String, cacheControl: String? = nil, scope: KeyScope = KeyScope(prefix: KeyMapper.defaultPrefix)) {
            self.acl = acl
            self.cacheControl = cacheControl
            self.scope = scope
        }
    }

    public let client: S3Client
    public let options: Options
    public private(set) var failedCount = 0
    /// Stops a gone server from costing every remaining record its full retries and timeouts.
    var breaker = CircuitBreaker()
    /// The server was still unavailable when the last record was done.
    public var serverUnavailable: Bool { breaker.isOpen }
    /// Requests and new connections of the parts' own connections (`client` counts its own).
    public internal(set) var partRequests = 0
    public internal(set) var partConnections = 0

    /// What the stage read and wrote, for its exit status and end line (`StreamTally`).
    public var stream = StreamTally()
    /// With `--presign`, a skipped record passing through gets its URLs signed (made once, not per line).
    private let signingSkipped: ((Data, ImageRecord) -> Data)?

    /// Receives one line per record that fails and per input line that is not a record.
    let report: (String) -> Void

    public init(client: S3Client, options: Options, report: @escaping (String) -> Void) {
        self.client = client
        self.options = options
        self.report = report
        signingSkipped = options.presign.map { presign in
            { line, record in record.status == .skipped ? RecordCoding.encode(presign.signing(record, url: client.presignedURL)) : line }
        }
    }

    /// The pre-flight check: one HeadBucket proves the configuration, the credentials and the bucket. When it
    /// fails, the error says what that means (`PreflightFailure`: a throttling or silent service by name).
    public func checkBucket() throws(PreflightFailure) {
        do {
            try client.headBucket()
        } catch {
            throw PreflightFailure(error: error, endpoint: client.config.endpoint.description)
        }
    }

    /// The output line for one input line; nil for a blank line. Throws only errors that end the run.
    public func process(line: Data, lineNumber: Int) throws(S3Error) -> Data? {
        let presign = options.presign, client = client
        return try RecordLine.output(for: line, lineNumber: lineNumber, failures: &failedCount, stream: &stream, report: report,
                                     passing: signingSkipped) { (pending: ImageRecord) throws(S3Error) -> ImageRecord in
            var record = pending
            do throws(S3Error) {
                if let reason = breaker.refusal() { throw .notAttempted(reason) }
                try upload(&record)
                breaker.recordSuccess()
            } catch let error where error.isFatal {
                throw error
            } catch {
                record.status = .failed
                record.error = error.description
                report("\(record.rel): \(error)")
            }
            return presign.map { $0.signing(record, url: client.presignedURL) } ?? Presign.unsigned(record)
        }
    }

    /// Thumbnail first, then the original: an original in the bucket implies its thumbnail is there.
    /// The thumbnail file is removed once both are up; a failed record keeps it, so that its record can
    /// go back into spaces-put as it is.
    func upload(_ record: inout ImageRecord) throws(S3Error) {
        guard let key = record.key, !key.isEmpty else { throw .badRecord("record has no \"key\"") }
        let thumbnailKeys = [record.thumbnailKey].compactMap { $0 } + (record.extraThumbnails ?? []).map(\.key)
        if let refusal = scope(of: record).uploadRefusal(key: key, thumbnailKeys: thumbnailKeys) {
            throw .badRecord("not uploaded: \(refusal)")
        }
        defer { if record.status == .uploaded { removeThumbnail(record) } }
        if record.fromBucket == true {
            try uploadThumbnailsOnly(&record, key: key)
            return
        }
        // An original that goes in parts is hashed later, beside its parts (`putInParts`); here only looked at.
        var inParts = FileIdentity.of(path: record.path).map { goesInParts(size: $0.size, key: key) } ?? false
        var original = inParts ? try peek(record.path) : try digest(record.path, what: nil)
        if inParts && !goesInParts(size: original.size, key: key) {
            inParts = false  // it shrank since: one PUT after all
            original = try digest(record.path, what: nil)
        }
        // Only image bytes go up, by their first bytes (from the same read that hashes them): a record naming
        // /proc/self/environ, a .env or any text file is refused, whatever its name says.
        try Self.ensureImage(original, path: record.path, what: "")
        if let thumbnailPath = record.thumbnailPath {
            guard let thumbnailKey = record.thumbnailKey, !thumbnailKey.isEmpty else {
                throw .badRecord("record has a thumbnail_path but no \"thumbnail_key\"")
            }
            try ensureThumbnailIsOf(original, record: record)
            try uploadThumbnails(&record, path: thumbnailPath, key: thumbnailKey)
        }
        let contentType = ContentType.of(head: original.head, path: record.path)
        if inParts {
            record.etag = try putInParts(key: key, file: record.path, peeked: original, contentType: contentType)
        } else {
            record.etag = try put(key: key, file: record.path, digest: original, contentType: contentType, original: true)
            options.progress?.add(original.size)
        }
        try ensureUnchanged(record.path, key: key, since: original)
        record.size = original.size
        record.contentType = contentType
        record.url = client.publicURL(forKey: key)
        record.status = .uploaded
    }

    /// An image already in the bucket (`from_bucket`): its thumbnails go up, its original is never written.
    private func uploadThumbnailsOnly(_ record: inout ImageRecord, key: String) throws(S3Error) {
        guard let thumbnailPath = record.thumbnailPath, let thumbnailKey = record.thumbnailKey, !thumbnailKey.isEmpty else {
            throw .badRecord("record has no thumbnail_path and thumbnail_key: send it through img-thumb first")
        }
        try uploadThumbnails(&record, path: thumbnailPath, key: thumbnailKey)
        record.url = client.publicURL(forKey: key)
        record.status = .uploaded
    }

    /// Where the record may write: under `--prefix`; an image in the bucket (`from_bucket`) with no `--prefix`
    /// given, under its own original's prefix (`spaces-ls photos | ... | spaces-put`), thumbnails only.
    func scope(of record: ImageRecord) -> KeyScope {
        guard record.fromBucket == true, options.bucketImagesKeepTheirPrefix, let key = record.key,
              let prefix = KeyMapper.prefix(ofOriginal: key, rel: record.rel) else { return options.scope }
        return KeyScope(prefix: prefix, rules: options.scope.rules)
    }

    /// The first thumbnail (img-thumb's file at `path`, to `key`), then the others.
    private func uploadThumbnails(_ record: inout ImageRecord, path: String, key: String) throws(S3Error) {
        let digest = try digest(path, what: "thumbnail")
        try Self.ensureImage(digest, path: path, what: "thumbnail ")
        do {
            record.thumbnailEtag = try put(key: key, file: path, digest: digest,
                                           contentType: Self.contentType(spec: record.thumbnailSpec), original: false)
        } catch let error where !error.isFatal {
            throw .thumbnail(error)
        }
        record.thumbnailSize = digest.size
        record.thumbnailUrl = client.publicURL(forKey: key)
        try uploadExtraThumbnails(&record)
    }

    /// The thumbnails after the first (`extra_thumbnails`), each from the file img-thumb made; all of them go up
    /// before the original, so an original in the bucket still implies every thumbnail is there.
    private func uploadExtraThumbnails(_ record: inout ImageRecord) throws(S3Error) {
        guard var extras = record.extraThumbnails else { return }
        for index in extras.indices {
            guard let path = extras[index].path else {
                throw .badRecord("extra thumbnail \(extras[index].spec) has no \"path\": send the record through img-thumb first")
            }
            let digest = try digest(path, what: "thumbnail \(extras[index].spec)")
            try Self.ensureImage(digest, path: path, what: "thumbnail \(extras[index].spec) ")
            do {
                extras[index].etag = try put(key: extras[index].key, file: path, digest: digest,
                                             contentType: Self.contentType(spec: extras[index].spec), original: false)
            } catch let error where !error.isFatal {
                throw .thumbnail(error)
            }
            extras[index].size = digest.size
            extras[index].url = client.publicURL(forKey: extras[index].key)
        }
        record.extraThumbnails = extras
    }

    /// A thumbnail's Content-Type, from its spec's format; no spec is today's JPEG.
    static func contentType(spec: String?) -> String {
        guard let spec, case .success(let parsed) = ThumbnailSpec.parse(spec) else { return "image/jpeg" }
        return parsed.format.contentType
    }

    private func put(key: String, file: String, digest: FileDigest, contentType: String, original: Bool) throws(S3Error) -> String {
        try noticingUnavailability { () throws(S3Error) in
            try client.putObject(key: key, file: file, digest: digest, contentType: contentType,
                                 acl: options.acl, cacheControl: options.cacheControl,
                                 extraHeaders: options.metadata.headers(original: original))
        }
    }

    /// `work`, telling the circuit breaker when it failed because the server is unavailable.
    func noticingUnavailability<T>(_ work: () throws(S3Error) -> T) throws(S3Error) -> T {
        do {
            return try work()
        } catch {
            if error.meansServerUnavailable { breaker.recordUnavailable(error.description) }
            throw error
        }
    }

    /// The object just stored is the file as it was hashed; if the file has changed since (still being
    /// written, or replaced), that object is not the file the user has: it is removed and the record fails,
    /// so that a rerun uploads the finished file instead of skipping a stale copy.
    private func ensureUnchanged(_ path: String, key: String, since digest: FileDigest) throws(S3Error) {
        guard let what = change(of: path, since: digest) else { return }
        do {
            try client.deleteObject(key: key)
        } catch {
            throw .fileChanged("changed while it was uploaded (\(what)) and the uploaded copy could not be removed: \(error)")
        }
        throw .fileChanged("changed while it was uploaded (\(what)); the partial version was not kept: upload it again once it is complete")
    }

    /// How the file at `path` differs from what was hashed (`modified`, `N bytes when read, M now`, `deleted`);
    /// nil when it is the same.
    func change(of path: String, since digest: FileDigest) -> String? {
        let now = FileIdentity.of(path: path)
        guard let then = digest.identity, now != then else { return nil }
        return now.map { $0.size == then.size ? "modified" : "\(then.size) bytes when read, \($0.size) now" } ?? "deleted"
    }

    /// The original about to go up must be the file its thumbnail was made from (img-thumb recorded which):
    /// a photo swapped for another after thumbnailing would otherwise be stored beside the wrong thumbnail
    /// and skipped as complete by every later run. The stale thumbnail is removed with the record's failure.
    private func ensureThumbnailIsOf(_ original: FileDigest, record: ImageRecord) throws(S3Error) {
        guard let recorded = record.thumbnailSource.flatMap(FileIdentity.init(recordValue:)),
              let now = original.identity, now != recorded else { return }
        if !options.keepThumbnails { thumbnailFiles(of: record).forEach { unlink($0) } }
        throw .fileChanged("changed after its thumbnail was made (\(now.change(since: recorded))): send it through img-thumb again")
    }

    /// Refuses a file whose first bytes are no image format the toolkit supports (`ContentType.sniff`).
    static func ensureImage(_ file: FileDigest, path: String, what: String) throws(S3Error) {
        guard ContentType.sniff(file.head) == nil else { return }
        throw .badRecord("not uploaded: the \(what)file \(path) is not an image (its first bytes are no format this toolkit uploads)")
    }

    /// The size, first bytes and identity of the file at `path`, without hashing it.
    private func peek(_ path: String) throws(S3Error) -> FileDigest {
        do {
            return try FileDigest.peek(path: path)
        } catch {
            throw .unreadableFile("cannot read \(path): \(error.reason)")
        }
    }

    /// The file's MD5 and, when the client signs payloads (plain HTTP), its SHA-256, in one read.
    func digest(_ path: String, what: String?, withSHA256: Bool? = nil) throws(S3Error) -> FileDigest {
        do {
            return try FileDigest.compute(path: path, withSHA256: withSHA256 ?? client.signsPayload)
        } catch {
            var reason = "cannot read \(path): \(error.reason)"
            if what != nil && !FileManager.default.fileExists(atPath: path) {
                reason += " (thumbnail files do not outlive upload-images' run: send the record through img-thumb again)"
            }
            throw .unreadableFile([what, reason].compactMap { $0 }.joined(separator: ": "))
        }
    }

    private func removeThumbnail(_ record: ImageRecord) {
        guard !options.keepThumbnails else { return }
        thumbnailFiles(of: record).forEach { unlink($0) }
    }

    private func thumbnailFiles(of record: ImageRecord) -> [String] {
        ([record.thumbnailPath] + (record.extraThumbnails ?? []).map(\.path)).compactMap { $0 }
    }
}
