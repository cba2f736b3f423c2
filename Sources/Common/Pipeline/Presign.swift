import FoundationEssentials

/// `--presign DURATION`: result records also carry presigned GET URLs of their objects, so that a private
/// bucket's images can be seen (the review page, a link sent to someone) without credentials, until they
/// expire. S3 allows at most 7 days.
public struct Presign: Sendable, Equatable {
    public static let longest = 7 * 86_400
    public static let rule = "--presign must be a duration from 1s to 7d, as 900s, 15m, 12h or 7d"

    public let seconds: Int

    /// `15m`, `12h`, `7d`, `900s`: a whole number and a unit, at most 7 days.
    public init?(parsing text: String) {
        guard let seconds = IncompleteUploads.parseAge(text), seconds >= 1, seconds <= Int64(Self.longest) else { return nil }
        self.seconds = Int(seconds)
    }

    /// `record` with presigned URLs of its original and thumbnails, when it was uploaded or skipped.
    public func signing(_ record: ImageRecord, now: Date = Date(), url: (String, Int, Date) -> String) -> ImageRecord {
        guard record.status == .uploaded || record.status == .skipped, let key = record.key else { return record }
        var signed = record
        signed.presignedUrl = url(key, seconds, now)
        signed.presignedThumbnailUrl = record.thumbnailKey.map { url($0, seconds, now) }
        signed.extraThumbnails = record.extraThumbnails?.map { extra in
            var extra = extra
            extra.presignedUrl = url(extra.key, seconds, now)
            return extra
        }
        signed.presignedExpires = Self.timestamp(now.addingTimeInterval(Double(seconds)))
        return signed
    }

    /// `record` without presigned URLs (a record read back from an earlier run's results): a URL that is not
    /// this run's own is never passed on as if it were.
    public static func unsigned(_ record: ImageRecord) -> ImageRecord {
        guard record.presignedUrl != nil || record.presignedThumbnailUrl != nil || record.presignedExpires != nil
                || record.extraThumbnails?.contains(where: { $0.presignedUrl != nil }) == true else { return record }
        var plain = record
        plain.presignedUrl = nil
        plain.presignedThumbnailUrl = nil
        plain.presignedExpires = nil
        plain.extraThumbnails = record.extraThumbnails?.map { var extra = $0; extra.presignedUrl = nil; return extra }
        return plain
    }

    /// `2026-12-07T10:00:00Z`.
    static func timestamp(_ date: Date) -> String {
        let amz = SigV4Signer.timestamps(date).amzDate  // 20261207T100000Z
        let d = Array(amz)
        return String(d[0..<4]) + "-" + String(d[4..<6]) + "-" + String(d[6..<8]) + "T" + String(d[9..<11]) + ":" + String(d[11..<13]) + ":" + String(d[13..<15]) + "Z"
    }
}
