import Foundation

/// Uploads each record's thumbnail and original (`spaces-put`), one output record per input line.
public final class Uploader {
    public struct Options: Sendable {
        public var acl: String
        public var cacheControl: String?
        /// Leave thumbnail files in place after uploading them (they are deleted by default).
        public var keepThumbnails = false

        public init(acl: String, cacheControl: String? = nil) {
            self.acl = acl
            self.cacheControl = cacheControl
        }
    }

    public let client: S3Client
    public let options: Options
    public private(set) var failedCount = 0

    public init(client: S3Client, options: Options) {
        self.client = client
        self.options = options
    }

    /// The output line for one input line; nil for a blank line. Throws only errors that end the run.
    public func process(line: Data, lineNumber: Int) throws(S3Error) -> Data? {
        try RecordLine.output(for: line, lineNumber: lineNumber, failures: &failedCount) { (pending: ImageRecord) throws(S3Error) -> ImageRecord in
            var record = pending
            do throws(S3Error) {
                try upload(&record)
            } catch let error where error.isFatal {
                throw error
            } catch {
                record.status = .failed
                record.error = error.description
                Console.error("\(record.rel): \(error)")
            }
            return record
        }
    }

    /// Thumbnail first, then the original: an original in the bucket implies its thumbnail is there.
    func upload(_ record: inout ImageRecord) throws(S3Error) {
        guard let key = record.key, !key.isEmpty else { throw .integrity("record has no \"key\"") }
        defer { removeThumbnail(record) }
        if let thumbnailPath = record.thumbnailPath {
            guard let thumbnailKey = record.thumbnailKey, !thumbnailKey.isEmpty else {
                throw .integrity("record has a thumbnail_path but no \"thumbnail_key\"")
            }
            let digest = try digest(thumbnailPath, what: "thumbnail")
            do {
                record.thumbnailEtag = try client.putObject(key: thumbnailKey, file: thumbnailPath, digest: digest,
                                                            contentType: "image/jpeg", acl: options.acl,
                                                            cacheControl: options.cacheControl)
            } catch let error where !error.isFatal {
                throw .integrity("thumbnail: \(error)")
            }
            record.thumbnailSize = digest.size
            record.thumbnailUrl = client.publicURL(forKey: thumbnailKey)
        }
        let digest = try digest(record.path, what: nil)
        let contentType = ContentType.of(head: digest.head, path: record.path)
        record.etag = try client.putObject(key: key, file: record.path, digest: digest, contentType: contentType,
                                           acl: options.acl, cacheControl: options.cacheControl)
        record.size = digest.size
        record.contentType = contentType
        record.url = client.publicURL(forKey: key)
        record.status = .uploaded
    }

    private func digest(_ path: String, what: String?) throws(S3Error) -> FileDigest {
        do {
            return try FileDigest.compute(path: path)
        } catch {
            throw .integrity([what, "cannot read \(path): \(error.reason)"].compactMap { $0 }.joined(separator: ": "))
        }
    }

    private func removeThumbnail(_ record: ImageRecord) {
        guard !options.keepThumbnails, let path = record.thumbnailPath else { return }
        unlink(path)
    }
}
