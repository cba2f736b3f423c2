/// The top-level fields of a result line that the run's bookkeeping reads (`RunTally`, `EarlierFailures`), decoded
/// once, leniently: any field may be missing, and no other field (nested or a user's) is ever taken for one.
struct ResultFields: Decodable {
    var path: String?
    var rel: String?
    var status: String?
    var action: String?
    var error: String?
    var reason: String?
    var size: Int64?
    var mtime: Int64?
    var thumbnailSize: Int64?
    var fromBucket: Bool?

    /// The bytes of the original the record sends: none for an image of the bucket, whose original is never written.
    var originalBytes: Int64 { fromBucket == true ? 0 : size ?? 0 }

    enum CodingKeys: String, CodingKey {
        case path, rel, status, action, error, reason, size, mtime
        case thumbnailSize = "thumbnail_size"
        case fromBucket = "from_bucket"
    }
}
