import FoundationEssentials
import Glibc
import Dispatch

/// One page of a ListMultipartUploads answer: the multipart uploads started under a prefix and neither completed
/// nor aborted, each with its key, id and when it was started. Their parts are stored, and billed, until the
/// upload is aborted (Spaces removes them after 30 days).
/// https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListMultipartUploads.html
///
/// Asked for without `encoding-type=url`: SeaweedFS ignores it, and Ceph's RADOS Gateway encodes the keys without
/// saying so (no `<EncodingType>` in the answer), so that an encoded key could not be told from a plain one.
/// spaces-put starts multipart uploads only for keys XML carries unaltered (`ListPage.survivesXML`).
public struct MultipartUploadList: Sendable {
    public struct Upload: Sendable, Equatable {
        public var key: String
        public var uploadId: String
        /// When it was started, in seconds since 1970 by the server's clock; nil when the answer's time is unreadable.
        public var initiated: Int64?
    }

    /// Where a page of the listing starts: after this key and, among that key's uploads, after this upload; or,
    /// without a key, after this upload in the server's own order (SeaweedFS's way).
    public struct Marker: Sendable, Equatable {
        public var key: String?
        public var uploadId: String
    }

    public var uploads: [Upload] = []
    public var isTruncated = false
    public var nextKeyMarker: String?
    public var nextUploadIdMarker: String?

    init(uploads: [Upload], isTruncated: Bool = false, nextKeyMarker: String? = nil, nextUploadIdMarker: String? = nil) {
        self.uploads = uploads
        self.isTruncated = isTruncated
        self.nextKeyMarker = nextKeyMarker
        self.nextUploadIdMarker = nextUploadIdMarker
    }

    init(xml: Data) throws(S3Error) {
        let parsed = XMLFields.parse(xml, names: ["Key", "UploadId", "Initiated", "IsTruncated", "NextKeyMarker", "NextUploadIdMarker"])
        guard parsed.events.first?.name == "ListMultipartUploadsResult" else {
            throw .integrity("ListMultipartUploads answered with something else: \(String(decoding: xml.prefix(200), as: UTF8.self))")
        }
        var current: Upload?
        for event in parsed.events {
            switch event.name {
            case "Upload":
                if let current { uploads.append(current) }
                current = Upload(key: "", uploadId: "", initiated: nil)
            case "Key": current?.key = event.value
            case "UploadId": current?.uploadId = event.value
            case "Initiated": current?.initiated = S3Timestamp.parseISO8601(event.value)
            case "IsTruncated": isTruncated = event.value == "true"
            case "NextKeyMarker": nextKeyMarker = event.value
            case "NextUploadIdMarker": nextUploadIdMarker = event.value
            default: break
            }
        }
        if let current { uploads.append(current) }
    }

    /// Where the next page starts; nil when this page is the last. From `NextKeyMarker` and `NextUploadIdMarker`, as
    /// S3 and Ceph's RADOS Gateway page. SeaweedFS (4.48) gives no `NextKeyMarker`: it lists by upload id and pages
    /// by `upload-id-marker` alone (a `key-marker` there keeps that key's uploads only), so then the upload id
    /// goes on alone.
    func next() throws(S3Error) -> Marker? {
        guard isTruncated else { return nil }
        if let key = nextKeyMarker, !key.isEmpty { return Marker(key: key, uploadId: nextUploadIdMarker ?? "") }
        if let id = nextUploadIdMarker ?? uploads.last?.uploadId, !id.isEmpty { return Marker(key: nil, uploadId: id) }
        throw .integrity("the list of multipart uploads was cut short with nothing to go on from")
    }
}
