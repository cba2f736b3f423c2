/// What `--meta KEY=VALUE` and `--content-disposition VALUE` store with the objects: user metadata
/// (`x-amz-meta-KEY: VALUE`) on originals and thumbnails, a `Content-Disposition` on originals only. Both are
/// sent as headers and signed with the rest (SigV4 signs every header sent).
/// https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingMetadata.html#UserMetadata
///
/// The rules, checked before any work (upload-images' options.bash checks the same):
/// - KEY: ASCII letters, digits and `-`, stored lowercase (S3 lowercases them; `Photographer` and
///   `photographer` are one key, so giving both is refused). `_` is refused: Ceph's RADOS Gateway, which
///   Spaces runs on, stores `user_id` as `user-id`. Other punctuation is refused too: proxies in front of a
///   store (nginx by default) drop headers whose names hold anything else.
/// - VALUE: printable US-ASCII (space to `~`), not empty, no leading or trailing space: S3 metadata travels in
///   HTTP headers, which cannot carry control characters, and HTTP trims those spaces.
/// - Keys and values together at most 2 KB, S3's limit for user metadata.
/// - `md5` is reserved: multipart originals carry their MD5 under it (`MultipartUpload.md5MetadataKey`), which
///   `spaces-exists --checksum` trusts.
public struct ObjectMetadata: Sendable, Equatable {
    /// Keys lowercased, without the `x-amz-meta-` prefix.
    public private(set) var userMetadata: [String: String] = [:]
    public private(set) var contentDisposition: String?

    public static let maximumBytes = 2048

    public init() {}

    /// Parses `--meta` arguments (`KEY=VALUE`, split at the first `=`) and `--content-disposition`.
    public init(meta: [String], contentDisposition: String? = nil) throws(ObjectMetadata.Problem) {
        var total = 0
        for argument in meta {
            guard let equals = argument.firstIndex(of: "=") else {
                throw Problem("--meta must be KEY=VALUE (got '\(argument)')")
            }
            let key = String(argument[..<equals]), value = String(argument[argument.index(after: equals)...])
            guard Self.isKey(key) else {
                let why = key.contains("_") ? "; '_' would be stored as '-' by Spaces' RADOS Gateway" : ""
                throw Problem("--meta KEY must be ASCII letters, digits and '-' (got '\(key)'\(why))")
            }
            guard Self.isValue(value) else {
                throw Problem("--meta \(key)=VALUE: VALUE must be printable US-ASCII, not empty, without leading or trailing spaces")
            }
            let lowered = key.lowercased()
            guard lowered != MultipartUpload.md5MetadataKey else {
                throw Problem("--meta \(lowered) is reserved: spaces-put stores the MD5 of every original uploaded in parts under it")
            }
            guard userMetadata[lowered] == nil else {
                throw Problem("--meta \(lowered) is given twice (keys are stored lowercase)")
            }
            userMetadata[lowered] = value
            total += key.utf8.count + value.utf8.count
        }
        guard total <= Self.maximumBytes else {
            throw Problem("--meta keys and values come to \(total) bytes, over the \(Self.maximumBytes) that S3 allows")
        }
        if let contentDisposition {
            guard Self.isValue(contentDisposition) else {
                throw Problem("--content-disposition must be printable US-ASCII, not empty, without leading or trailing spaces")
            }
            self.contentDisposition = contentDisposition
        }
    }

    /// The headers that store it with an original (`original`) or a thumbnail.
    public func headers(original: Bool) -> [String: String] {
        var headers: [String: String] = [:]
        for (key, value) in userMetadata { headers["x-amz-meta-" + key] = value }
        if original, let contentDisposition { headers["content-disposition"] = contentDisposition }
        return headers
    }

    static func isKey(_ key: String) -> Bool {
        !key.isEmpty && key.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
    }

    static func isValue(_ value: String) -> Bool {
        let bytes = Array(value.utf8)
        return !bytes.isEmpty && bytes.first != 0x20 && bytes.last != 0x20 && bytes.allSatisfy { (0x20...0x7E).contains($0) }
    }

    /// A rule broken, as one line naming the option.
    public struct Problem: Error, CustomStringConvertible, Sendable, Equatable {
        public var description: String
        init(_ description: String) { self.description = description }
    }
}
