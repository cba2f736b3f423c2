import Common
import Foundation
import TestSupport
import Testing

/// `scripts/upload-images` end to end, as a user runs it, against the real server.
@Suite(.integrationTimeLimit) struct UploadImagesTests {
    static let script = Corpus.packageRoot + "/scripts/upload-images"

    /// Runs the script in a fresh working folder (where it writes its log and results).
    func upload(_ arguments: String, bucket: TestBucket, in folder: TemporaryDirectory,
                environment: [String: String] = [:], limit: Double = 240) throws -> Shell.Result {
        var env = environment
        env["TMPDIR"] = env["TMPDIR"] ?? folder.path
        return try Shell.run("\(Self.script) \(arguments) --env-file \(bucket.envFile)", environment: env, directory: folder.path, limit: limit)
    }

    /// The newest file whose name starts with `pattern` (by modification time: runs in one second share a stamp).
    func newest(_ pattern: String, in folder: TemporaryDirectory) throws -> String? {
        let paths = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix(pattern) }
            .map { folder.path + "/" + $0 }
        let modified = { (path: String) in
            ((try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date) ?? .distantPast
        }
        return paths.max { (modified($0), $0) < (modified($1), $1) }
    }

    func results(in folder: TemporaryDirectory) throws -> [ImageRecord] {
        let file = try #require(try newest("upload_results_", in: folder))
        return try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").map { try RecordCoding.decode(Data($0.utf8)) }
    }

    func summaryCount(_ label: String, _ run: Shell.Result) -> Int? {
        guard let line = run.stderr.split(separator: "\n").first(where: { $0.hasPrefix("  \(label):") }) else { return nil }
        return Int(line.split(separator: ":")[1].trimmingCharacters(in: .whitespaces).split(separator: " ")[0])
    }

    @Test(arguments: [(Harness.Server.seaweedfs, 1), (.seaweedfs, 8), (.rgw, 8)])
    func theCorpusArrivesIntactAndBrokenFilesAreReportedOnce(server: Harness.Server, workers: Int) throws {
        let bucket = try TestBucket("corpus\(workers)", on: server)
        let folder = try TemporaryDirectory()
        let run = try upload("\(Shell.quote(Harness.corpus)) --workers \(workers) --batch-size 7", bucket: bucket, in: folder)
        #expect(run.status == 1, "broken corpus files must make the exit status 1: \(run.stderr.suffix(500))")
        let manifest = try CorpusManifest()
        let records = try results(in: folder)
        let stored = try bucket.objects()
        let scanned = manifest.scanned
        #expect(records.count == scanned.count, "one result line per image")
        for entry in scanned {
            let matching = records.filter { $0.rel == entry.file }
            try #require(matching.count == 1, "\(entry.file) appears \(matching.count) times")
            let record = matching[0]
            if entry.mustBeRejected {
                #expect(record.status == .failed && record.error != nil)
                #expect(run.stderr.components(separatedBy: "\n  \(entry.file): ").count == 2, "\(entry.file) listed once in the summary")
                #expect(stored[record.key!] == nil)
            } else {
                #expect(record.status == .uploaded, "\(entry.file): \(record.error ?? "")")
                #expect(stored[record.key!]?.md5 == (try FileDigest.compute(path: record.path)).md5.hexString)
                #expect(stored[record.thumbnailKey!]?.md5 == record.thumbnailEtag)
            }
        }
        let good = scanned.filter { !$0.mustBeRejected }.count
        #expect(summaryCount("uploaded", run) == good)
        #expect(summaryCount("failed", run) == scanned.count - good)
        // Failures go to a file that --from-records takes back.
        let failures = try #require(try newest("upload_failures_", in: folder))
        #expect(try String(contentsOfFile: failures, encoding: .utf8).split(separator: "\n").count == scanned.count - good)
        // The log: timestamps, parameters, every refusal, the summary; never the secret.
        let log = try String(contentsOfFile: try #require(try newest("upload_log_", in: folder)), encoding: .utf8)
        #expect(log.range(of: #"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d upload-images "#, options: .regularExpression) != nil)
        #expect(log.contains("workers=\(workers) batch-size=7 prefix=avatar"))
        #expect(log.contains("img-thumb: error: broken/broken-truncated.jpg:"))
        #expect(log.contains("Summary"))
        #expect(!log.contains(bucket.secretKey) && !run.stderr.contains(bucket.secretKey))
        // Temporary thumbnails are gone.
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).allSatisfy { !$0.hasPrefix("upload-images.") })

        // A second run skips everything that is there, and retries only the failures: not the files found broken
        // (their bytes were refused, and they have not changed: listed as failed earlier), the rest (a limit of
        // ours, such as the pixel limit) again.
        let broken = records.filter { $0.reason == EarlierFailures.brokenImage }.count
        #expect(broken > 0 && broken < scanned.count - good)
        let again = try upload("\(Shell.quote(Harness.corpus)) --workers \(workers)", bucket: bucket, in: folder)
        #expect(again.status == 1)
        #expect(summaryCount("skipped", again) == good)
        #expect(summaryCount("uploaded", again) == 0)
        #expect(summaryCount("unchanged", again) == broken && summaryCount("failed", again) == scanned.count - good - broken)
        // --from-records takes the failures back: only those are tried, and (being broken) fail again.
        let retried = try upload("--from-records \(Shell.quote(failures)) --workers \(workers)", bucket: bucket, in: folder)
        #expect(retried.status == 1, "\(retried.stderr.suffix(500))")
        #expect(summaryCount("found", retried) == scanned.count - good)
        #expect(summaryCount("failed", retried) == scanned.count - good)
        #expect(summaryCount("uploaded", retried) == 0)
    }

    @Test func prefixNoSkipExistingAndDryRun() throws {
        let bucket = try TestBucket("options")
        let folder = try TemporaryDirectory()
        let photos = try TemporaryDirectory()
        for name in ["a.jpg", "sub dir/b 'quoted'.png", "ü/😀.webp"] {
            let source = name.hasSuffix("png") ? "png/png-palette-trns.png" : name.hasSuffix("webp") ? "webp/webp-lossy-alpha.webp" : "exif/exif-orient-2.jpg"
            try photos.copy(Corpus.file(source), to: name)
        }
        let dry = try upload("\(photos.path) --prefix profile --dry-run", bucket: bucket, in: folder)
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stderr.contains("3 would be uploaded"))
        let planned = try dry.records().first { $0.rel == "sub dir/b 'quoted'.png" }
        #expect(planned?.key == "profile/original/sub dir/b 'quoted'.png" && planned?.thumbnailKey == "profile/thumbnail/sub dir/b 'quoted'.jpg",
                "the plan is NDJSON on stdout: \(dry.stdout)")
        #expect(try dry.records().count == 3 && dry.stdout.split(separator: "\n").count == 3)
        #expect(try bucket.objects().isEmpty)

        let first = try upload("\(photos.path) --prefix profile --workers 2 --batch-size 1", bucket: bucket, in: folder)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(Set(try bucket.objects().keys) == ["profile/original/a.jpg", "profile/thumbnail/a.jpg",
                                                    "profile/original/sub dir/b 'quoted'.png", "profile/thumbnail/sub dir/b 'quoted'.jpg",
                                                    "profile/original/ü/😀.webp", "profile/thumbnail/ü/😀.jpg"])
        let skipped = try upload("\(photos.path) --prefix profile", bucket: bucket, in: folder)
        #expect(summaryCount("skipped", skipped) == 3 && summaryCount("uploaded", skipped) == 0)
        let forced = try upload("\(photos.path) --prefix profile --no-skip-existing", bucket: bucket, in: folder)
        #expect(forced.status == 0)
        #expect(summaryCount("uploaded", forced) == 3 && summaryCount("skipped", forced) == 0)
        let results = try self.results(in: folder)
        #expect(results.count == 3 && results.allSatisfy { $0.url != nil && $0.thumbnailUrl != nil })
        // Four runs, some within the same second: each has its own log, and each real run its own results.
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        #expect(files.filter { $0.hasPrefix("upload_log_") }.count == 4, "\(files)")
        #expect(files.filter { $0.hasPrefix("upload_results_") }.count == 3, "\(files)")
    }

    /// --from-records with a record whose path names a FIFO: that image fails with the reason, the others
    /// are uploaded, the exit status says something failed. Opening the FIFO used to stop the whole run
    /// forever: `timeout` turns a hang back into a failure here.
    @Test func aFIFOInTheRecordsFailsAloneAndTheRunEnds() throws {
        let bucket = try TestBucket("fifo")
        let folder = try TemporaryDirectory()
        let photos = try TemporaryDirectory()
        let fifo = photos.path + "/pipe.jpg"
        try #require(mkfifo(fifo, 0o600) == 0)
        let photo = try photos.copy(Corpus.file("jpeg/jpeg-grayscale.jpg"), to: "photo.jpg")
        let records = folder.path + "/records.jsonl"
        try [
            #"{"key":"avatar/original/pipe.jpg","path":"\#(fifo)","rel":"pipe.jpg","thumbnail_key":"avatar/thumbnail/pipe.jpg"}"#,
            #"{"key":"avatar/original/photo.jpg","path":"\#(photo)","rel":"photo.jpg","thumbnail_key":"avatar/thumbnail/photo.jpg"}"#,
        ].joined(separator: "\n").appending("\n").write(toFile: records, atomically: false, encoding: .utf8)
        let run = try Shell.run("timeout 30 \(Self.script) --from-records \(Shell.quote(records)) --env-file \(bucket.envFile)",
                                environment: ["TMPDIR": folder.path], directory: folder.path)
        #expect(run.status == 1, "exit 1: some images failed (124: it hung): \(run.stderr.suffix(500))")
        let results = try results(in: folder)
        let pipe = try #require(results.first { $0.rel == "pipe.jpg" })
        #expect(pipe.status == .failed && pipe.error == "not a regular file (a FIFO)", "\(pipe)")
        #expect(results.first { $0.rel == "photo.jpg" }?.status == .uploaded)
        #expect(summaryCount("failed", run) == 1 && summaryCount("uploaded", run) == 1)
        #expect(run.stderr.contains("  pipe.jpg: not a regular file (a FIFO)"), "\(run.stderr.suffix(500))")
        #expect(Set(try bucket.objects().keys) == ["avatar/original/photo.jpg", "avatar/thumbnail/photo.jpg"])
    }

    @Test func fatalProblemsStopAtOnceWithExitTwo() throws {
        let bucket = try TestBucket("fatal")
        let folder = try TemporaryDirectory()
        let missing = try upload("/no/such/folder", bucket: bucket, in: folder)
        #expect(missing.status == 2 && missing.stderr.contains("Directory not found: /no/such/folder"))
        let badKey = try upload(Shell.quote(Harness.corpus + "/gif"), bucket: bucket, in: folder, environment: ["SPACES_SECRET_KEY": "wrong"])
        #expect(badKey.status == 2 && badKey.stderr.contains("Failed to authenticate with the S3 server at http://127.0.0.1:"), "\(badKey.stderr)")
        let noConfig = try Shell.run("\(Self.script) \(Shell.quote(Harness.corpus))", directory: folder.path)
        #expect(noConfig.status == 2 && noConfig.stderr.contains("Missing required environment variables: SPACES_ACCESS_KEY"))
        #expect(try Shell.run("\(Self.script) --workers zero x").status == 64)
        #expect(try Shell.run("\(Self.script) --help").status == 0)
    }

    @Test func interruptedRunsStopQuicklyAndTheNextRunFinishesTheJob() throws {
        let bucket = try TestBucket("interrupt")
        let folder = try TemporaryDirectory()
        let photos = try TemporaryDirectory()
        for index in 0..<160 { try photos.copy(Corpus.file("photos/photo-canon-camera-orient6.jpg"), to: "set\(index % 4)/p\(index).jpg") }
        let process = try startUploadImages([photos.path, "--workers", "2", "--batch-size", "4"], bucket: bucket, in: folder)
        // Wait until some images are done, then interrupt as Ctrl+C would.
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if let file = try newest("upload_results_", in: folder),
               (try? String(contentsOfFile: file, encoding: .utf8))?.split(separator: "\n").count ?? 0 >= 8 { break }
            usleep(50_000)
        }
        let interruptedAt = Date()
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit(within: 180)
        #expect(Date().timeIntervalSince(interruptedAt) < 2)
        #expect(process.terminationStatus == 130)
        let done = try results(in: folder).filter { $0.status == .uploaded }.count
        #expect(done >= 8 && done < 160, "interrupt part-way: \(done) done")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).allSatisfy { !$0.hasPrefix("upload-images.") })
        usleep(300_000)
        let rerun = try upload("\(photos.path) --workers 2", bucket: bucket, in: folder)
        #expect(rerun.status == 0, "\(rerun.stderr.suffix(300))")
        let skipped = try #require(summaryCount("skipped", rerun)), uploaded = try #require(summaryCount("uploaded", rerun))
        #expect(skipped >= done, "everything the first run finished is skipped")
        #expect(skipped + uploaded == 160)
        let stored = try bucket.objects()
        #expect(stored.count == 320)
        let digest = try FileDigest.compute(path: Corpus.file("photos/photo-canon-camera-orient6.jpg")).md5.hexString
        #expect(stored.filter { $0.key.contains("/original/") }.allSatisfy { $0.value.md5 == digest })
    }
}
