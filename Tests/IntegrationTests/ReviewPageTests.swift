import Common
import Foundation
import TestSupport
import Testing

/// upload-images' review page, opened in a real browser (Debian's headless Chromium) against Ceph's RADOS
/// Gateway, which serves public-read objects to anyone as Spaces does: every thumbnail must load, each linked
/// to its original, and the failures must be listed with their reasons.
@Suite(.integrationTimeLimit) struct ReviewPageTests {
    let uploads = UploadImagesTests()

    /// Runs headless Chromium on `page`: the DOM after its scripts ran, and a screenshot at `screenshot`.
    func browse(_ page: String, screenshot: String) throws -> String {
        let profile = try TemporaryDirectory()
        let flags = "--headless --no-sandbox --disable-gpu --user-data-dir=\(Shell.quote(profile.path)) --virtual-time-budget=15000"
        let dom = try Shell.run("timeout 120 chromium \(flags) --dump-dom \(Shell.quote("file://" + page)) 2>/dev/null")
        try #require(dom.status == 0, "chromium did not run (scripts/setup installs it): \(dom.status)")
        let shot = try Shell.run("timeout 120 chromium \(flags) --window-size=1100,900 --screenshot=\(Shell.quote(screenshot)) "
                                 + "\(Shell.quote("file://" + page)) 2>/dev/null")
        #expect(shot.status == 0)
        return dom.stdout
    }

    @Test func everyThumbnailLoadsInABrowserAndEveryFailureIsListed() throws {
        let bucket = try TestBucket("review", on: .rgw)
        let folder = try TemporaryDirectory()
        let photos = try TemporaryDirectory()
        for rel in ["photos/photo-exif-zero-length-string.jpg", "png/png-rgba-transparent.png", "exif/exif-orient-6.jpg"] {
            try photos.copy(Corpus.file(rel), to: "ok/" + (rel as NSString).lastPathComponent)
        }
        try photos.copy(Corpus.file("broken/broken-truncated.jpg"), to: "bad <b>&amp;.jpg")
        let run = try uploads.upload("\(Shell.quote(photos.path)) --thumbnails 200x300,400x600,200x300.webp", bucket: bucket, in: folder,
                                     environment: ["SPACES_ACL": "public-read"])
        #expect(run.status == 1, "\(run.stderr)")
        let page = try #require(try uploads.newest("upload_review_", in: folder), "no review page: \(run.stderr)")
        #expect(run.stderr.contains("review page: \(page)"))
        let screenshot = folder.path + "/review.png"
        let dom = try browse(page, screenshot: screenshot)
        #expect(dom.contains("<title>upload-images review: 9 of 9 thumbnails loaded</title>"), "\(dom.prefix(2000))")
        #expect(dom.contains(#"data-loaded="9" data-missing="0""#))
        // Each thumbnail links to its original; the failure is listed with its reason, its name escaped.
        for record in try uploads.results(in: folder) where record.status == .uploaded {
            #expect(dom.contains(#"<img src="\#(record.thumbnailUrl!)""#), "\(record.rel)")
            // Every thumbnail of the list, in the results file and on the page.
            let extras = try #require(record.extraThumbnails)
            #expect(extras.map(\.spec) == ["400x600", "200x300.webp"] && extras.allSatisfy { $0.etag != nil && $0.url != nil })
            for extra in extras { #expect(dom.contains(#"<img src="\#(extra.url!)""#), "\(extra.key)") }
            #expect(extras[1].key.hasSuffix(".webp") && extras[0].key.contains("/thumbnail-400x600/"))
            #expect(dom.contains(#"<a href="\#(record.url!)">\#(record.rel)</a>"#), "\(record.rel)")
        }
        #expect(dom.contains("<code>bad &lt;b&gt;&amp;amp;.jpg</code>: "), "\(dom)")
        #expect(dom.contains("1 failed") && !dom.contains("<b>&amp;"))
        // The screenshot is a real picture of the page (kept when S3TEST_KEEP_SCREENSHOT names a path).
        let png = try Data(contentsOf: URL(fileURLWithPath: screenshot))
        #expect(png.count > 20_000 && png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        if let keep = ProcessInfo.processInfo.environment["S3TEST_KEEP_SCREENSHOT"] {
            try? FileManager.default.removeItem(atPath: keep)
            try FileManager.default.copyItem(atPath: screenshot, toPath: keep)
        }
    }

    /// A private bucket: the page says the thumbnails did not load, rather than showing empty boxes.
    @Test func aPrivateBucketIsNamedOnThePage() throws {
        let bucket = try TestBucket("reviewprivate", on: .rgw)
        let folder = try TemporaryDirectory()
        let photos = try TemporaryDirectory()
        try photos.copy(Corpus.file("jpeg/jpeg-grayscale.jpg"), to: "a.jpg")
        let run = try uploads.upload(Shell.quote(photos.path), bucket: bucket, in: folder, environment: ["SPACES_ACL": "private"])
        #expect(run.status == 0, "\(run.stderr)")
        let dom = try browse(try #require(try uploads.newest("upload_review_", in: folder)), screenshot: folder.path + "/shot.png")
        #expect(dom.contains("0 of 1 thumbnails loaded; 1 did not (a private bucket without --presign, or not uploaded)"), "\(dom.prefix(1500))")
    }

    /// A private bucket on SeaweedFS (which refuses anonymous reads) with --presign: the browser loads every
    /// thumbnail by its presigned URL, counted from the browser itself (each image's naturalWidth); the images
    /// are in path order, the failures and their count at the top.
    @Test func withPresignEveryThumbnailOfAPrivateBucketLoads() throws {
        let bucket = try TestBucket("reviewpresign", on: .seaweedfs)
        let folder = try TemporaryDirectory()
        let photos = try TemporaryDirectory()
        let names = ["b/photo.jpg", "a.png", "c 1.jpg", "a/deep/x.jpg"]
        let sources = ["photos/photo-jolla-phone.jpg", "png/png-rgba-transparent.png", "exif/exif-orient-6.jpg", "photos/webp-lossy-photo.webp"]
        for (name, source) in zip(names, sources) { try photos.copy(Corpus.file(source), to: name) }
        try photos.copy(Corpus.file("broken/broken-truncated.jpg"), to: "z-broken.jpg")
        let run = try uploads.upload("\(Shell.quote(photos.path)) --presign 1h --thumbnails 200x300,200x300.webp", bucket: bucket, in: folder,
                                     environment: ["SPACES_ACL": "private"])
        #expect(run.status == 1, "\(run.stderr)")
        let results = try uploads.results(in: folder)
        let anonymous = try Shell.run("curl -s -o /dev/null -w '%{http_code}' \(Shell.quote(try #require(results.first { $0.status == .uploaded }?.thumbnailUrl)))")
        #expect(anonymous.stdout == "403", "the bucket is private: \(anonymous.stdout)")
        let page = try #require(try uploads.newest("upload_review_", in: folder), "no review page: \(run.stderr)")
        let screenshot = folder.path + "/review.png"
        let dom = try browse(page, screenshot: screenshot)
        #expect(dom.contains("<title>upload-images review: 8 of 8 thumbnails loaded</title>"), "\(dom.prefix(3000))")
        #expect(dom.contains(#"data-loaded="8" data-missing="0""#))
        // Path order, byte for byte; the failure and its count before the grid.
        let order = ["a.png", "a/deep/x.jpg", "b/photo.jpg", "c 1.jpg"].compactMap { dom.range(of: ">\($0)</a>")?.lowerBound }
        #expect(order.count == 4 && order == order.sorted(), "\(order)")
        let failures = try #require(dom.range(of: "<h2>Failures (1)</h2>")), grid = try #require(dom.range(of: #"<div class="grid">"#))
        #expect(failures.lowerBound < grid.lowerBound && dom.contains("<code>z-broken.jpg</code>: "))
        #expect(dom.contains("4 uploaded, 0 already in the bucket, 1 failed."))
        let png = try Data(contentsOf: URL(fileURLWithPath: screenshot))
        #expect(png.count > 20_000 && png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        if let keep = ProcessInfo.processInfo.environment["S3TEST_KEEP_PRESIGN_SCREENSHOT"] {
            try? FileManager.default.removeItem(atPath: keep)
            try FileManager.default.copyItem(atPath: screenshot, toPath: keep)
        }
    }
}
