import Common
import Foundation
import TestSupport
import Testing

/// Thumbnails for originals already in the bucket (`upload-images --from-bucket`, and `spaces-ls | spaces-get |
/// img-thumb | spaces-put`), on SeaweedFS and on RGW: no source folder, only the bucket.
@Suite(.integrationTimeLimit) struct FromBucketTests {
    let uploads = UploadImagesTests()

    /// `count` small images in nested folders (three corpus files in turn), uploaded by a normal run.
    func library(_ count: Int, to bucket: TestBucket, prefix: String = "avatar") throws -> TemporaryDirectory {
        let images = try TemporaryDirectory()
        let sources = ["jpeg/jpeg-grayscale.jpg", "png/png-palette-trns.png", "exif/exif-orient-6.jpg"]
        for index in 0..<count {
            let source = sources[index % sources.count]
            try images.copy(Corpus.file(source), to: "set\(index / 100)/p\(index).\((source as NSString).pathExtension)")
        }
        let folder = try TemporaryDirectory()
        let run = try uploads.upload("\(images.path) --workers 4 --prefix \(Shell.quote(prefix))", bucket: bucket, in: folder)
        try #require(run.status == 0, "the normal run: \(run.stderr.suffix(600))")
        return images
    }

    /// What a HEAD tells of each original: ETag, type, cache control and metadata, to see none of them change.
    func originals(of bucket: TestBucket, prefix: String = "avatar") throws -> [String: String] {
        var heads: [String: String] = [:]
        let client = try bucket.client()
        for object in try client.listAllObjects(prefix: KeyMapper(prefix: prefix).originalKey(for: "")) {
            let head = try #require(try client.headObject(key: object.key))
            heads[object.key] = "\(head.etag) \(head.size) \(head.contentType ?? "") \((head.userMetadata ?? [:]).sorted { $0.key < $1.key })"
        }
        return heads
    }

    func fromBucket(_ arguments: String, _ bucket: TestBucket, in folder: TemporaryDirectory) throws -> Shell.Result {
        try uploads.upload("--from-bucket \(arguments)", bucket: bucket, in: folder)
    }

    /// 500 originals uploaded by a normal run; a from-bucket run adds a 400x600 WebP of each, writing no original
    /// (every ETag and header the same); a second run skips them all and writes nothing.
    @Test(arguments: Harness.Server.s3Servers)
    func fiveHundredOriginalsGetWebPVariantsAndAreNeverRewritten(server: Harness.Server) throws {
        let bucket = try TestBucket("frombucket", on: server)
        _ = try library(500, to: bucket)
        let before = try originals(of: bucket)
        try #require(before.count == 500)
        let folder = try TemporaryDirectory()
        let run = try fromBucket("--thumbnails 400x600.webp --workers 4 --batch-size 50 --debug", bucket, in: folder)
        #expect(run.status == 0, "\(run.stderr.suffix(800))")
        #expect(uploads.summaryCount("uploaded", run) == 500)
        let log = try String(contentsOfFile: try #require(try uploads.newest("upload_log_", in: folder)), encoding: .utf8)
        #expect(!log.contains("PUT avatar/original/"), "an original was written")
        #expect(try originals(of: bucket) == before, "an original's ETag, size, type or metadata changed")
        let variants = try bucket.objects(prefix: "avatar/thumbnail-400x600/")
        #expect(variants.count == 500)
        #expect(variants.values.allSatisfy { $0.content_type == "image/webp" && $0.size > 100 })
        for rel in ["set0/p0", "set2/p201", "set4/p499"] {
            let webp = try #require(variants["avatar/thumbnail-400x600/\(rel).webp"], "\(rel)")
            #expect(webp.size > 0)
        }
        let results = try uploads.results(in: folder)
        #expect(results.count == 500 && results.allSatisfy { $0.status == .uploaded && $0.path.hasPrefix("s3://\(bucket.name)/avatar/original/") })
        #expect(results.allSatisfy { $0.download == nil }, "a download's path left in the results")
        // Nothing of the downloads is left behind.
        let left = try Shell.run("find \(folder.path) -path '*downloads*' -type f | wc -l")
        #expect(left.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0")

        let again = try TemporaryDirectory()
        let second = try fromBucket("--thumbnails 400x600.webp --workers 4 --debug", bucket, in: again)
        #expect(second.status == 0, "\(second.stderr.suffix(600))")
        #expect(uploads.summaryCount("skipped", second) == 500 && uploads.summaryCount("uploaded", second) == 0)
        let secondLog = try String(contentsOfFile: try #require(try uploads.newest("upload_log_", in: again)), encoding: .utf8)
        #expect(!secondLog.contains("GET avatar/original/") && !secondLog.contains("PUT "), "the second run downloaded or wrote")
    }

    /// A run killed midway (SIGKILL of every process) resumes: the second run skips what the first made and makes
    /// the rest, each original once, none written.
    @Test(arguments: Harness.Server.s3Servers)
    func aRunKilledMidwayResumes(server: Harness.Server) throws {
        let bucket = try TestBucket("fbkilled", on: server)
        _ = try library(150, to: bucket)
        let before = try originals(of: bucket)
        let folder = try TemporaryDirectory()
        let command = "\(UploadImagesTests.script) --from-bucket --thumbnails 400x600.webp --workers 1 --batch-size 5 --env-file \(bucket.envFile)"
        let killer = "setsid bash -c \(Shell.quote("exec \(command)")) >/dev/null 2>&1 & pid=$!; "
            + "for i in $(seq 1 600); do n=$(\(Harness.s3tool) --env \(bucket.envFile) objects \(bucket.name) avatar/thumbnail-400x600/ | wc -l); "
            + "[ \"$n\" -ge 20 ] && break; sleep 0.1; done; kill -KILL -- -$pid; wait $pid; echo $n"
        let first = try Shell.run(killer, environment: ["TMPDIR": folder.path], directory: folder.path)
        let madeFirst = Int(first.stdout.split(separator: "\n").last ?? "") ?? 0
        #expect(madeFirst >= 20 && madeFirst < 150, "the first run was not killed midway: \(first.stdout) \(first.stderr)")
        let second = try fromBucket("--thumbnails 400x600.webp --workers 2", bucket, in: folder)
        #expect(second.status == 0, "\(second.stderr.suffix(600))")
        let skipped = uploads.summaryCount("skipped", second) ?? 0, uploaded = uploads.summaryCount("uploaded", second) ?? 0
        #expect(skipped >= madeFirst && skipped + uploaded == 150, "skipped \(skipped), uploaded \(uploaded), made first \(madeFirst)")
        #expect(try bucket.objects(prefix: "avatar/thumbnail-400x600/").count == 150)
        #expect(try originals(of: bucket) == before)
    }

    /// A broken original in the bucket (put there by another tool) fails with its reason; the others get their
    /// thumbnails and the exit status is 1. Prefixes with spaces and non-ASCII letters, keys too.
    @Test(arguments: Harness.Server.s3Servers)
    func aBrokenOriginalFailsWithItsReasonUnderAPrefixWithSpaces(server: Harness.Server) throws {
        let bucket = try TestBucket("fbbroken", on: server)
        let prefix = "my photos/été"
        let images = try TemporaryDirectory()
        try images.copy(Corpus.file("jpeg/jpeg-grayscale.jpg"), to: "a b/ça va.jpg")
        try images.copy(Corpus.file("png/png-palette-trns.png"), to: "日本/写真.png")
        let folder = try TemporaryDirectory()
        let normal = try uploads.upload("\(images.path) --prefix \(Shell.quote(prefix))", bucket: bucket, in: folder)
        try #require(normal.status == 0, "\(normal.stderr.suffix(400))")
        let broken = "\(prefix)/original/zz/cut short.jpg"
        let put = try Shell.run("\(Harness.s3tool) --env \(bucket.envFile) put \(bucket.name) \(Shell.quote(Corpus.file("broken/broken-truncated.jpg"))) \(Shell.quote(broken))")
        try #require(put.status == 0, "\(put.stderr)")
        let before = try originals(of: bucket, prefix: prefix)
        let run = try fromBucket("--prefix \(Shell.quote(prefix)) --thumbnails 200x300,400x600.webp", bucket, in: folder)
        #expect(run.status == 1, "\(run.stderr.suffix(600))")
        #expect(run.stderr.contains("zz/cut short.jpg: "), "the broken original is named with its reason: \(run.stderr.suffix(600))")
        let results = try uploads.results(in: folder)
        let failed = try #require(results.first { $0.rel == "zz/cut short.jpg" })
        #expect(failed.status == .failed && (failed.error ?? "").isEmpty == false)
        let stored = try bucket.objects(prefix: prefix + "/")
        for stem in ["a b/ça va", "日本/写真"] {
            #expect(stored["\(prefix)/thumbnail/\(stem).jpg"] != nil, "\(stem) 200x300")
            #expect(stored["\(prefix)/thumbnail-400x600/\(stem).webp"]?.content_type == "image/webp", "\(stem) 400x600")
        }
        #expect(stored["\(prefix)/thumbnail-400x600/zz/cut short.webp"] == nil)
        #expect(try originals(of: bucket, prefix: prefix) == before)
    }

    /// More than 1,000 originals (put there by another tool): spaces-ls follows the listing page by page and
    /// writes every one; the from-bucket dry run finds them all.
    @Test(arguments: Harness.Server.s3Servers)
    func aListingOfMoreThanAThousandKeysIsFollowedToItsEnd(server: Harness.Server) throws {
        let bucket = try TestBucket("fbmany", on: server)
        let keys = (0..<1_050).map { "avatar/original/many/\(String(format: "%04d", $0)) ü.jpg" }.joined(separator: "\n")
        let put = try Shell.run("\(Harness.s3tool) --env \(bucket.envFile) put \(bucket.name) \(Shell.quote(Corpus.file("jpeg/jpeg-1x1.jpg")))", stdin: keys)
        try #require(put.status == 0, "\(put.stderr)")
        let listed = try Shell.run("spaces-ls --originals --debug --env-file \(bucket.envFile)")
        #expect(listed.status == 0, "\(listed.stderr)")
        let records = try listed.records()
        #expect(records.count == 1_050 && Set(records.map(\.key)).count == 1_050)
        #expect(records.allSatisfy { $0.fromBucket == true && $0.thumbnailKey?.hasPrefix("avatar/thumbnail/many/") == true })
        #expect(listed.stderr.contains("2 requests"), "one request per 1,000 keys: \(listed.stderr)")
        let folder = try TemporaryDirectory()
        let dry = try fromBucket("--dry-run", bucket, in: folder)
        #expect(dry.status == 0 && dry.stderr.contains("1050 found"), "\(dry.stderr.suffix(400))")
    }

    /// With --max-disk 2M, several MB of originals pass through three workers while the downloads on disk
    /// (sampled every 10 ms), every worker's together, never exceed the cap.
    @Test(arguments: Harness.Server.s3Servers)
    func diskUseStaysUnderTheCap(server: Harness.Server) throws {
        let bucket = try TestBucket("fbdisk", on: server)
        let photo = Corpus.file("photos/photo-jolla-phone.jpg")
        let size = try #require((try FileManager.default.attributesOfItem(atPath: photo))[.size] as? Int)
        let count = max(8, (6 << 20) / size + 1)
        let keys = (0..<count).map { "avatar/original/p\($0).jpg" }.joined(separator: "\n")
        try #require(try Shell.run("\(Harness.s3tool) --env \(bucket.envFile) put \(bucket.name) \(Shell.quote(photo))", stdin: keys).status == 0)
        let cap = 2 << 20
        try #require(size * 2 <= cap, "the photo must fit twice under the cap for the test to mean something")
        let folder = try TemporaryDirectory()
        let sampler = "( peak=0; while :; do n=0; for s in $(find \(folder.path) -path '*/downloads/*' -type f -printf '%s ' 2>/dev/null); do n=$((n + s)); done; "
            + "[ $n -gt $peak ] && { peak=$n; echo $peak > \(folder.path)/peak; }; sleep 0.01; done ) & sampler=$!; "
        let run = try Shell.run(sampler + "\(UploadImagesTests.script) --from-bucket --thumbnails 400x600.webp --max-disk 2M --workers 3 --batch-size 2 "
                                + "--env-file \(bucket.envFile); status=$?; kill $sampler; exit $status",
                                environment: ["TMPDIR": folder.path], directory: folder.path)
        #expect(run.status == 0, "\(run.stderr.suffix(600))")
        #expect(uploads.summaryCount("uploaded", run) == count)
        let peak = Int((try? String(contentsOfFile: folder.path + "/peak", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 0
        #expect(peak > 0, "the sampler saw no download: the test proves nothing")
        #expect(peak <= cap, "\(peak) bytes of downloads on disk at once, over the 2 MiB cap (\(count) originals of \(size) bytes)")
        print("--max-disk 2M: \(count * size) bytes of originals, at most \(peak) on disk at once")
    }

    /// The server gone mid-run: spaces-get's downloads fail after their retries, three in a row, and the rest
    /// fail at once without a request ("not attempted"); spaces-get exits 3.
    @Test func aServerThatIsGoneCostsThreeDownloadsNotAll() throws {
        let bucket = try TestBucket("fbgone")
        _ = try library(12, to: bucket)
        let proxy = try FaultProxy(stallSeconds: 30)
        var settings = bucket.settings
        settings["SPACES_ENDPOINT"] = proxy.endpoint
        let listed = try Shell.run("spaces-ls --originals", environment: settings)
        try #require(listed.status == 0, "\(listed.stderr)")
        proxy.goAway()
        defer { proxy.comeBack() }
        let scratch = try TemporaryDirectory()
        let run = try Shell.run("spaces-get --retries 0 --stall-timeout 1 --out \(scratch.path)/get", stdin: listed.stdout, environment: settings)
        #expect(run.status == 3, "\(run.stderr)")
        let records = try run.records()
        #expect(records.count == 12 && records.allSatisfy { $0.status == .failed })
        #expect(records.filter { ($0.error ?? "").hasPrefix("not attempted") }.count == 9, "\(records.map { $0.error ?? "" })")
        #expect(run.seconds < 20, "the rest waited for the server: \(run.seconds) s")
    }

    /// The user's one-liner, exactly: `spaces-ls photos/ | spaces-get | img-thumb --thumbnails 400x600:webp |
    /// spaces-put`, with the settings in the environment; originals untouched.
    @Test(arguments: Harness.Server.s3Servers)
    func theOneLinerAsTheIssueWritesIt(server: Harness.Server) throws {
        let bucket = try TestBucket("fboneliner", on: server)
        _ = try library(6, to: bucket, prefix: "photos")
        let before = try originals(of: bucket, prefix: "photos")
        let scratch = try TemporaryDirectory()
        let run = try Shell.run("spaces-ls photos/ | spaces-get | img-thumb --thumbnails 400x600:webp | spaces-put",
                                environment: bucket.settings.merging(["TMPDIR": scratch.path]) { $1 }, directory: scratch.path)
        #expect(run.status == 0, "\(run.stderr)")
        let records = try run.records()
        #expect(records.count == 6 && records.allSatisfy { $0.status == .uploaded && $0.download == nil })
        #expect(try bucket.objects(prefix: "photos/thumbnail-400x600/").count == 6)
        #expect(try originals(of: bucket, prefix: "photos") == before)
        let left = try Shell.run("find \(scratch.path) -type f ! -name .lock | wc -l")
        #expect(left.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0", "downloads or thumbnails left behind")
    }

    /// A download cut midway (the proxy sends half the body, then hangs up) resumes with a Range request for the
    /// rest, and the bytes check out.
    @Test func aDownloadCutMidwayResumesWhereItStopped() throws {
        let bucket = try TestBucket("fbcut")
        _ = try library(3, to: bucket)
        let proxy = try FaultProxy(cutAnswer: 2)
        var settings = bucket.settings
        settings["SPACES_ENDPOINT"] = proxy.endpoint
        let scratch = try TemporaryDirectory()
        let run = try Shell.run("spaces-ls --originals | spaces-get --debug --out \(scratch.path)/get | img-thumb --thumbnails 400x600:webp | spaces-put",
                                environment: settings, directory: scratch.path)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try run.records().allSatisfy { $0.status == .uploaded })
        #expect(proxy.entries.filter { $0.outcome == "cut-answer" }.count == 2)
        #expect(proxy.entries.filter { $0.method == "GET" && $0.status == 206 }.count == 2, "each cut download resumed with a range")
    }

    /// --prune-orphans: an original deleted by another tool; the dry run lists its thumbnails, the run deletes
    /// them and nothing else.
    @Test(arguments: Harness.Server.s3Servers)
    func pruneOrphansDeletesOnlyThumbnailsWhoseOriginalIsGone(server: Harness.Server) throws {
        let bucket = try TestBucket("fbprune", on: server)
        _ = try library(6, to: bucket)
        let folder = try TemporaryDirectory()
        try #require(try fromBucket("--thumbnails 200x300,400x600.webp", bucket, in: folder).status == 0)
        try bucket.delete("avatar/original/set0/p1.png")
        let before = try originals(of: bucket)
        let dry = try fromBucket("--thumbnails 200x300,400x600.webp --prune-orphans --dry-run", bucket, in: folder)
        #expect(dry.status == 0, "\(dry.stderr)")
        let planned = dry.stdout.split(separator: "\n").filter { $0.contains("\"action\":\"delete\"") }
        #expect(planned.count == 2 && planned.allSatisfy { $0.contains("set0/p1.") }, "\(dry.stdout)")
        #expect(try bucket.objects(prefix: "avatar/thumbnail").count == 12, "the dry run deleted something")
        let run = try fromBucket("--thumbnails 200x300,400x600.webp --prune-orphans", bucket, in: folder)
        #expect(run.status == 0, "\(run.stderr)")
        let thumbnails = try bucket.objects(prefix: "avatar/thumbnail")
        #expect(thumbnails.count == 10 && !thumbnails.keys.contains { $0.contains("set0/p1.") })
        #expect(try originals(of: bucket) == before)
    }
}
