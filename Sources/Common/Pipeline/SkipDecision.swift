/// Whether an image is already complete in the bucket: its original is there with the local file's size
/// (with `checksum`, also the local MD5: the ETag of a single-part upload, and for a multipart object, whose ETag
/// is not its MD5, the `x-amz-meta-md5` spaces-put stored with it) and its thumbnail is there
/// too, and so is every one of its `extra_thumbnails`: one missing (a size added to `--thumbnails` since, or
/// a run cut short) means the image goes up again. A pure function of what is known: the caller reads the file, the listing or HEADs tell the objects.
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

    /// The object is the local file as uploaded: the same size, and with `checksum` the same MD5. A multipart
    /// object is compared by its stored MD5, which only a HEAD tells (`needsStoredMD5`): one without it (a
    /// listing's, or uploaded by another tool) does not match, and is uploaded again rather than skipped on a guess.
    public func matches(_ file: LocalFile, _ object: ObjectInfo) -> Bool {
        guard let size = file.size, size == object.size else { return false }
        guard checksum else { return true }
        guard let stored = MultipartUpload.expectedMD5(etag: object.etag, stored: object.userMetadata?[MultipartUpload.md5MetadataKey]) else {
            return false
        }
        return file.md5().map { stored == $0 } ?? false
    }

    /// Whether the original in the bucket is the record's image: an image that comes from the bucket
    /// (`from_bucket`) is that object, whatever it holds; a file, as `matches` says.
    public func originalMatches(_ record: ImageRecord, _ file: LocalFile, _ object: ObjectInfo) -> Bool {
        record.fromBucket == true || matches(file, object)
    }

    /// Whether deciding `object` takes what a HEAD tells and a listing does not: with `checksum`, a multipart
    /// object (its ETag is not its MD5) of the local file's size, known from a listing only.
    public func needsStoredMD5(_ object: ObjectInfo, size: Int64?) -> Bool {
        checksum && object.userMetadata == nil && object.size == size && MultipartUpload.isMultipartETag(object.etag)
    }

    /// The record marked `skipped` (with the objects' ETags and URLs) when every object is there and the
    /// original matches; otherwise the record unchanged, to be uploaded. `extras` are the objects found for
    /// the record's `extra_thumbnails`, in their order.
    public func decide(_ record: ImageRecord, file: LocalFile, original: ObjectInfo?, thumbnail: ObjectInfo?,
                       extras: [ObjectInfo?] = [], publicURL: (String) -> String) -> ImageRecord {
        guard let original, let thumbnail, let thumbnailKey = record.thumbnailKey, originalMatches(record, file, original) else {
            return record
        }
        let wanted = record.extraThumbnails ?? []
        guard extras.count == wanted.count, extras.allSatisfy({ $0 != nil }) else { return record }
        var skipped = record
        skipped.status = .skipped
        skipped.reason = record.fromBucket == true ? "its thumbnails are already there"
            : checksum ? "already uploaded (same MD5)" : "already uploaded (same size)"
        skipped.etag = original.etag
        skipped.url = publicURL(original.key)
        skipped.thumbnailEtag = thumbnail.etag
        skipped.thumbnailSize = thumbnail.size
        skipped.thumbnailUrl = publicURL(thumbnailKey)
        if !wanted.isEmpty {
            skipped.extraThumbnails = zip(wanted, extras).map { extra, object in
                var done = extra
                done.etag = object?.etag
                done.size = object?.size
                done.url = publicURL(extra.key)
                return done
            }
        }
        return skipped
    }

    /// Each record decided from one listing; nil for a record the listing cannot answer for (a key that may
    /// have come back altered), which only a HEAD can decide.
    public func decide(_ records: [ImageRecord], from index: ObjectIndex, file: (ImageRecord) -> LocalFile,
                       publicURL: (String) -> String) -> [ImageRecord?] {
        records.map { record in
            let key = record.key ?? "", thumbnailKey = record.thumbnailKey ?? ""
            let extraKeys = (record.extraThumbnails ?? []).map(\.key)
            guard index.answers(for: key), index.answers(for: thumbnailKey), extraKeys.allSatisfy(index.answers(for:)) else { return nil }
            return decide(record, file: file(record), original: index[key], thumbnail: index[thumbnailKey],
                          extras: extraKeys.map { index[$0] }, publicURL: publicURL)
        }
    }
}
