import Common
import Foundation
import TestSupport
import Testing

/// `--thumbnails` end to end: every thumbnail of the list stored under its key with its format's type, and an
/// image one of whose thumbnails went missing uploaded again by the next run.
@Suite(.integrationTimeLimit) struct ThumbnailListTests {
    let uploads = UploadImagesTests()

    @Test func aMissingTwoXThumbnailSendsItsImageUpAgain() throws {
        let bucket = try TestBucket("thumblist")
        let folder = try TemporaryDirectory()
        let photos = try TemporaryDirectory()
        for name in ["a", "b", "c"] { try photos.copy(Corpus.file("jpeg/jpeg-grayscale.jpg"), to: "\(name).jpg") }
        let list = "--thumbnails 200x300,400x600,200x300.webp"
        let first = try uploads.upload("\(Shell.quote(photos.path)) \(list)", bucket: bucket, in: folder)
        #expect(first.status == 0, "\(first.stderr)")
        let stored = try bucket.objects()
        for name in ["a", "b", "c"] {
            #expect(stored["avatar/thumbnail/\(name).jpg"]?.content_type == "image/jpeg")
            #expect(stored["avatar/thumbnail-400x600/\(name).jpg"]?.content_type == "image/jpeg")
            #expect(stored["avatar/thumbnail/\(name).webp"]?.content_type == "image/webp")
        }
        #expect(stored.count == 12)
        let records = try uploads.results(in: folder)
        #expect(records.allSatisfy { $0.extraThumbnails?.map(\.spec) == ["400x600", "200x300.webp"] && $0.extraThumbnails!.allSatisfy { $0.etag != nil } })

        try bucket.delete("avatar/thumbnail-400x600/b.jpg")
        let second = try uploads.upload("\(Shell.quote(photos.path)) \(list)", bucket: bucket, in: folder)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(uploads.summaryCount("uploaded", second) == 1 && uploads.summaryCount("skipped", second) == 2, "\(second.stderr)")
        let again = try uploads.results(in: folder)
        #expect(again.first { $0.rel == "b.jpg" }?.status == .uploaded)
        #expect(try bucket.objects()["avatar/thumbnail-400x600/b.jpg"] != nil)
        // Skipped records carry every thumbnail's URL too.
        #expect(again.filter { $0.status == .skipped }.allSatisfy { $0.extraThumbnails?.allSatisfy { $0.url != nil } == true })
    }
}
