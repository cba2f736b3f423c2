import Foundation

/// One page of a ListObjectsV2 answer.
public struct ListPage: Sendable {
    public var objects: [ObjectInfo] = []
    public var isTruncated = false
    public var nextContinuationToken: String?

    init(objects: [ObjectInfo], isTruncated: Bool, nextContinuationToken: String? = nil) {
        self.objects = objects
        self.isTruncated = isTruncated
        self.nextContinuationToken = nextContinuationToken
    }

    init(xml: Data) {
        let parsed = XMLFields.parse(xml, names: ["Key", "Size", "ETag", "IsTruncated", "NextContinuationToken"])
        var current: ObjectInfo?
        for event in parsed.events {
            switch event.name {
            case "Contents":
                if let current { objects.append(current) }
                current = ObjectInfo(key: "", size: 0, etag: "")
            case "Key": current?.key = event.value
            case "Size": current?.size = Int64(event.value) ?? 0
            case "ETag": current?.etag = S3Client.unquote(event.value)
            case "IsTruncated": isTruncated = event.value == "true"
            case "NextContinuationToken": nextContinuationToken = event.value
            default: break
            }
        }
        if let current { objects.append(current) }
    }
}
