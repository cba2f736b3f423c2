import FoundationEssentials
import Glibc
import Dispatch

/// `spaces-put --abort-incomplete AGE`: aborts the multipart uploads under a prefix that were started more than
/// AGE ago and never completed (a run killed with SIGKILL, a machine that lost power), so that their parts stop
/// being billed; Spaces itself removes them only after 30 days. An upload's age is measured by the server's
/// clock alone (its `Initiated` against the listing's `Date` header), so a client clock that is off cannot
/// make a running upload look old.
public struct IncompleteUploads {
    public let client: S3Client
    /// Uploads per ListMultipartUploads page: S3's 1,000; tests make it small.
    public var pageSize = 1000
    /// Receives one line per upload that could not be aborted or whose age is unknown.
    let report: (String) -> Void

    public init(client: S3Client, report: @escaping (String) -> Void) {
        self.client = client
        self.report = report
    }

    /// The rule `--abort-incomplete` follows, as one line naming the option.
    public static let ageRule = "--abort-incomplete must be an age as 30s, 90m, 24h or 7d (a whole number and one of s, m, h, d)"

    /// `30s`, `90m`, `24h`, `7d` in seconds (`0s` is every incomplete upload, those still running too); nil for
    /// anything else.
    public static func parseAge(_ text: String) -> Int64? {
        let units: [Character: Int64] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
        guard let unit = text.last.flatMap({ units[$0] }) else { return nil }
        let digits = text.dropLast()
        guard (1...7).contains(digits.count), digits.allSatisfy({ $0.isASCII && $0.isNumber }), let number = Int64(digits) else { return nil }
        return number * unit
    }

    /// The uploads started at least `age` seconds before `now` (both by the server's clock), in listing order.
    public static func older(_ uploads: [MultipartUploadList.Upload], than age: Int64, now: Int64) -> [MultipartUploadList.Upload] {
        uploads.filter { upload in upload.initiated.map { now - $0 >= age } ?? false }
    }

    /// The incomplete uploads under `prefix` whose key is `ours`, aborting none: how many, and how long ago the
    /// oldest was started (by the server's clock). What a stopped run left, for upload-images to say so.
    public func left(prefix: String, ours: (String) -> Bool) throws(S3Error) -> (count: Int, oldestAge: Int64?) {
        let (listed, serverTime) = try client.listAllMultipartUploads(prefix: prefix, pageSize: pageSize)
        let now = serverTime ?? Int64(Date().timeIntervalSince1970)
        let uploads = listed.filter { ours($0.key) }
        return (uploads.count, uploads.compactMap(\.initiated).min().map { now - $0 })
    }

    /// `90 s`, `25 min`, `5 h`, `3 days`: an age as a person reads it.
    public static func describe(age seconds: Int64) -> String {
        switch seconds {
        case ..<120: return "\(max(seconds, 0)) s"
        case ..<7_200: return "\(seconds / 60) min"
        case ..<172_800: return "\(seconds / 3_600) h"
        default: return "\(seconds / 86_400) days"
        }
    }

    /// Lists the incomplete uploads under `prefix`, aborts those at least `age` seconds old whose key is
    /// `ours` (an original this toolkit uploads: only originals go in parts), and returns one record per upload
    /// aborted or not abortable. Uploads of other keys are left alone. Throws only when the listing failed.
    public func abort(prefix: String, olderThan age: Int64, ours: (String) -> Bool = { _ in true }) throws(S3Error) -> [AbortRecord] {
        let (listed, serverTime) = try client.listAllMultipartUploads(prefix: prefix, pageSize: pageSize)
        let uploads = listed.filter { ours($0.key) }
        let now = serverTime ?? Int64(Date().timeIntervalSince1970)
        for upload in uploads where upload.initiated == nil {
            report("\(upload.key): the start time of upload \(upload.uploadId) is unreadable; left alone")
        }
        return Self.older(uploads, than: age, now: now).map { upload in
            var record = AbortRecord(upload, now: now)
            do throws(S3Error) {
                try client.abortMultipartUpload(key: upload.key, uploadId: upload.uploadId)
                record.status = .aborted
            } catch {
                record.status = .failed
                record.error = error.description
                report("\(upload.key): incomplete upload \(upload.uploadId) not aborted: \(error)")
            }
            return record
        }
    }
}
