import Common
import Foundation
import TestSupport
import Testing

/// `José.jpg` as macOS writes it (NFD, `Jose\u{301}`) and as most other tools do (NFC, `Jos\u{E9}`): Swift's
/// `String ==` calls them equal, but they are two files on Linux and two keys in S3. Every stage keeps them apart.
@Suite(.integrationTimeLimit) struct UnicodeTwinTests {
    static let nfc = "Jos\u{E9}.jpg"
    static let nfd = "Jose\u{301}.jpg"

    func bytes(_ text: String?) -> [UInt8] { Array((text ?? "").utf8) }

    /// The record whose `rel` has exactly these bytes.
    func record(_ rel: String, in records: [ImageRecord]) throws -> ImageRecord {
        try #require(records.first { $0.rel.utf8.elementsEqual(rel.utf8) }, "no record for \(bytes(rel))")
    }

    /// Upload the NFC twin alone, then look at a folder holding both: the NFD one is not there yet, whatever its
    /// size. The two files have the same size, so only the key can tell them apart (as without --checksum).
    @Test(arguments: ["head", "list", "auto"])
    func theTwinOfAnUploadedImageIsNotSkipped(strategy: String) throws {
        let bucket = try TestBucket("twins")
        let photos = try TemporaryDirectory()
        let source = Corpus.file("jpeg/jpeg-1x1.jpg")
        try photos.copy(source, to: Self.nfc)
        var other = try Data(contentsOf: URL(fileURLWithPath: source))
        other[other.count / 2] ^= 0xFF
        // A stand-in thumbnail for both: only the keys matter here.
        let work = try TemporaryDirectory()
        let thumbnail = try work.copy(source, to: "thumbnail.jpg")
        let upload = "jq -c --arg t \(Shell.quote(thumbnail)) '. + {thumbnail_path: $t}' | spaces-put --keep-thumbnails --env-file \(bucket.envFile)"
        let first = try Shell.run("img-scan \(photos.path) | \(upload)")
        try #require(first.status == 0, "\(first.stderr)")
        try other.write(to: URL(fileURLWithPath: photos.path + "/" + Self.nfd))

        let check = "img-scan \(photos.path) | spaces-exists --strategy \(strategy) --env-file \(bucket.envFile)"
        let once = try Shell.run(check)
        #expect(once.status == 0, "\(once.stderr)")
        let records = try once.records()
        #expect(records.count == 2)
        let uploaded = try record(Self.nfc, in: records), twin = try record(Self.nfd, in: records)
        #expect(uploaded.status == .skipped)
        #expect(uploaded.url?.hasSuffix("/avatar/original/" + URIEncoding.encode(Self.nfc, keepSlash: true)) == true, "\(uploaded.url ?? "")")
        #expect(twin.status == nil, "the NFD twin is not in the bucket: \(twin)")

        let second = try Shell.run("img-scan \(photos.path) | spaces-exists --env-file \(bucket.envFile) | \(upload)")
        #expect(second.status == 0, "\(second.stderr)")
        let both = try Shell.run(check)
        #expect(try both.records().allSatisfy { $0.status == .skipped }, "\(both.stdout)")
        #expect(try bucket.objectList().count == 4)
    }

    /// The whole pipeline with both twins, two different pictures: both originals and both thumbnails arrive, each
    /// under its own key with its own bytes, and the results' ETags are what the bucket holds. A second run skips both.
    @Test(arguments: [Harness.Server.seaweedfs, .moto])
    func bothTwinsArriveWithTheirOwnThumbnails(server: Harness.Server) throws {
        let bucket = try TestBucket("twinpipe", on: server)
        let photos = try TemporaryDirectory()
        try photos.copy(Corpus.file("jpeg/jpeg-grayscale.jpg"), to: Self.nfc)
        try photos.copy(Corpus.file("exif/exif-orient-3.jpg"), to: Self.nfd)
        let work = try TemporaryDirectory()
        let line = "img-scan \(photos.path) | spaces-exists --env-file \(bucket.envFile) | img-thumb --out \(work.path)/thumbs"
            + " | spaces-put --env-file \(bucket.envFile)"
        let run = try Shell.run(line)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(!run.stderr.contains("thumbnail name"), "no collision between twins: \(run.stderr)")
        let records = try run.records()
        #expect(records.count == 2 && records.allSatisfy { $0.status == .uploaded }, "\(run.stdout)")
        let stored = try bucket.objectList()
        #expect(stored.count == 4, "\(stored.map { bytes($0.key) })")
        for rel in [Self.nfc, Self.nfd] {
            let record = try record(rel, in: records)
            #expect(bytes(record.key) == bytes("avatar/original/\(rel)"))
            #expect(bytes(record.thumbnailKey) == bytes("avatar/thumbnail/\(rel)"))
            let original = try #require(stored.exactly(record.key!), "\(bytes(record.key))")
            #expect(original.md5 == (try FileDigest.compute(path: record.path)).md5.hexString)
            #expect(record.etag == original.etag)
            let thumbnail = try #require(stored.exactly(record.thumbnailKey!), "\(bytes(record.thumbnailKey))")
            #expect(thumbnail.whole_jpeg && thumbnail.md5 == record.thumbnailEtag, "\(rel): the results name a thumbnail the bucket does not hold")
        }
        #expect(Set(records.compactMap(\.thumbnailEtag)).count == 2, "two pictures, two thumbnails")

        let again = try Shell.run(line)
        #expect(again.status == 0, "\(again.stderr)")
        let skipped = try again.records()
        #expect(skipped.count == 2 && skipped.allSatisfy { $0.status == .skipped }, "\(again.stdout)")
        for record in skipped {
            #expect(record.etag == stored.exactly(record.key!)?.etag && record.thumbnailEtag == stored.exactly(record.thumbnailKey!)?.etag)
        }
    }
}
