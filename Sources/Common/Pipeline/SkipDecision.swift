/// Whether an image is already complete in the bucket: its original is there with the local file's size
/// (with `checksum`, also the local MD5 as its ETag, which single-part uploads have) and its thumbnail is there
/// too. A pure function of what is known: the caller reads the file, the listing or HEADs tell the objects.
public struct SkipDecision: Sendable {
    public let checksum: Bool

    public init(checksum: Bool) { self.checksum = checksum }

    /// What is known of a record's local file: its size now (nil when it cannot be read), and its MD5 in hex,
    /// asked for only when `checksum` is on and the sizes match.
    public struct LocalFile {
        public var size: Int64?
        public var md5: () -> String?

        public init(size: Int64?, md5: @escaping () -> String?) {
            self.size = size
            self.md5 = md5
        }
    }

    /// The object is the local file as uploaded: the same size, and with `checksum` the same MD5.
    public func matches(_ file: LocalFile, _ object: ObjectInfo) -> Bool {
        guard let size = file.size, size == object.size else { return false }
        guard checksum else { return true }
        return file.md5().map { object.etag.lowercased() == $0 } ?? false
    }

    /// The record marked `skipped` (with the objects' ETags and URLs) when both objects are there and the
    /// original matches; otherwise the record unchanged, to be uploaded.
    public func decide(_ record: ImageRecord, file: LocalFile, original: ObjectInfo?, thumbnail: ObjectInfo?,
                       publicURL: (String) -> String) -> ImageRecord {
        guard let original, let thumbnail, let thumbnailKey = record.thumbnailKey, matches(file, original) else {
            return record
        }
        var skipped = record
        skipped.status = .skipped
        skipped.reason = checksum ? "already uploaded (same MD5)" : "already uploaded (same size)"
        skipped.etag = original.etag
        skipped.url = publicURL(original.key)
        skipped.thumbnailEtag = thumbnail.etag
        skipped.thumbnailSize = thumbnail.size
        skipped.thumbnailUrl = publicURL(thumbnailKey)
        return skipped
    }

    /// Each record decided from one listing; nil for a record the listing cannot answer for (a key that may
    /// have come back altered), which only a HEAD can decide.
    public func decide(_ records: [ImageRecord], from index: ObjectIndex, file: (ImageRecord) -> LocalFile,
                       publicURL: (String) -> String) -> [ImageRecord?] {
        records.map { record in
            let key = record.key ?? "", thumbnailKey = record.thumbnailKey ?? ""
            guard index.answers(for: key) && index.answers(for: thumbnailKey) else { return nil }
            return decide(record, file: file(record), original: index[key], thumbnail: index[thumbnailKey], publicURL: publicURL)
        }
    }
}
