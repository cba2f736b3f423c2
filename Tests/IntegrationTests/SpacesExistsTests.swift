import Common
import Foundation
import TestSupport
import Testing

/// `spaces-exists` against the real server: what it skips is really there, in few requests.
@Suite(.integrationTimeLimit) struct SpacesExistsTests {
    /// A folder of small images with awkward names, uploaded (originals and thumbnails) into `bucket`.
    func uploadedFolder(_ bucket: TestBucket) throws -> TemporaryDirectory {
        let photos = try TemporaryDirectory()
        let names = ["a.jpg", "b c.png", "plus+sign.gif", "sub/ünï 😀.webp", "sub/deeper/x=y.jpg", "keep.jpg"]
        let sources = ["jpeg/jpeg-grayscale.jpg", "png/png-palette-trns.png", "gif/gif-static-photo.gif",
                       "webp/webp-lossy-alpha.webp", "exif/exif-orient-3.jpg", "jpeg/jpeg-1x1.jpg"]
        for (name, source) in zip(names, sources) { try photos.copy(Corpus.file(source), to: name) }
        let thumbs = try TemporaryDirectory()  // beside the photos, not in them: img-scan must not find the thumbnails
        let run = try Shell.run("img-scan \(photos.path) | img-thumb --out \(thumbs.path) | spaces-put --env-file \(bucket.envFile)")
        try #require(run.status == 0, "\(run.stderr)")
        return photos
    }

    func exists(_ photos: TemporaryDirectory, _ bucket: TestBucket, _ options: String = "") throws -> (statuses: [String: String], run: Shell.Result) {
        let run = try Shell.run("img-scan \(photos.path) | spaces-exists --debug --env-file \(bucket.envFile) \(options)")
        #expect(run.status == 0, "\(run.stderr)")
        var statuses: [String: String] = [:]
        for record in try run.records() { statuses[record.rel] = record.status?.rawValue ?? "pending" }
        return (statuses, run)
    }

    @Test(arguments: Harness.Server.s3Servers, ["head", "list", "auto"])
    func nothingUploadedMeansNothingSkipped(server: Harness.Server, strategy: String) throws {
        let bucket = try TestBucket("fresh", on: server)
        let photos = try TemporaryDirectory()
        try photos.copy(Corpus.file("jpeg/jpeg-grayscale.jpg"), to: "a.jpg")
        try photos.copy(Corpus.file("jpeg/jpeg-grayscale.jpg"), to: "b/c.jpg")
        let result = try exists(photos, bucket, "--strategy \(strategy)")
        #expect(result.statuses == ["a.jpg": "pending", "b/c.jpg": "pending"])
        // Pending records pass on unchanged, byte for byte.
        let scan = try Shell.run("img-scan \(photos.path)")
        #expect(result.run.lines == scan.lines)
    }

    @Test(arguments: Harness.Server.s3Servers, ["head", "list", "auto"])
    func everythingUploadedIsSkippedWithItsURLs(server: Harness.Server, strategy: String) throws {
        let bucket = try TestBucket("done", on: server)
        let photos = try uploadedFolder(bucket)
        let result = try exists(photos, bucket, "--strategy \(strategy)")
        #expect(result.statuses.count == 6 && result.statuses.values.allSatisfy { $0 == "skipped" }, "\(result.statuses)")
        for record in try result.run.records() {
            #expect(record.reason == "already uploaded (same size)")
            #expect(record.url?.hasSuffix("/" + URIEncoding.encode(record.key!, keepSlash: true)) == true)
            #expect(record.thumbnailUrl != nil && record.etag != nil)
        }
        if strategy == "list" {
            #expect(result.run.counts(of: "request", where: "debug: list: 6 of 6 images already uploaded") == [1], "\(result.run.stderr)")
        }
        if strategy == "auto" {
            // Six images are under the threshold: one LIST page holds the whole folder, so no HEADs are needed
            // (they would cost 13 requests: the bucket, 6 originals, 6 thumbnails).
            #expect(result.run.counts(of: "request", where: "debug: list: 6 of 6 images already uploaded") == [1], "\(result.run.stderr)")
        }
    }

    @Test(arguments: Harness.Server.s3Servers, ["head", "list"])
    func changedFilesAndMissingThumbnailsAreUploadedAgain(server: Harness.Server, strategy: String) throws {
        let bucket = try TestBucket("changed", on: server)
        let photos = try uploadedFolder(bucket)
        // a.jpg grows; plus+sign.gif loses its thumbnail; keep.jpg changes with the same size.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: photos.path + "/a.jpg"))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data([0]))
        try handle.close()
        try bucket.delete("avatar/thumbnail/plus+sign.jpg")
        var same = try Data(contentsOf: URL(fileURLWithPath: photos.path + "/keep.jpg"))
        same[same.count - 3] ^= 0xFF
        try same.write(to: URL(fileURLWithPath: photos.path + "/keep.jpg"))

        let bySize = try exists(photos, bucket, "--strategy \(strategy)").statuses
        #expect(bySize == ["a.jpg": "pending", "b c.png": "skipped", "plus+sign.gif": "pending",
                           "sub/ünï 😀.webp": "skipped", "sub/deeper/x=y.jpg": "skipped", "keep.jpg": "skipped"])
        let byChecksum = try exists(photos, bucket, "--strategy \(strategy) --checksum").statuses
        #expect(byChecksum["keep.jpg"] == "pending")
        #expect(byChecksum["b c.png"] == "skipped")
    }

    /// A listing that seeks to the keys looked for, in parts side by side and small pages, finds exactly those
    /// that are there and the other originals of a stem looked for, whatever else the folder holds, in byte
    /// order with awkward names.
    @Test(arguments: Harness.Server.s3Servers) func aSeekingListingFindsExactlyWhatIsLookedFor(server: Harness.Server) throws {
        let bucket = try TestBucket("seek", on: server)
        let client = try bucket.client()
        let files = try TemporaryDirectory()
        let wanted = (0..<60).map { "f/\($0 % 3 == 0 ? "ü" : $0 % 3 == 1 ? "a b+" : "Z")\($0).jpg" }
        let others = ["f/!first", "f/zz-extra", "f/\u{10FFFF}last", "f/m/deeper.jpg", "g/outside.jpg", "f", "f/a b+1.png", "f/a b+1.jpg.x"]
        for key in wanted + others { _ = try S3ClientTests().upload(client, key, "x", in: files) }
        let checker = ExistenceChecker(client: client, strategy: .list, checksum: false, warn: { Issue.record("\($0)") })
        let lookedFor = wanted.enumerated().filter { $0.offset % 4 != 3 }.map(\.element) + ["f/missing-1.jpg", "f/ü-missing.jpg"]
        let listing = SeekListing(wants: lookedFor.map { SeekListing.Want(key: $0) } + [SeekListing.Want(key: "f/a b+1.", isPrefix: true)])
        for pageSize in [7, 3, 1000] {
            checker.pageSize = pageSize
            let found = try checker.objects(of: listing)
            let expected = Set(lookedFor.filter { wanted.contains($0) } + ["f/a b+1.png"])
            #expect(Set(found.objects.map(\.key)) == expected && found.objects.count == expected.count, "pages of \(pageSize)")
        }
        #expect(checker.extraRequests >= 8, "parts on connections of their own: \(checker.extraRequests)")
    }

    @Test func listingCostsOneRequestPerThousandObjects() throws {
        let bucket = try TestBucket("many")
        let photos = try TemporaryDirectory()
        let source = Corpus.file("jpeg/jpeg-1x1.jpg")
        for index in 0..<1_100 { try photos.copy(source, to: "set\(index % 4)/p\(index).jpg") }
        // Upload originals and a stand-in thumbnail for each: 2,200 objects.
        let upload = try Shell.run("""
            img-scan \(photos.path) | jq -c --arg t \(Shell.quote(source)) '. + {thumbnail_path: $t}' \
            | spaces-put --records-only --keep-thumbnails --env-file \(bucket.envFile) | jq -r .status | sort | uniq -c
            """)
        try #require(upload.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "1100 uploaded", "\(upload.stdout) \(upload.stderr)")
        let result = try exists(photos, bucket)
        #expect(result.statuses.count == 1_100 && result.statuses.values.allSatisfy { $0 == "skipped" })
        // ceil(2,200 / 1,000) pages over the one common folder.
        #expect(result.run.counts(of: "request", where: "debug: list: 1100 of 1100 images already uploaded") == [3], "\(result.run.stderr.suffix(400))")
    }

    @Test(arguments: Harness.Server.s3Servers, ["head", "list"])
    func wrongCredentialsAndMissingBucketsAreFatal(server: Harness.Server, strategy: String) throws {
        let bucket = try TestBucket("fatal", on: server)
        let photos = try TemporaryDirectory()
        try photos.copy(Corpus.file("jpeg/jpeg-1x1.jpg"), to: "a.jpg")
        let badKey = try Shell.run("img-scan \(photos.path) | spaces-exists --strategy \(strategy) --env-file \(bucket.envFile)",
                                   environment: ["SPACES_SECRET_KEY": "wrong"])
        #expect(badKey.status == 2)
        #expect(badKey.stderr.contains("spaces-exists: error: Failed to authenticate with the S3 server at \(bucket.settings["SPACES_ENDPOINT"]!)"), "\(badKey.stderr)")
        let noBucket = try Shell.run("img-scan \(photos.path) | spaces-exists --strategy \(strategy) --env-file \(bucket.envFile)",
                                     environment: ["SPACES_BUCKET": "no-such-bucket-here"])
        #expect(noBucket.status == 2)
        #expect(noBucket.stderr.contains("spaces-exists: error: Bucket not found: no-such-bucket-here"), "\(noBucket.stderr)")
    }

    @Test func anUnreachableServerLetsEveryRecordGoOnWithAWarning() throws {
        let bucket = try TestBucket("down")
        let photos = try TemporaryDirectory()
        try photos.copy(Corpus.file("jpeg/jpeg-1x1.jpg"), to: "a.jpg")
        let run = try Shell.run("img-scan \(photos.path) | spaces-exists --strategy list --retries 1 --env-file \(bucket.envFile)",
                                environment: ["SPACES_ENDPOINT": "http://127.0.0.1:9"])
        #expect(run.status == 0)
        #expect(try run.records().allSatisfy { $0.status == nil })
        #expect(run.stderr.contains("spaces-exists: warning: cannot list avatar/"))
    }

    /// A long input is decided a part at a time (here parts of 60 lines, pages of 10):
    /// each part's lines leave in input order before the next part is read, every image decided as one listing
    /// would decide it, in about one request per page of keys looked for.
    @Test(arguments: Harness.Server.s3Servers) func aLongInputIsDecidedPartByPart(server: Harness.Server) throws {
        let bucket = try TestBucket("chunks", on: server)
        let direct = try bucket.client()
        let files = try TemporaryDirectory()
        var lines: [String] = []
        for index in 0..<150 {
            let rel = String(format: "p%03d.jpg", index), contents = "image \(index)"
            let path = try files.write(rel, Data(contents.utf8))
            lines.append(String(decoding: RecordCoding.encode(ImageRecord(path: path, rel: rel, size: Int64(contents.utf8.count),
                                                                         key: "j/original/\(rel)", thumbnailKey: "j/thumbnail/\(rel)")), as: UTF8.self))
            guard index % 3 != 2 else { continue }
            _ = try S3ClientTests().upload(direct, "j/original/\(rel)", contents, in: files)
            _ = try S3ClientTests().upload(direct, "j/thumbnail/\(rel)", "thumbnail", in: files)
        }
        let input = try files.write("in.jsonl", Data(lines.joined(separator: "\n").utf8))
        let checker = ExistenceChecker(client: try bucket.client(), strategy: .auto, checksum: false, warn: { Issue.record("\($0)") })
        checker.pageSize = 10
        let fd = open(input, O_RDONLY)
        defer { close(fd) }
        var parts: [[ImageRecord]] = []
        let output = try ExistenceStage(checker: checker, report: { Issue.record("\($0)") })
            .run(reading: LineReader(fd: fd), separatePending: false, chunkSize: 60) { lines, pending in
                parts.append(lines.compactMap { try? RecordCoding.decode($0) })
                return pending.isEmpty
            }
        #expect(parts.map(\.count) == [60, 60, 30])
        let decided = parts.flatMap { $0 }
        #expect(decided.map(\.rel) == (0..<150).map { String(format: "p%03d.jpg", $0) })
        #expect(decided.enumerated().allSatisfy { ($0.offset % 3 != 2) == ($0.element.status == .skipped) })
        #expect(output.skipped == 100 && output.checked == 150)
        // 300 keys looked for (200 there) in pages of 10, listed in parts of whole pages: about 30 requests,
        // and one more per part of the input where a listing part goes on from the originals to the thumbnails;
        // never a HEAD.
        let requests = checker.client.requestCount + checker.extraRequests
        #expect(requests >= 20 && requests <= 45, "\(requests) requests")
        #expect(checker.usedStrategy == .list)
    }

    /// spaces-exists' stage: one line out per line in, in input order, and with `separatePending` the records
    /// still to upload apart from the finished ones.
    @Test(arguments: [false, true])
    func theStageKeepsTheOrderOfItsInput(separatePending: Bool) throws {
        let bucket = try TestBucket("stage")
        let photos = try uploadedFolder(bucket)
        let scanned = try Shell.run("img-scan \(photos.path)").lines
        try photos.copy(Corpus.file("jpeg/jpeg-grayscale.jpg"), to: "zz-new.jpg")
        let fresh = try Shell.run("img-scan \(photos.path)").lines.last!
        let lines = [scanned[0], "not json", #"{"path":"/x","rel":"x","status":"failed","error":"before"}"#, "", fresh] + scanned.dropFirst()
        let folder = try TemporaryDirectory()
        let input = try folder.write("in.jsonl", Data(lines.joined(separator: "\n").utf8))
        let fd = open(input, O_RDONLY)
        defer { close(fd) }
        var reported: [String] = []
        let checker = ExistenceChecker(client: try bucket.client(), strategy: .auto, checksum: false, warn: { Issue.record("\($0)") })
        var written: [Data] = [], pending: [Data] = []
        let output = try ExistenceStage(checker: checker, report: { reported.append($0) })
            .run(reading: LineReader(fd: fd), separatePending: separatePending) { lines, stillToUpload in
                written += lines
                pending += stillToUpload
                return true
            }
        #expect(reported == ["input line 2: not a JSON record"] && output.malformed == 1)
        let out = try written.map { try JSONSerialization.jsonObject(with: $0) as! [String: Any] }
        let statuses = out.map { $0["status"] as? String ?? "pending" }
        #expect(statuses == ["skipped", "failed", "failed"] + (separatePending ? [] : ["pending"]) + Array(repeating: "skipped", count: 5))
        #expect(pending.count == (separatePending ? 1 : 0) && output.skipped == 6 && output.checked == 7)
    }
}
