import Foundation
import TestSupport
import Testing
@testable import Common

/// When an image counts as already uploaded: decided from what is known, with no file and no server.
@Suite(.unitTimeLimit) struct SkipDecisionTests {
    let record = ImageRecord(path: "/p/a.jpg", rel: "a.jpg", size: 10, key: "avatar/original/a.jpg", thumbnailKey: "avatar/thumbnail/a.jpg")
    let original = ObjectInfo(key: "avatar/original/a.jpg", size: 10, etag: "0123456789abcdef0123456789abcdef")
    let thumbnail = ObjectInfo(key: "avatar/thumbnail/a.jpg", size: 7, etag: "fedcba9876543210fedcba9876543210")
    func url(_ key: String) -> String { "https://b.example/" + key }
    func file(size: Int64?, md5: String? = nil) -> SkipDecision.LocalFile { .init(size: size) { md5 } }

    @Test func bothObjectsThereWithTheFilesSizeIsSkipped() {
        let decided = SkipDecision(checksum: false).decide(record, file: file(size: 10), original: original, thumbnail: thumbnail, publicURL: url)
        #expect(decided.status == .skipped && decided.reason == "already uploaded (same size)")
        #expect(decided.etag == original.etag && decided.thumbnailEtag == thumbnail.etag && decided.thumbnailSize == 7)
        #expect(decided.url == "https://b.example/avatar/original/a.jpg" && decided.thumbnailUrl == "https://b.example/avatar/thumbnail/a.jpg")
    }

    /// An image of the bucket (spaces-ls) is its original, whatever a file says: its thumbnails decide.
    @Test func anImageOfTheBucketIsSkippedWhenItsThumbnailsAreThere() {
        var listed = record
        listed.fromBucket = true
        listed.path = "s3://b/avatar/original/a.jpg"
        let decided = SkipDecision(checksum: true).decide(listed, file: file(size: nil), original: original, thumbnail: thumbnail, publicURL: url)
        #expect(decided.status == .skipped && decided.reason == "its thumbnails are already there")
        #expect(SkipDecision(checksum: true).decide(listed, file: file(size: nil), original: original, thumbnail: nil, publicURL: url) == listed)
    }

    @Test(arguments: [
        ("no original", nil, true, Int64?(10)),
        ("no thumbnail", "o", false, Int64?(10)),
        ("another size", "o", true, Int64?(11)),
        ("the file is gone", "o", true, Int64?.none),
    ] as [(String, String?, Bool, Int64?)])
    func anythingMissingOrDifferentMeansUploadAgain(_ why: String, _ hasOriginal: String?, _ hasThumbnail: Bool, _ size: Int64?) {
        let decided = SkipDecision(checksum: false).decide(record, file: file(size: size), original: hasOriginal == nil ? nil : original,
                                                           thumbnail: hasThumbnail ? thumbnail : nil, publicURL: url)
        #expect(decided == record, "\(why)")
    }

    /// With --thumbnails 200x300,400x600: the 2x thumbnail missing (added to the list since) means upload again.
    @Test func everyExtraThumbnailMustBeThereToo() {
        var wanting = record
        wanting.extraThumbnails = [.init(key: "avatar/thumbnail-400x600/a.jpg", spec: "400x600")]
        let big = ObjectInfo(key: "avatar/thumbnail-400x600/a.jpg", size: 20, etag: "aa")
        let decision = SkipDecision(checksum: false)
        #expect(decision.decide(wanting, file: file(size: 10), original: original, thumbnail: thumbnail, extras: [nil], publicURL: url) == wanting)
        #expect(decision.decide(wanting, file: file(size: 10), original: original, thumbnail: thumbnail, publicURL: url) == wanting)
        let done = decision.decide(wanting, file: file(size: 10), original: original, thumbnail: thumbnail, extras: [big], publicURL: url)
        #expect(done.status == .skipped)
        #expect(done.extraThumbnails?.first?.etag == "aa" && done.extraThumbnails?.first?.size == 20
                && done.extraThumbnails?.first?.url == "https://b.example/avatar/thumbnail-400x600/a.jpg")
        // From a listing: the extra key is looked up like the others.
        let index = ObjectIndex(pages: [ListPage(objects: [original, thumbnail], isTruncated: false, keysWereURLEncoded: true)])
        #expect(decision.decide([wanting], from: index, file: { _ in self.file(size: 10) }, publicURL: url) == [wanting])
        #expect(ListingPlan.keys(of: [wanting]) == ["avatar/original/a.jpg", "avatar/thumbnail/a.jpg", "avatar/thumbnail-400x600/a.jpg"])
    }

    @Test func withChecksumTheMD5MustBeTheETag() {
        let decision = SkipDecision(checksum: true)
        let same = decision.decide(record, file: file(size: 10, md5: original.etag), original: original, thumbnail: thumbnail, publicURL: url)
        #expect(same.status == .skipped && same.reason == "already uploaded (same MD5)")
        let edited = decision.decide(record, file: file(size: 10, md5: String(repeating: "0", count: 32)), original: original, thumbnail: thumbnail, publicURL: url)
        #expect(edited == record)
        // The MD5 is asked for only when the sizes match: reading a big file for nothing costs time.
        var asked = false
        _ = decision.matches(.init(size: 11) { asked = true; return nil }, original)
        #expect(!asked)
    }

    /// A multipart object's ETag is not its MD5: `--checksum` compares the `x-amz-meta-md5` spaces-put stored with
    /// it, which only a HEAD gives. Without it (a listing's object, or another tool's upload) it is uploaded again.
    @Test func withChecksumAMultipartObjectIsComparedByItsStoredMD5() {
        let decision = SkipDecision(checksum: true)
        let md5 = "55c66429cf69f1165bc9813372effe1b"
        let listed = ObjectInfo(key: original.key, size: 10, etag: "bfe7c6bdaae057ed1bc8e246a417606b-5")
        #expect(decision.needsStoredMD5(listed, size: 10))
        #expect(!decision.needsStoredMD5(listed, size: 11), "another size: no request needed to tell")
        #expect(!SkipDecision(checksum: false).needsStoredMD5(listed, size: 10))
        #expect(!decision.needsStoredMD5(original, size: 10), "a single-part ETag is the MD5 already")
        #expect(!decision.matches(file(size: 10, md5: md5), listed), "never skipped on a guess")

        var headed = listed
        headed.userMetadata = ["md5": md5, "photographer": "x"]
        #expect(!decision.needsStoredMD5(headed, size: 10))
        let same = decision.decide(record, file: file(size: 10, md5: md5), original: headed, thumbnail: thumbnail, publicURL: url)
        #expect(same.status == .skipped && same.etag == headed.etag)
        #expect(decision.decide(record, file: file(size: 10, md5: String(repeating: "0", count: 32)), original: headed,
                                thumbnail: thumbnail, publicURL: url) == record, "edited, same size")
        headed.userMetadata = [:]
        #expect(!decision.matches(file(size: 10, md5: md5), headed), "uploaded in parts by another tool, without the MD5")
        #expect(SkipDecision(checksum: false).matches(file(size: 10), listed), "without --checksum the size is enough")
    }

    @Test func aListingDecidesWhatItCanAndLeavesTheRestToHead() {
        let index = ObjectIndex(pages: [ListPage(objects: [original, thumbnail], isTruncated: false, keysWereURLEncoded: false)])
        var other = record
        other.key = "avatar/original/\u{1}.jpg"
        let decided = SkipDecision(checksum: false).decide([record, other], from: index, file: { _ in file(size: 10) }, publicURL: url)
        #expect(decided[0]?.status == .skipped)
        #expect(decided[1] == nil, "a key XML cannot carry, from a listing that was not url-encoded: only a HEAD can tell")
    }
}
