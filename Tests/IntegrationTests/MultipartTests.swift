import Common
import Crypto
import Foundation
import TestSupport
import Testing

/// Originals over `--multipart-threshold`, on SeaweedFS and on Ceph's RADOS Gateway (what Spaces runs on): whole
/// and correct when read back by another client, their parts retried alone under faults, nothing left behind by a
/// failure, an interruption or a changed file, what a killed run left removed by `--abort-incomplete`, and
/// resumed correctly with `--checksum`. Serialized: the 200 MB uploads need the machine to themselves.
@Suite(.serialized, .integrationTimeLimit) struct MultipartTests {
    static let mebibyte = 1 << 20
    /// Small parts for the fault, kill and resume tests, so that they take seconds: 5 MiB is S3's smallest.
    static let smallParts = "--multipart-threshold 5M --part-size 5M"

    struct Head: Decodable {
        var metadata: [String: String]
        var etag: String
    }

    struct Upload: Decodable {
        var key: String
        var upload_id: String
        var parts: Int
    }

    // MARK: Whole files

    /// The issue's case: a file over 200 MB, with the defaults (64 MiB threshold, 16 MiB parts, 4 at once).
    @Test(arguments: Harness.Server.s3Servers)
    func aFileOver200MBGoesUpInPartsAndReadsBackWhole(server: Harness.Server) throws {
        let bucket = try TestBucket("mpbig", on: server)
        let photos = try TemporaryDirectory()
        let path = photos.path + "/scan.tif"
        try Self.randomFile(path, bytes: 210_000_000 + 12_345)
        let run = try Shell.run("img-scan \(Shell.quote(photos.path)) | spaces-put --env-file \(bucket.envFile) --meta photographer=Jane --debug")
        #expect(run.status == 0, "\(run.stderr.suffix(800))")
        let record = try #require(try run.records().first)
        let expected = try Self.multipartETag(path, partSize: 16 * Self.mebibyte)
        #expect(expected.hasSuffix("-13"))
        #expect(record.status == .uploaded && record.etag == expected, "\(record)")

        let md5 = try Self.md5(path)
        let head = try Self.head("avatar/original/scan.tif", in: bucket)
        #expect(head.etag == expected)
        #expect(head.metadata == ["md5": md5, "photographer": "Jane"])
        #expect(try bucket.objects()["avatar/original/scan.tif"]?.md5 == md5, "the bytes read back are the file's")
        #expect(try Self.uploads(in: bucket).isEmpty)

        // 13 parts, each stored once, over the main connection and at most 10 of the parts' own (the default
        // --part-concurrency, aws-cli's).
        let parts = run.stderr.split(separator: "\n").filter { $0.contains("?partNumber=") && $0.contains("-> 200") }
        #expect(parts.count == 13, "\(parts)")
        let connections = run.counts(of: "connection", where: "requests over")
        #expect(connections.count == 1 && connections[0] <= 11, "\(run.stderr.suffix(300))")
        // Parts are streamed from the file: memory stays far below the file, and below 100 MB + 10 x 16 MiB.
        let memory = run.counts(of: "MB", where: "peak memory")
        #expect(memory.count == 1 && memory[0] < 100, "\(run.stderr.suffix(300))")
        print("\(server): 210 MB in 13 parts, \(connections.first ?? 0) connections, peak memory \(memory.first ?? 0) MB, \(String(format: "%.1f", run.seconds)) s")
    }

    /// A part that is dropped, cut or throttled (SlowDown) is sent again on its own: each part reaches the server
    /// once, the upload is started once, and the object is whole. (A stalled part is retried the same way, after
    /// `--stall-timeout`; not injected here because a 1 s timeout also fires on a busy server's slow answer.) The first CompleteMultipartUpload is answered
    /// 200 with an `<Error>` inside, as S3 may: it is retried, not taken for success.
    @Test(arguments: Harness.Server.s3Servers)
    func faultsCostPartsTheirRetriesAloneAndNeverCorruptTheObject(server: Harness.Server) throws {
        let bucket = try TestBucket("mpfaults", on: server)
        let photos = try TemporaryDirectory()
        let path = photos.path + "/scan.tif"
        try Self.randomFile(path, bytes: 25 * 1_000_000)
        // The seed puts a cut, a drop and three SlowDowns among the parts' first 8 attempts.
        let proxy = try FaultProxy(slowdown: 0.2, drop: 0.1, cut: 0.1, completeError: 1, seed: 38, in: server)
        let run = try Shell.run("img-scan \(Shell.quote(photos.path)) | spaces-put --env-file \(bucket.envFile) \(Self.smallParts) "
                                + "--retries 10 --debug", environment: ["SPACES_ENDPOINT": proxy.endpoint])
        #expect(run.status == 0, "\(run.stderr.suffix(1200))")
        let record = try #require(try run.records().first)
        #expect(record.status == .uploaded && record.etag?.hasSuffix("-5") == true, "\(record)")

        let entries = proxy.entries
        let partFaults = entries.filter { $0.path.contains("partNumber=") && $0.outcome != "forwarded" }
        let kinds = Set(partFaults.map { $0.outcome.hasPrefix("slowdown") ? "slowdown" : $0.outcome })
        // Which request meets which of the seeded faults depends on the order the parts arrive in: at least two kinds.
        #expect(kinds.count >= 2 && kinds.isSubset(of: ["drop", "cut", "slowdown"]), "the parts met faults of several kinds: \(proxy.detail)")
        #expect(entries.filter { $0.method == "POST" && $0.path.hasSuffix("?uploads=") && $0.status == 200 }.count == 1,
                "the upload was started once, not again for a failed part: \(proxy.detail)")
        for number in 1...5 {
            let stored = entries.filter { $0.path.contains("partNumber=\(number)&") && $0.outcome == "forwarded" && $0.status == 200 }
            #expect(stored.count == 1, "part \(number) reached the server \(stored.count) times: \(proxy.detail)")
        }
        #expect(proxy.count("complete-error") == 1)
        #expect(run.stderr.contains("retrying POST avatar/original/scan.tif?uploadId"), "the <Error> under a 200 was retried")
        print("\(server): 5 parts through faults: \(proxy.summary)")

        let md5 = try Self.md5(path)
        #expect(try bucket.objects()["avatar/original/scan.tif"]?.md5 == md5)
        #expect(try Self.head("avatar/original/scan.tif", in: bucket).metadata["md5"] == md5)
        #expect(try Self.uploads(in: bucket).isEmpty)
    }

    // MARK: Nothing left behind

    /// SIGKILL leaves the upload and its parts: `--abort-incomplete` removes it once it is older than the age
    /// given (by the server's clock), and a rerun uploads the file.
    @Test(arguments: Harness.Server.s3Servers)
    func whatAKilledRunLeftIsAbortedByAbortIncompleteAndARerunCompletes(server: Harness.Server) throws {
        let bucket = try TestBucket("mpkill", on: server)
        let photos = try TemporaryDirectory()
        let path = photos.path + "/scan.tif"
        try Self.randomFile(path, bytes: 25 * 1_000_000)
        let put = try SlowPut(photos: photos, bucket: bucket)
        try put.waitForStoredParts(1)
        kill(put.process.processIdentifier, SIGKILL)
        put.process.waitUntilExit(within: 180)

        let left = try Self.uploads(in: bucket)
        #expect(left.count == 1 && left.first?.key == "avatar/original/scan.tif" && (left.first?.parts ?? 0) >= 1, "\(left)")
        let young = try Shell.run("spaces-put --env-file \(bucket.envFile) --abort-incomplete 1h")
        #expect(young.status == 0 && young.stdout.isEmpty, "\(young.stdout) \(young.stderr)")
        #expect(try Self.uploads(in: bucket).count == 1, "an upload younger than the age is left alone")

        let abort = try Shell.run("spaces-put --env-file \(bucket.envFile) --abort-incomplete 0s --prefix avatar")
        #expect(abort.status == 0, "\(abort.stderr)")
        let line = try #require(abort.lines.first)
        let aborted = try JSONDecoder().decode(AbortRecord.self, from: Data(line.utf8))
        #expect(abort.lines.count == 1 && aborted.action == "abort" && aborted.status == .aborted
                && aborted.key == "avatar/original/scan.tif" && aborted.uploadId == left.first?.upload_id, "\(line)")
        #expect(try Self.uploads(in: bucket).isEmpty, "ListMultipartUploads comes back empty")
        #expect(try bucket.objects().isEmpty)

        let rerun = try Shell.run("img-scan \(Shell.quote(photos.path)) | spaces-put --env-file \(bucket.envFile) \(Self.smallParts)")
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(try bucket.objects()["avatar/original/scan.tif"]?.md5 == (try Self.md5(path)))
        #expect(try Self.uploads(in: bucket).isEmpty)
    }

    /// Ctrl+C (or TERM) and a file edited in the middle both abort the upload at once: no parts stay billed.
    @Test(arguments: Harness.Server.s3Servers)
    func anInterruptionOrAChangedFileAbortsTheUpload(server: Harness.Server) throws {
        let bucket = try TestBucket("mpstop", on: server)
        let photos = try TemporaryDirectory()
        let path = photos.path + "/scan.tif"
        try Self.randomFile(path, bytes: 25 * 1_000_000)

        let stopped = try SlowPut(photos: photos, bucket: bucket)
        try stopped.waitForStoredParts(1)
        let asked = Date()
        kill(stopped.process.processIdentifier, SIGTERM)
        stopped.process.waitUntilExit(within: 180)
        #expect(Date().timeIntervalSince(asked) < 3, "TERM stops it within a second or two")
        #expect(stopped.process.terminationStatus == 130)
        let interrupted = try #require(try stopped.records().first)
        #expect(interrupted.status == .failed && interrupted.error?.contains("interrupted") == true, "\(interrupted)")
        #expect(try Self.uploads(in: bucket).isEmpty, "the upload was aborted before the process exited")
        #expect(try bucket.objects().isEmpty)

        let edited = try SlowPut(photos: photos, bucket: bucket)
        try edited.waitForStoredParts(1)
        try Self.flipByte(path, at: 20_000_000)
        edited.process.waitUntilExit(within: 180)
        let changed = try #require(try edited.records().first)
        #expect(edited.process.terminationStatus == 1)
        #expect(changed.status == .failed && changed.error?.contains("changed while it was uploaded (modified)") == true, "\(changed)")
        #expect(try Self.uploads(in: bucket).isEmpty)
        #expect(try bucket.objects().isEmpty)
    }

    /// ListMultipartUploads page after page (SeaweedFS pages by upload id alone), two uploads of one key among
    /// them, all aborted one page at a time.
    @Test(arguments: Harness.Server.s3Servers)
    func incompleteUploadsAreListedPageAfterPageAndAborted(server: Harness.Server) throws {
        let bucket = try TestBucket("mplist", on: server)
        let client = try bucket.client()
        let md5 = Data(Insecure.MD5.hash(data: Data()))
        var started: [String] = []
        for key in ["avatar/original/a.tif", "avatar/original/b.tif", "avatar/original/b.tif", "other/original/c.tif"] {
            started.append(try client.createMultipartUpload(key: key, md5: md5, contentType: "image/tiff"))
        }
        let (listed, serverTime) = try client.listAllMultipartUploads(prefix: "avatar/", pageSize: 2)
        // In key order on RGW, in upload id order on SeaweedFS.
        #expect(listed.map(\.key).sorted() == ["avatar/original/a.tif", "avatar/original/b.tif", "avatar/original/b.tif"])
        #expect(Set(listed.map(\.uploadId)) == Set(started.prefix(3)))
        #expect(serverTime != nil && listed.allSatisfy { $0.initiated.map { abs($0 - serverTime!) < 120 } ?? false })

        var cleaner = IncompleteUploads(client: client) { Issue.record("\($0)") }
        cleaner.pageSize = 1
        #expect(try cleaner.abort(prefix: "avatar/", olderThan: 3600).isEmpty)
        let aborted = try cleaner.abort(prefix: "avatar/", olderThan: 0)
        #expect(aborted.count == 3 && aborted.allSatisfy { $0.status == .aborted })
        #expect(try client.listAllMultipartUploads(prefix: "avatar/").uploads.isEmpty)
        #expect(try client.listAllMultipartUploads(prefix: "other/").uploads.count == 1, "another prefix is left alone")
        try client.abortMultipartUpload(key: "other/original/c.tif", uploadId: started[3])
        try client.abortMultipartUpload(key: "other/original/c.tif", uploadId: started[3])  // gone already: fine
    }

    /// --abort-incomplete aborts only uploads of originals the scan makes under the prefix: another folder of the
    /// prefix and the rest of the bucket are left alone, and an empty prefix is refused. Without it, a run says
    /// what a stopped run left.
    @Test func abortsStayInTheirLaneAndARunSaysWhatWasLeft() throws {
        let bucket = try TestBucket("mplane")
        let client = try bucket.client()
        let md5 = Data(Insecure.MD5.hash(data: Data()))
        var started: [String: String] = [:]
        for key in ["avatar/original/ours.tif", "avatar/notmine/backup.tar", "backups/db.tar", "avatar/original/notes.txt"] {
            started[key] = try client.createMultipartUpload(key: key, md5: md5, contentType: "application/octet-stream")
        }
        let folder = try TemporaryDirectory()
        let photos = try TemporaryDirectory()
        try photos.copy(Corpus.file("jpeg/jpeg-grayscale.jpg"), to: "a.jpg")
        let told = try UploadImagesTests().upload(Shell.quote(photos.path), bucket: bucket, in: folder)
        #expect(told.status == 0, "\(told.stderr)")
        #expect(told.stderr.contains("spaces-put: warning: 1 incomplete multipart upload under avatar/original/ that a stopped run left, the oldest started "), "\(told.stderr)")
        for command in ["--abort-incomplete 0s --prefix ''", "--abort-incomplete 0s --prefix /", "--list-incomplete --prefix ''"] {
            let refused = try Shell.run("spaces-put --env-file \(bucket.envFile) \(command)")
            #expect(refused.status == 64 && refused.stderr.contains("refuses an empty --prefix"), "\(command): \(refused.stderr)")
        }
        let aborted = try Shell.run("spaces-put --env-file \(bucket.envFile) --abort-incomplete 0s --prefix avatar")
        #expect(aborted.status == 0, "\(aborted.stderr)")
        #expect(aborted.lines.count == 1 && aborted.stdout.contains(#""key":"avatar/original/ours.tif""#), "\(aborted.stdout)")
        let left = try client.listAllMultipartUploads(prefix: "").uploads.map(\.key).sorted()
        #expect(left == ["avatar/notmine/backup.tar", "avatar/original/notes.txt", "backups/db.tar"])
        for (key, id) in started where key != "avatar/original/ours.tif" { try client.abortMultipartUpload(key: key, uploadId: id) }
    }

    // MARK: Resume

    /// A multipart object's ETag is not its MD5: `--checksum` compares the stored one, with a HEAD of that object
    /// only. Skipped while unchanged; after an edit that keeps the size, uploaded again (the size alone would
    /// have skipped it).
    @Test(arguments: Harness.Server.s3Servers)
    func checksumResumeComparesAMultipartObjectByItsStoredMD5(server: Harness.Server) throws {
        let bucket = try TestBucket("mpresume", on: server)
        let photos = try TemporaryDirectory()
        let path = photos.path + "/scan.tif"
        try Self.noiseTIFF(path, width: 5000, height: 5000)
        let thumbs = try TemporaryDirectory()
        let upload = "img-scan \(Shell.quote(photos.path)) | img-thumb --out \(thumbs.path) "
            + "| spaces-put --env-file \(bucket.envFile) \(Self.smallParts)"
        let first = try Shell.run(upload)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(try first.records().first?.etag?.hasSuffix("-5") == true, "\(first.stdout)")

        let check = "img-scan \(Shell.quote(photos.path)) | spaces-exists --env-file \(bucket.envFile) --debug"
        let unchanged = try Shell.run(check + " --checksum")
        let skipped = try #require(try unchanged.records().first)
        #expect(skipped.status == .skipped && skipped.reason == "already uploaded (same MD5)", "\(unchanged.stdout)")
        let heads = unchanged.stderr.split(separator: "\n").filter { $0.contains("HEAD ") }
        #expect(heads.count == 1 && heads[0].contains("HEAD avatar/original/scan.tif"), "one HEAD, for the multipart original: \(heads)")

        try Self.flipByte(path, at: 12_000_000)
        #expect(try Shell.run(check).records().first?.status == .skipped, "the size alone cannot tell")
        let edited = try Shell.run(check + " --checksum")
        #expect(try edited.records().first?.status == nil, "edited, same size: to be uploaded again: \(edited.stdout)")

        let second = try Shell.run(upload)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(try Shell.run(check + " --checksum").records().first?.status == .skipped)
        #expect(try bucket.objects()["avatar/original/scan.tif"]?.md5 == (try Self.md5(path)))
    }

    // MARK: Options and progress

    /// upload-images hands the options to every batch's spaces-put (not to the check or spaces-exists), aborts
    /// what killed runs left before uploading, and its progress line counts bytes part by part.
    @Test func uploadImagesPassesTheOptionsOnAndCountsBytesInItsProgress() throws {
        let bucket = try TestBucket("mprun")
        let photos = try TemporaryDirectory()
        try Self.noiseTIFF(photos.path + "/a/scan.tif", width: 5000, height: 6000)
        try Self.noiseTIFF(photos.path + "/b/scan.tif", width: 4000, height: 3000)
        try photos.copy(Corpus.file("jpeg/jpeg-grayscale.jpg"), to: "small.jpg")
        let leftOver = try bucket.client().createMultipartUpload(key: "avatar/original/old.tif", md5: Data(count: 16), contentType: "image/tiff")
        let folder = try TemporaryDirectory()
        // 42 MB at 2 MiB/s, a part at a time: about 20 s, a part stored every 2.5 s; the first scan alone takes
        // 13 s, so the progress lines printed after 5 and 10 s come in its middle, even when its thumbnail and
        // hashing start late on a loaded machine.
        let run = try UploadImagesTests().upload(
            "\(photos.path) --batch-size 1 \(Self.smallParts) --part-concurrency 1 --limit-rate 2M --abort-incomplete 0s",
            bucket: bucket, in: folder)
        #expect(run.status == 0, "\(run.stderr.suffix(800))")
        #expect(run.stderr.contains("aborted 1 incomplete multipart upload(s) under avatar/ started more than 0s ago"), "\(run.stderr)")
        #expect(try Self.uploads(in: bucket).isEmpty, "the left-over \(leftOver) is gone")
        let records = try UploadImagesTests().results(in: folder)
        #expect(records.first { $0.rel == "a/scan.tif" }?.etag?.hasSuffix("-6") == true, "\(records)")
        #expect(records.first { $0.rel == "b/scan.tif" }?.etag?.hasSuffix("-3") == true, "\(records)")
        #expect(records.count == 3 && records.allSatisfy { $0.status == .uploaded })
        for rel in ["a/scan.tif", "b/scan.tif"] {
            #expect(try Self.head("avatar/original/" + rel, in: bucket).metadata["md5"] == (try Self.md5(photos.path + "/" + rel)))
        }
        let progress = run.stderr.split(separator: "\n").filter { $0.contains(": progress ") }
        // "upload-images: progress 0/3 images, 20.0 MiB of 40.0 MiB (50%), ...": bytes before the image is done.
        #expect(progress.contains { $0.contains("progress 0/3 images, ") && !$0.contains(" images, 0 bytes of") }, "\(progress)")
    }

    /// The bandwidth cap holds over every part's connection together.
    @Test func theRateCapHoldsOverAllThePartsConnections() throws {
        let bucket = try TestBucket("mprate")
        let photos = try TemporaryDirectory()
        try Self.randomFile(photos.path + "/scan.tif", bytes: 15 * Self.mebibyte)
        let run = try Shell.run("img-scan \(Shell.quote(photos.path)) | spaces-put --env-file \(bucket.envFile) \(Self.smallParts) "
                                + "--part-concurrency 3 --limit-rate 3M")
        #expect(run.status == 0, "\(run.stderr)")
        // 15 MiB at 3 MiB/s: 5 s, less the first tenth of a second's burst; uncapped it takes well under one.
        #expect(run.seconds > 4.2 && run.seconds < 6.5, "\(run.seconds) s")
    }

    @Test(arguments: [
        ("--multipart-threshold 4M", "--multipart-threshold must be a size from 5M to 5G, as 64M or 1.5G (K, M, G are 1024 multiples)"),
        ("--multipart-threshold 6G", "--multipart-threshold must be a size from 5M to 5G, as 64M or 1.5G (K, M, G are 1024 multiples)"),
        ("--part-size 16MB", "--part-size must be a size from 5M to 5G, as 16M or 1G (K, M, G are 1024 multiples)"),
        ("--part-concurrency 11", "--part-concurrency must be a whole number from 1 to 10 (Spaces allows 10 PUTs in flight to one object)"),
        ("--abort-incomplete 24", "--abort-incomplete must be an age as 30s, 90m, 24h or 7d (a whole number and one of s, m, h, d)"),
    ])
    func badValuesAreRefusedAlikeBeforeAnyWork(_ arguments: String, _ message: String) throws {
        let put = try Shell.run("spaces-put \(arguments) </dev/null")
        #expect(put.status == 64 && put.stderr.hasPrefix("Error: \(message)"), "\(arguments): \(put.stderr)")
        let folder = try TemporaryDirectory()
        let run = try Shell.run("\(UploadImagesTests.script) \(folder.path) \(arguments)", directory: folder.path)
        #expect(run.status == 64 && run.stderr == "upload-images: \(message) (see --help)\n", "\(arguments): \(run.stderr)")
    }

    // MARK: Helpers

    /// spaces-put uploading one file of `photos` in 5 MiB parts, one at a time, at 2 MiB/s (about 2.5 s a part),
    /// its output in files; the count of stored bytes in its progress file.
    final class SlowPut {
        let process = Process()
        let directory: TemporaryDirectory

        init(photos: TemporaryDirectory, bucket: TestBucket) throws {
            directory = try TemporaryDirectory()
            let scan = try Shell.run("img-scan \(Shell.quote(photos.path))")
            try scan.stdout.write(toFile: directory.path + "/records", atomically: false, encoding: .utf8)
            process.executableURL = URL(fileURLWithPath: Harness.binDirectory + "/spaces-put")
            process.arguments = ["--env-file", bucket.envFile, "--multipart-threshold", "5M", "--part-size", "5M",
                                 "--part-concurrency", "1", "--limit-rate", "2M", "--progress-file", directory.path + "/progress"]
            process.environment = Shell.environment()
            process.standardInput = FileHandle(forReadingAtPath: directory.path + "/records")
            _ = FileManager.default.createFile(atPath: directory.path + "/out", contents: nil)
            _ = FileManager.default.createFile(atPath: directory.path + "/err", contents: nil)
            process.standardOutput = FileHandle(forWritingAtPath: directory.path + "/out")
            process.standardError = FileHandle(forWritingAtPath: directory.path + "/err")
            Shell.unblockSignals()
            try process.run()
        }

        /// Waits until the server confirmed `count` parts (spaces-put's progress file counts them).
        func waitForStoredParts(_ count: Int) throws {
            let deadline = Date().addingTimeInterval(30)
            while Date() < deadline && process.isRunning {
                let text = (try? String(contentsOfFile: directory.path + "/progress", encoding: .utf8)) ?? ""
                if let stored = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)), stored >= count * MultipartTests.mebibyte * 5 { return }
                usleep(20_000)
            }
            Issue.record("no part was stored in time: \((try? String(contentsOfFile: directory.path + "/err", encoding: .utf8)) ?? "")")
        }

        func records() throws -> [ImageRecord] {
            try Shell.records(in: String(contentsOfFile: directory.path + "/out", encoding: .utf8))
        }
    }

    /// Random bytes behind an image format's signature (TIFF's for a .tif, JPEG's otherwise): spaces-put uploads
    /// only files whose first bytes are an image's.
    static func randomFile(_ path: String, bytes: Int) throws {
        let signature = path.hasSuffix(".tif") ? #"II*\0"# : #"\xff\xd8\xff\xe0"#
        let made = try Shell.run("{ printf '\(signature)'; head -c \(bytes - 4) /dev/urandom; } > \(Shell.quote(path))")
        try #require(made.status == 0, "\(made.stderr)")
    }

    /// An uncompressed 8-bit greyscale TIFF of random pixels: an image img-thumb takes, of any size, made at once.
    static func noiseTIFF(_ path: String, width: UInt32, height: UInt32) throws {
        let entries: [(tag: UInt16, type: UInt16, value: UInt32)] = [
            (256, 4, width), (257, 4, height), (258, 3, 8), (259, 3, 1), (262, 3, 1),
            (273, 4, 122), (277, 3, 1), (278, 4, height), (279, 4, width * height),
        ]
        var header = Data("II*\0".utf8) + withUnsafeBytes(of: UInt32(8).littleEndian) { Data($0) }
        header += withUnsafeBytes(of: UInt16(entries.count).littleEndian) { Data($0) }
        for entry in entries {
            header += withUnsafeBytes(of: entry.tag.littleEndian) { Data($0) } + withUnsafeBytes(of: entry.type.littleEndian) { Data($0) }
            header += withUnsafeBytes(of: UInt32(1).littleEndian) { Data($0) } + withUnsafeBytes(of: entry.value.littleEndian) { Data($0) }
        }
        header += Data(count: 4)
        try #require(header.count == 122)
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try header.write(to: URL(fileURLWithPath: path))
        let made = try Shell.run("head -c \(Int(width) * Int(height)) /dev/urandom >> \(Shell.quote(path))")
        try #require(made.status == 0, "\(made.stderr)")
    }

    /// Changes one byte in place: the same size, another MD5.
    static func flipByte(_ path: String, at offset: UInt64) throws {
        let handle = try #require(FileHandle(forUpdatingAtPath: path))
        try handle.seek(toOffset: offset)
        let byte = try handle.read(upToCount: 1) ?? Data([0])
        try handle.seek(toOffset: offset)
        try handle.write(contentsOf: Data([byte[0] ^ 0xFF]))
        try handle.close()
    }

    /// The file's MD5, read here independently of the library.
    static func md5(_ path: String) throws -> String {
        let handle = try #require(FileHandle(forReadingAtPath: path))
        defer { try? handle.close() }
        var md5 = Insecure.MD5()
        while let chunk = try handle.read(upToCount: 4 << 20), !chunk.isEmpty { md5.update(data: chunk) }
        return Data(md5.finalize()).hexString
    }

    /// The ETag S3 gives the file uploaded in parts of `partSize`, computed here independently of the library.
    static func multipartETag(_ path: String, partSize: Int) throws -> String {
        let handle = try #require(FileHandle(forReadingAtPath: path))
        defer { try? handle.close() }
        var whole = Insecure.MD5()
        var count = 0
        while let part = try handle.read(upToCount: partSize), !part.isEmpty {
            whole.update(data: Data(Insecure.MD5.hash(data: part)))
            count += 1
        }
        return Data(whole.finalize()).hexString + "-\(count)"
    }

    static func head(_ key: String, in bucket: TestBucket) throws -> Head {
        let run = try Shell.run("\(Harness.s3tool) --env \(Shell.quote(bucket.envFile)) head \(bucket.name) \(Shell.quote(key))")
        try #require(run.status == 0, "head_object \(key) failed: \(run.stderr)")
        return try JSONDecoder().decode(Head.self, from: Data(run.stdout.utf8))
    }

    /// The bucket's incomplete multipart uploads, as boto3 lists them.
    static func uploads(in bucket: TestBucket) throws -> [Upload] {
        let run = try Shell.run("\(Harness.s3tool) --env \(Shell.quote(bucket.envFile)) uploads \(bucket.name)")
        try #require(run.status == 0, "listing the uploads of \(bucket.name) failed: \(run.stderr)")
        return try run.lines.map { try JSONDecoder().decode(Upload.self, from: Data($0.utf8)) }
    }
}
