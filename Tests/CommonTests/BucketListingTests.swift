import Foundation
import Testing
@testable import Common

/// spaces-ls: each object of a prefix for what the naming rules say it is, page by page.
@Suite(.unitTimeLimit) struct BucketListingTests {
    func objects(_ keys: String...) -> [ObjectInfo] {
        keys.map { var object = ObjectInfo(key: $0, size: 10, etag: "e"); object.lastModified = "2026-12-07T10:00:00.000Z"; return object }
    }

    func decoded(_ lines: [Data]) throws -> [[String: Any]] {
        try lines.map { try #require(try JSONSerialization.jsonObject(with: $0) as? [String: Any]) }
    }

    @Test func originalsAreImageRecordsThumbnailsSayWhatTheyAreOfTheRestIsOther() throws {
        var listing = BucketListing(bucket: "b", prefix: "my photos", thumbnails: [.standard, ThumbnailSpec(width: 400, height: 600, format: .webp)])
        #expect(listing.listedPrefix == "my photos/")
        let lines = listing.lines(for: objects("my photos/notes.txt", "my photos/original/a/é b.jpg", "my photos/original/readme.txt",
                                               "my photos/thumbnail-400x600/a/é b.webp", "my photos/thumbnail/a/é b.jpg")) + listing.finish()
        let fields = try decoded(lines)
        #expect(fields.map { $0["kind"] as? String } == ["other", "original", "other", "thumbnail", "thumbnail"])
        let record = try RecordCoding.decode(lines[1])
        #expect(record.path == "s3://b/my photos/original/a/é b.jpg" && record.rel == "a/é b.jpg" && record.fromBucket == true)
        #expect(record.key == "my photos/original/a/é b.jpg" && record.thumbnailKey == "my photos/thumbnail/a/é b.jpg")
        #expect(record.extraThumbnails?.map(\.key) == ["my photos/thumbnail-400x600/a/é b.webp"])
        #expect(record.etag == "e" && record.size == 10 && record.mtime == 1_796_637_600 && record.status == nil)
        #expect(fields[3]["spec"] as? String == "400x600.webp" && fields[3]["of"] as? String == "a/é b")
        #expect(fields[4]["spec"] as? String == "200x300" && fields[4]["mtime"] as? Int == 1_796_637_600)
        #expect(listing.counts == [.original: 1, .thumbnail: 2, .other: 2] && listing.failedCount == 0)
    }

    @Test func originalsOnlyListsTheOriginalsFolderAndWritesNothingElse() {
        var listing = BucketListing(bucket: "b", prefix: "avatar")
        listing.originalsOnly = true
        #expect(listing.listedPrefix == "avatar/original/")
        #expect(listing.lines(for: objects("avatar/original/x.txt", "avatar/original/.hidden.jpg")).isEmpty && listing.finish().isEmpty)
    }

    /// a.jpg and a.png share a thumbnail under stem names, even split over two pages with other keys between
    /// them (a.b.jpg, a folder a.d/); under full names they do not.
    @Test func originalsSharingAStemFailNamingEachOtherAcrossPages() throws {
        var listing = BucketListing(bucket: "b", prefix: "avatar")
        var lines = listing.lines(for: objects("avatar/original/a.b.jpg", "avatar/original/a.d/x.jpg", "avatar/original/a.jpg"))
        // a.b.jpg's stem group closed at a.d/x.jpg; a.d/x.jpg's at a.jpg; a.jpg waits for what may share its stem.
        #expect(try lines.map { try RecordCoding.decode($0).rel } == ["a.b.jpg", "a.d/x.jpg"])
        lines = listing.lines(for: objects("avatar/original/a.png", "avatar/original/b.jpg"))
        let pair = try lines.map { try RecordCoding.decode($0) }
        #expect(pair.map(\.rel) == ["a.jpg", "a.png"] && pair.allSatisfy { $0.status == .failed })
        #expect(pair[0].error?.contains("also that of a.png") == true && pair[1].error?.contains("also that of a.jpg") == true)
        #expect(try listing.finish().map { try RecordCoding.decode($0).rel } == ["b.jpg"])
        #expect(listing.failedCount == 2)

        var full = BucketListing(bucket: "b", prefix: "avatar", names: .full)
        let all = full.lines(for: objects("avatar/original/a.jpg", "avatar/original/a.png")) + full.finish()
        #expect(try all.map { try RecordCoding.decode($0) }.map(\.thumbnailKey) == ["avatar/thumbnail/a.jpg.jpg", "avatar/thumbnail/a.png.jpg"])
    }

    /// a.jpg waits for what may share its stem (a.png would follow it) but not for the folder a/ ('.' sorts before '/');
    /// a hidden name keeps its whole name as its stem (`.jpg.png` is `.jpg`), as in a scan; a name without an
    /// image extension is no original.
    @Test func aStemWaitsOnlyAsLongAsKeysCouldShareIt() throws {
        var listing = BucketListing(bucket: "b", prefix: "avatar", rules: ScanRules(includeHidden: true))
        var rels: [String] = []
        // In S3's byte order: '-' before '.' before '/'.
        for key in ["avatar/original/.jpg.png", "avatar/original/a-b.jpg", "avatar/original/a.jpg", "avatar/original/a/b.jpg",
                    "avatar/original/a/c.jpg", "avatar/original/noext"] {
            rels += try listing.lines(for: objects(key)).filter { $0.firstRange(of: Data("\"path\"".utf8)) != nil }.map { try RecordCoding.decode($0).rel }
            if key.hasSuffix("a.jpg") { #expect(rels == [".jpg.png", "a-b.jpg"], "a.jpg waits") }
            if key.hasSuffix("a/b.jpg") { #expect(rels == [".jpg.png", "a-b.jpg", "a.jpg"], "a.jpg is out once a/ begins") }
        }
        rels += try listing.finish().map { try RecordCoding.decode($0).rel }
        #expect(rels == [".jpg.png", "a-b.jpg", "a.jpg", "a/b.jpg", "a/c.jpg"])
        #expect(listing.failedCount == 0 && listing.counts[.other] == 1)
        #expect(BucketListing.isPast(stem: "p/a")("p/a/x.jpg") && !BucketListing.isPast(stem: "p/a")("p/a-b.jpg")
                && !BucketListing.isPast(stem: "p/a")("p/a.png") && BucketListing.isPast(stem: "p/a")("p/b.jpg"))
    }

    @Test func aThumbnailsSpecComesFromItsFolderAndExtension() {
        #expect(BucketListing.spec(box: "thumbnail", rel: "a.jpg")?.description == "200x300")
        #expect(BucketListing.spec(box: "thumbnail-400x600", rel: "a/b.avif")?.description == "400x600.avif")
    }
}
