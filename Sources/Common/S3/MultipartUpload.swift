import Crypto
import FoundationEssentials
import Glibc
import Dispatch

/// The documents of a multipart upload: CreateMultipartUpload's answer, CompleteMultipartUpload's request
/// body and answer, and the ETag S3 gives the object it assembles.
/// https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateMultipartUpload.html
/// https://docs.aws.amazon.com/AmazonS3/latest/API/API_CompleteMultipartUpload.html
public enum MultipartUpload {
    /// The user metadata key under which spaces-put stores the whole file's MD5 (hex), as `x-amz-meta-md5`:
    /// a multipart object's ETag is not its MD5, so resuming with `--checksum` compares this instead.
    public static let md5MetadataKey = "md5"

    /// The `UploadId` of CreateMultipartUpload's answer.
    static func uploadId(fromAnswer xml: Data) throws(S3Error) -> String {
        guard let id = XMLFields.collect(xml, names: ["UploadId"])["UploadId"]?.first, !id.isEmpty else {
            throw .integrity("CreateMultipartUpload answered without an UploadId: \(String(decoding: xml.prefix(200), as: UTF8.self))")
        }
        return id
    }

    /// The request body naming every part in order, each with the ETag its UploadPart answered (its MD5 in hex).
    static func completeBody(partETags: [String]) -> Data {
        var xml = #"<?xml version="1.0" encoding="UTF-8"?><CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">"#
        for (index, etag) in partETags.enumerated() {
            xml += "<Part><PartNumber>\(index + 1)</PartNumber><ETag>\"\(etag)\"</ETag></Part>"
        }
        xml += "</CompleteMultipartUpload>"
        return Data(xml.utf8)
    }

    /// What a CompleteMultipartUpload answer says. S3 answers 200 at once and keeps the connection alive with
    /// spaces while it assembles the object, so a failure can arrive as an `<Error>` inside a 200.
    enum CompleteAnswer: Equatable {
        /// The object is assembled; its ETag, when the answer gives one (Ceph's RADOS Gateway 16 sends `<ETag></ETag>`).
        case completed(etag: String?)
        /// An `<Error>` document, whatever the status.
        case failed(S3ErrorBody)
        /// Neither: cut short, or not S3's answer.
        case unreadable
    }

    static func completeAnswer(_ xml: Data) -> CompleteAnswer {
        let fields = XMLFields.parse(xml, names: ["ETag"])
        switch fields.events.first?.name {
        case "Error": return .failed(S3ErrorBody(xml: xml))
        case "CompleteMultipartUploadResult": break
        default: return .unreadable
        }
        let etag = fields.values["ETag"]?.first.map(S3Client.unquote) ?? ""
        return .completed(etag: etag.isEmpty ? nil : etag)
    }

    /// Whether a body holds an S3 `<Error>` document (for answers that can carry one under a 200).
    static func holdsError(_ xml: Data) -> Bool {
        XMLFields.parse(xml, names: []).events.first?.name == "Error"
    }

    /// The ETag S3 gives an object assembled from parts: the MD5 of the parts' MD5s (as bytes, in order), a dash,
    /// and the number of parts. Not documented by AWS, but what S3, Ceph's RADOS Gateway (so Spaces), SeaweedFS
    /// and MinIO all compute, so the object can be checked whole against what was sent.
    public static func etag(partMD5s: [Data]) -> String {
        var md5 = Insecure.MD5()
        for part in partMD5s { md5.update(data: part) }
        return Data(md5.finalize()).hexString + "-\(partMD5s.count)"
    }

    /// Whether an ETag has the multipart form (`<32 hex digits>-<parts>`), so is not the object's MD5.
    /// The MD5 (lowercase hex) an object's bytes must have: its ETag when it went up in one PUT, else the MD5
    /// spaces-put stored with it (`x-amz-meta-md5`); nil when neither says (another tool's object in parts).
    public static func expectedMD5(etag: String, stored: String?) -> String? {
        let md5 = isMultipartETag(etag) ? stored : etag
        return md5.flatMap { $0.isEmpty ? nil : $0.lowercased() }
    }

    public static func isMultipartETag(_ etag: String) -> Bool {
        let pieces = etag.split(separator: "-", omittingEmptySubsequences: false)
        guard pieces.count == 2, pieces[0].count == 32, pieces[0].allSatisfy(\.isHexDigit),
              !pieces[1].isEmpty, pieces[1].allSatisfy(\.isASCII), Int(pieces[1]) != nil else { return false }
        return true
    }
}
