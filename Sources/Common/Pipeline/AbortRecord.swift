import FoundationEssentials

/// One incomplete multipart upload that `--abort-incomplete` aborted, or failed to: one JSON line, keys sorted.
/// `"action":"abort"` tells it from an image record.
public struct AbortRecord: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable {
        case aborted, failed
    }

    public var action = "abort"
    public var key: String
    public var uploadId: String
    /// How long ago it was started, in seconds by the server's clock.
    public var age: Int64?
    public var status: Status?
    public var error: String?

    enum CodingKeys: String, CodingKey {
        case action, key, age, status, error
        case uploadId = "upload_id"
    }

    init(_ upload: MultipartUploadList.Upload, now: Int64) {
        key = upload.key
        uploadId = upload.uploadId
        age = upload.initiated.map { now - $0 }
    }

    public func encoded() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)) ?? Data(#"{"action":"abort","status":"failed"}"#.utf8)
    }
}
