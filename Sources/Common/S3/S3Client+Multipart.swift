import FoundationEssentials
import Glibc
import Dispatch

/// Multipart upload: one object sent as up to 10,000 parts, each its own signed request, then assembled.
/// https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html
extension S3Client {
    /// CreateMultipartUpload: starts the upload and returns its `UploadId`. The object's headers (Content-Type,
    /// ACL, Cache-Control, `x-amz-meta-*`, Content-Disposition) go here, not on the parts; `md5` (the whole
    /// file's) is stored as `x-amz-meta-md5`, since the ETag of the assembled object is not its MD5.
    /// https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateMultipartUpload.html
    public func createMultipartUpload(key: String, md5: Data, contentType: String, acl: String? = nil,
                                      cacheControl: String? = nil, extraHeaders: [String: String] = [:]) throws(S3Error) -> String {
        var headers = extraHeaders
        headers["content-type"] = contentType
        headers["x-amz-meta-" + MultipartUpload.md5MetadataKey] = md5.hexString
        if let acl { headers["x-amz-acl"] = acl }
        if let cacheControl { headers["cache-control"] = cacheControl }
        let response = try send("POST", key: key, query: [("uploads", "")], headers: headers)
        return try MultipartUpload.uploadId(fromAnswer: response.body)
    }

    /// UploadPart: one part, streamed from its range of the file, with `Content-MD5` and (over HTTP) its SHA-256 signed,
    /// retried on its own as `retryPolicy` decides.
    /// https://docs.aws.amazon.com/AmazonS3/latest/API/API_UploadPart.html
    /// - Returns: the part's ETag, checked to be the MD5 that was sent.
    public func uploadPart(key: String, uploadId: String, part: MultipartPlan.Part, file: String,
                           md5: Data, sha256: Data) throws(S3Error) -> String {
        let headers = ["content-md5": md5.base64EncodedString(), "content-length": String(part.length)]
        let response = try send("PUT", key: key, query: [("partNumber", String(part.number)), ("uploadId", uploadId)],
                                headers: headers, body: .file(path: file, offset: part.offset, length: part.length),
                                payloadHash: payloadHash(sha256))
        let etag = Self.unquote(response.headers["etag"] ?? "")
        guard etag.lowercased() == md5.hexString else {
            throw .integrity("the server stored part \(part.number) of \(key) with ETag \(etag.isEmpty ? "(none)" : etag), not the MD5 \(md5.hexString) that was sent")
        }
        return etag.lowercased()
    }

    /// CompleteMultipartUpload: assembles the parts, named with their MD5s in order, into the object. The answer
    /// is read whole: an `<Error>` under a 200 is that error (and retried when it is worth it). The object's ETag
    /// is checked against the one its parts make (`MultipartUpload.etag`), from the answer or, when the answer
    /// has none (Ceph's RADOS Gateway 16), from a HEAD. A retry that finds the upload gone (the first attempt
    /// completed it but its answer was lost) is checked the same way.
    /// https://docs.aws.amazon.com/AmazonS3/latest/API/API_CompleteMultipartUpload.html
    /// - Returns: the object's ETag (`<hex>-<parts>`).
    public func completeMultipartUpload(key: String, uploadId: String, partMD5s: [Data]) throws(S3Error) -> String {
        let expected = MultipartUpload.etag(partMD5s: partMD5s)
        let body = MultipartUpload.completeBody(partETags: partMD5s.map(\.hexString))
        let digests = DeleteObjects.digests(of: body)
        let stored: String?
        do throws(S3Error) {
            let response = try send("POST", key: key, query: [("uploadId", uploadId)],
                                    headers: ["content-type": "application/xml", "content-md5": digests.md5],
                                    body: .data(body), payloadHash: digests.sha256, errorsIn200: true)
            switch MultipartUpload.completeAnswer(response.body) {
            case .completed(let etag):
                stored = etag
            case .failed(let error):
                throw S3Error.service(status: response.status, code: error.code, message: error.message,
                                      requestId: error.requestId, attempts: 1)
            case .unreadable:
                throw S3Error.integrity("CompleteMultipartUpload of \(key) gave an answer that is not S3's: \(String(decoding: response.body.prefix(200), as: UTF8.self))")
            }
        } catch .service(404, "NoSuchUpload", _, _, let attempts) where attempts > 1 {
            stored = nil
        }
        var etag = stored ?? ""
        if stored == nil { etag = try headObject(key: key)?.etag ?? "" }
        guard etag.lowercased() == expected else {
            throw .integrity("the server assembled \(key) with ETag \(etag.isEmpty ? "(none)" : etag), not the \(expected) its parts make")
        }
        return etag.lowercased()
    }

    /// AbortMultipartUpload: removes the upload and every part stored for it. Sent once even after Ctrl+C (an
    /// interrupted upload is what it cleans up); an upload already gone (404 NoSuchUpload) counts as aborted.
    /// https://docs.aws.amazon.com/AmazonS3/latest/API/API_AbortMultipartUpload.html
    public func abortMultipartUpload(key: String, uploadId: String) throws(S3Error) {
        _ = try send("DELETE", key: key, query: [("uploadId", uploadId)], accepting: [404], evenIfInterrupted: true)
    }

    /// One page of ListMultipartUploads under `prefix`, after `marker`, with the server's own time (its `Date`
    /// header, in seconds since 1970), so that ages are measured by one clock.
    /// https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListMultipartUploads.html
    public func listMultipartUploads(prefix: String, after marker: MultipartUploadList.Marker? = nil,
                                     maxUploads: Int = 1000) throws(S3Error) -> (page: MultipartUploadList, serverTime: Int64?) {
        var query = [("uploads", ""), ("prefix", prefix), ("max-uploads", String(maxUploads))]
        if let key = marker?.key { query.append(("key-marker", key)) }
        if let id = marker?.uploadId, !id.isEmpty { query.append(("upload-id-marker", id)) }
        let response = try send("GET", key: nil, query: query)
        return (try MultipartUploadList(xml: response.body), response.headers["date"].flatMap(S3Timestamp.parseHTTPDate))
    }

    /// Every incomplete multipart upload under `prefix`, page after page, each once, and the server's time at the
    /// first page. A server that does not move on from one page to the next is an error, not a listing without end.
    public func listAllMultipartUploads(prefix: String, pageSize: Int = 1000) throws(S3Error) -> (uploads: [MultipartUploadList.Upload], serverTime: Int64?) {
        var uploads: [MultipartUploadList.Upload] = []
        var seen: Set<String> = []
        var marker: MultipartUploadList.Marker?
        var serverTime: Int64?
        repeat {
            let (page, time) = try listMultipartUploads(prefix: prefix, after: marker, maxUploads: pageSize)
            serverTime = serverTime ?? time
            uploads += page.uploads.filter { seen.insert($0.uploadId + "\u{0}" + $0.key).inserted }
            let next = try page.next()
            if let next, next == marker {
                throw .integrity("the list of multipart uploads does not move on from \(next.key ?? next.uploadId)")
            }
            marker = next
        } while marker != nil
        return (uploads, serverTime)
    }
}
