import Common
import Foundation
import TestSupport
import Testing

/// Thumbnail names that two images could share (issue 32, part 3), through `upload-images` and the bare
/// pipeline, across runs in which images are added, replaced and removed: no two images ever share a
/// thumbnail key, one image's change never touches another's objects, and a result's `thumbnail_key` and
/// `thumbnail_etag` are always its own thumbnail's.
@Suite(.integrationTimeLimit) struct ThumbnailNameTests {
    let script = UploadImagesTests()

    static let photoA = "jpeg/jpeg-grayscale.jpg", photoB = "jpeg/jpeg-jfif-revision-2.jpg", photoC = "png/png-palette-trns.png"
    static let photoD = "jpeg/jpeg-cmyk-adobe.jpg", photoE = "jpeg/jpeg-1x1.jpg", photoF = "gif/gif-animated.gif"

    /// Every thumbnail object's ETag, by key.
    func storedThumbnails(_ bucket: TestBucket) throws -> [String: String] {
        try bucket.objects(prefix: "avatar/thumbnail").mapValues(\.etag)
    }

    func record(_ rel: String, _ results: [ImageRecord]) throws -> ImageRecord {
        try #require(results.first { $0.rel == rel }, "no result for \(rel)")
    }

    @Test(arguments: [(Harness.Server.seaweedfs, "200x300"), (.seaweedfs, "200x300,400x600.webp"), (.rgw, "200x300")])
    func imagesThatWouldShareAThumbnailFailAndNoOtherImageIsTouched(server: Harness.Server, thumbnails: String) throws {
        let bucket = try TestBucket("names", on: server)
        let folder = try TemporaryDirectory()
        let photos = try TemporaryDirectory()
        func put(_ rel: String, _ source: String) throws {
            try? FileManager.default.removeItem(atPath: photos.path + "/" + rel)
            _ = try photos.copy(Corpus.file(source), to: rel)
        }
        func remove(_ rel: String) throws { try FileManager.default.removeItem(atPath: photos.path + "/" + rel) }
        func run(_ extra: String = "") throws -> (status: Int32, results: [ImageRecord], stderr: String) {
            let run = try script.upload("\(Shell.quote(photos.path)) --thumbnails \(thumbnails) \(extra)", bucket: bucket, in: folder)
            let file = try #require(try script.newest("upload_results_", in: folder))
            let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").filter { !$0.contains(#""action":"delete""#) }
            return (run.status, try lines.map { try RecordCoding.decode(Data($0.utf8)) }, run.stderr)
        }
        let specs = try ThumbnailSpec.parseList(thumbnails).get()
        let mapper = KeyMapper(prefix: "avatar")
        /// Every thumbnail key of `rel` under stem names, each spec's.
        func keys(_ rel: String) -> [String] { specs.map { mapper.thumbnailKey(mapper.naturalThumbnailKey(for: rel), for: $0) } }

        // a.jpg, a.jpg.jpg (whose stem-named thumbnail is a.jpg.jpg) and A.JPG (A.jpg, another key by its bytes) share nothing.
        try put("a.jpg", Self.photoA)
        try put("a.jpg.jpg", Self.photoB)
        try put("A.JPG", Self.photoE)
        let first = try run()
        #expect(first.status == 0, "\(first.stderr)")
        let stored = try storedThumbnails(bucket)
        #expect(Set(stored.keys) == Set(keys("a.jpg") + keys("a.jpg.jpg") + keys("A.JPG")))
        let ownA = keys("a.jpg").map { stored[$0] }, ownAA = keys("a.jpg.jpg").map { stored[$0] }, ownCaps = keys("A.JPG").map { stored[$0] }
        #expect(Set(stored.values).count == stored.count, "three images, three different thumbnails per spec")

        // a.png and a.jpeg join a.jpg's stem: the three fail, each naming the others; the rest is untouched.
        try put("a.png", Self.photoC)
        try put("a.jpeg", Self.photoF)
        let second = try run()
        #expect(second.status == 1)
        for rel in ["a.jpg", "a.png", "a.jpeg"] {
            let failed = try record(rel, second.results)
            #expect(failed.status == .failed && failed.thumbnailKey == nil && failed.thumbnailEtag == nil, "\(failed)")
            #expect(failed.error?.hasPrefix("its thumbnail key avatar/thumbnail/a.jpg is also that of ") == true, "\(failed)")
        }
        #expect(try record("a.png", second.results).error?.contains("also that of a.jpeg, a.jpg, so none") == true)
        let kept = try record("a.jpg.jpg", second.results)
        #expect(kept.status == .skipped && kept.thumbnailKey == keys("a.jpg.jpg")[0] && kept.thumbnailEtag == ownAA[0], "\(kept)")
        #expect(kept.extraThumbnails?.map(\.etag) == (specs.count > 1 ? Array(ownAA.dropFirst()) : nil))
        #expect(try record("A.JPG", second.results).status == .skipped)
        #expect(try storedThumbnails(bucket) == stored, "nothing changed in the bucket")
        #expect(second.stderr.contains("a.png: its thumbnail key avatar/thumbnail/a.jpg is also that of a.jpeg, a.jpg"), "\(second.stderr)")

        // a.jpg replaced by another photo while it collides: still failed, and a.jpg.jpg's thumbnail is not overwritten.
        try put("a.jpg", Self.photoD)
        #expect(try run().status == 1)
        #expect(try storedThumbnails(bucket) == stored)

        // The others gone: a.jpg goes up again under its own keys, a.jpg.jpg's and A.JPG's stay as they were.
        try remove("a.png")
        try remove("a.jpeg")
        let fourth = try run()
        #expect(fourth.status == 0, "\(fourth.stderr)")
        #expect(try record("a.jpg", fourth.results).status == .uploaded)
        let now = try storedThumbnails(bucket)
        #expect(keys("a.jpg.jpg").map { now[$0] } == ownAA && keys("A.JPG").map { now[$0] } == ownCaps)
        #expect(keys("a.jpg").map { now[$0] } != ownA, "a.jpg's thumbnails are of its new photo")
        #expect(try record("a.jpg", fourth.results).thumbnailEtag == now[keys("a.jpg")[0]])

        // a.jpg removed from the folder but still in the bucket, a.png back: a.png's thumbnail would replace
        // a.jpg's, so spaces-exists fails it (by its listing here, by a LIST of the stem in the bare pipeline).
        try remove("a.jpg")
        try put("a.png", Self.photoC)
        let fifth = try run()
        #expect(fifth.status == 1)
        let refused = try record("a.png", fifth.results)
        #expect(refused.status == .failed && refused.error?.hasPrefix("its thumbnail key avatar/thumbnail/a.jpg is also that of avatar/original/a.jpg, which is in the bucket") == true, "\(refused)")
        let bare = try Shell.run("""
            img-scan --thumbnails \(thumbnails) \(Shell.quote(photos.path)) | spaces-exists --strategy head --env-file \(bucket.envFile) \
            | img-thumb --out \(Shell.quote(folder.path))/t | spaces-put --env-file \(bucket.envFile)
            """, environment: ["TMPDIR": folder.path])
        #expect(try bare.records().first { $0.rel == "a.png" }?.error == refused.error)
        #expect(try storedThumbnails(bucket) == now)

        // Pruning a.jpg's original ends it: its thumbnail stays (a.png's stem claims it), and the next run
        // gives that key a.png's thumbnail.
        let pruned = try run("--delete-removed")
        #expect(pruned.status == 1 && pruned.stderr.contains("deleted:    1 object"), "\(pruned.stderr)")
        #expect(try bucket.objects(prefix: "avatar/original/")["avatar/original/a.jpg"] == nil)
        let sixth = try run()
        #expect(sixth.status == 0, "\(sixth.stderr)")
        let png = try record("a.png", sixth.results)
        let last = try storedThumbnails(bucket)
        #expect(png.status == .uploaded && png.thumbnailKey == keys("a.png")[0] && png.thumbnailEtag == last[keys("a.png")[0]])
        #expect(keys("a.jpg.jpg").map { last[$0] } == ownAA)
    }

    /// `--thumbnail-names full`: every image keeps its whole name, so none collides, whatever is beside it.
    @Test func fullNamesTakeEveryImage() throws {
        let bucket = try TestBucket("fullnames", on: .seaweedfs)
        let folder = try TemporaryDirectory()
        let photos = try TemporaryDirectory()
        let files = ["a.jpg": Self.photoA, "a.jpg.jpg": Self.photoB, "a.png": Self.photoC, "A.JPG": Self.photoE, "a.jpeg": Self.photoD]
        for (rel, source) in files { _ = try photos.copy(Corpus.file(source), to: rel) }
        let run = try script.upload("\(Shell.quote(photos.path)) --thumbnail-names full", bucket: bucket, in: folder)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(Set(try storedThumbnails(bucket).keys) == Set(files.keys.map { "avatar/thumbnail/\($0).jpg" }))
        #expect(try script.results(in: folder).allSatisfy { $0.thumbnailKey == "avatar/thumbnail/\($0.rel).jpg" })
        #expect(try script.upload("\(Shell.quote(photos.path)) --thumbnail-names other", bucket: bucket, in: folder).status == 64)
    }
}
