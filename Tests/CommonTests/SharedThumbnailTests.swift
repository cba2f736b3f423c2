import Foundation
import TestSupport
import Testing
@testable import Common

/// Which originals in the bucket share an image's thumbnail key (`spaces-exists`' check).
@Suite(.unitTimeLimit) struct SharedThumbnailTests {
    func record(_ rel: String, prefix: String = "avatar", names: KeyMapper.ThumbnailNames = .stem) -> ImageRecord {
        let keys = KeyMapper(prefix: prefix)
        return ImageRecord(path: "/photos/" + rel, rel: rel, size: 1, mtime: 1, key: keys.originalKey(for: rel),
                           thumbnailKey: keys.thumbnailKey(for: rel, names: names))
    }

    @Test func anotherImageOfTheSameStemIsFoundAndNothingElse() {
        let check = SharedThumbnail()
        let png = record("sub/a.png")
        #expect(check.siblingPrefix(of: png) == "avatar/original/sub/a.")
        let listed = ["avatar/original/sub/a.", "avatar/original/sub/a.png", "avatar/original/sub/a.jpg.jpg", "avatar/original/sub/a.txt",
                      "avatar/original/sub/a.x/b.jpg", "avatar/original/sub/ab.jpg"]
        #expect(check.other(of: png, among: listed) == nil, "its own key, another stem, not an image, a folder")
        #expect(check.other(of: png, among: listed + ["avatar/original/sub/a.JPG"]) == "avatar/original/sub/a.JPG")
        #expect(check.other(of: record("a.jpg.jpg"), among: ["avatar/original/a.jpg"]) == nil, "a.jpg.jpg's thumbnail is a.jpg.jpg, not a.jpg")
        #expect(check.other(of: record("a.jpg"), among: ["avatar/original/a.jpg.png"]) == nil)
        #expect(SharedThumbnail(rules: ScanRules(extensions: ["png"])).other(of: png, among: ["avatar/original/sub/a.JPG"]) == "avatar/original/sub/a.JPG",
                "--extensions png: an a.JPG an earlier run uploaded still owns its thumbnail")
        #expect(SharedThumbnail(rules: ScanRules(extensions: ["png", "raw"])).other(of: png, among: ["avatar/original/sub/a.raw"]) == "avatar/original/sub/a.raw")
        #expect(check.siblingPrefix(of: record("x.jpg", prefix: "")) == "original/x.")
    }

    @Test func fullNamesNeverShare() {
        let full = record("a.png", names: .full)
        #expect(SharedThumbnail().siblingPrefix(of: full) == nil)
        #expect(SharedThumbnail().other(of: full, among: ["avatar/original/a.jpg"]) == nil)
    }

    @Test func aSharedKeyFailsTheRecordNamingTheOriginal() {
        let failed = SharedThumbnail.failing(record("a.png"), sharedWith: "avatar/original/a.jpg")
        #expect(failed.status == .failed)
        #expect(failed.error == "its thumbnail key avatar/thumbnail/a.jpg is also that of avatar/original/a.jpg, which is in the bucket, so it is not uploaded: delete that original (--delete-removed does, when its file is gone), or give every image its full name with --thumbnail-names full")
        #expect(SharedThumbnail.failing(record("a.png"), sharedWith: nil) == record("a.png"))
    }
}
