import Common
import Foundation
import TestSupport
import Testing

/// `--presign`: presigned GET URLs (SigV4 query-string signing) in result records, fetched anonymously, as a
/// browser or a person sent the link would, from objects a private bucket refuses to anyone else.
@Suite(.integrationTimeLimit) struct PresignTests {
    /// The HTTP status of an anonymous GET of `url`, and the MD5 of what came back.
    func fetch(_ url: String, into folder: TemporaryDirectory) throws -> (status: Int, md5: String) {
        let body = folder.path + "/body-\(UInt32.random(in: 0...UInt32.max))"
        let run = try Shell.run("curl -s -o \(Shell.quote(body)) -w '%{http_code}' \(Shell.quote(url)); echo; md5sum < \(Shell.quote(body)) | cut -c1-32")
        let lines = run.stdout.split(separator: "\n")
        return (Int(lines.first ?? "") ?? 0, lines.count > 1 ? String(lines[1]) : "")
    }

    /// `url` with the last character of its signature changed.
    func tampered(_ url: String) -> String {
        let last = url.last == "0" ? "1" : "0"
        return String(url.dropLast()) + last
    }

    @Test(arguments: Harness.Server.s3Servers)
    func presignedURLsFetchPrivateObjectsUntilTheyExpireAndNotWhenTampered(server: Harness.Server) throws {
        let bucket = try TestBucket("presign", on: server)
        let photos = try TemporaryDirectory()
        let work = try TemporaryDirectory()
        try photos.copy(Corpus.file("jpeg/jpeg-grayscale.jpg"), to: "a.jpg")
        try photos.copy(Corpus.file("png/png-palette-trns.png"), to: "sub/b c.png")
        let private_ = ["SPACES_ACL": "private"]
        let run = try Shell.run("""
            img-scan --thumbnails 200x300,400x600.webp \(Shell.quote(photos.path)) | img-thumb --out \(Shell.quote(work.path))/t \
            | spaces-put --presign 15m --env-file \(bucket.envFile)
            """, environment: private_)
        #expect(run.status == 0, "\(run.stderr)")
        let records = try run.records()
        #expect(records.count == 2 && records.allSatisfy { $0.status == .uploaded })
        for record in records {
            let url = try #require(record.presignedUrl), thumbnail = try #require(record.presignedThumbnailUrl)
            let extra = try #require(record.extraThumbnails?.first?.presignedUrl)
            #expect(url.contains("X-Amz-Signature=") && url.contains("X-Amz-Expires=900") && !url.contains(bucket.secretKey))
            let expires = try #require(record.presignedExpires)
            #expect(expires.count == 20 && expires.hasSuffix("Z"), "\(expires)")
            // Without the signature the bucket refuses; with it, anyone gets the bytes.
            #expect(try fetch(record.url!, into: work).status == 403, "\(record.url!)")
            let original = try fetch(url, into: work), md5 = try FileDigest.compute(path: record.path).md5.hexString
            #expect(original.status == 200 && original.md5 == md5, "\(url)")
            let thumb = try fetch(thumbnail, into: work)
            #expect(thumb.status == 200 && thumb.md5 == record.thumbnailEtag)
            #expect(try fetch(extra, into: work).status == 200)
            // A changed signature, or the signature of one key on another, is refused.
            #expect(try fetch(tampered(url), into: work).status == 403)
            let otherKey = thumbnail.replacingOccurrences(of: URIEncoding.encode(record.thumbnailKey!, keepSlash: true),
                                                          with: URIEncoding.encode(record.key!, keepSlash: true))
            let swapped = try fetch(otherKey, into: work)
            #expect(otherKey != thumbnail && swapped.status == 403)
        }

        // A resume: spaces-exists signs what it skips.
        let resume = try Shell.run("""
            img-scan \(Shell.quote(photos.path)) --thumbnails 200x300,400x600.webp | spaces-exists --presign 1h --env-file \(bucket.envFile)
            """)
        let skipped = try resume.records()
        #expect(skipped.count == 2 && skipped.allSatisfy { $0.status == .skipped && $0.presignedUrl?.contains("X-Amz-Expires=3600") == true })
        for record in skipped { #expect(try fetch(record.presignedThumbnailUrl!, into: work).status == 200) }

        // Expired: a one-second URL, fetched three seconds later.
        let short = try Shell.run("img-scan \(Shell.quote(photos.path)) | spaces-exists --presign 1s --env-file \(bucket.envFile)")
        let expiring = try #require(try short.records().first?.presignedUrl)
        sleep(3)
        #expect(try fetch(expiring, into: work).status == 403, "\(expiring)")
        #expect(try Shell.run("spaces-put --presign 8d --env-file \(bucket.envFile) </dev/null").stderr.contains(Presign.rule))
    }
}
