import Common
import Foundation
import TestSupport
import Testing

/// `img-scan | spaces-put` against the real SeaweedFS server, checked with an independent client (boto3).
@Suite(.integrationTimeLimit) struct SpacesPutTests {
    @Test(arguments: Harness.Server.s3Servers) func everyCorpusImageArrivesIntactUnderItsKeyWithItsRealContentType(server: Harness.Server) throws {
        let bucket = try TestBucket("corpus", on: server)
        let run = try Shell.run("img-scan \(Shell.quote(Harness.corpus)) | spaces-put --env-file \(bucket.envFile) --debug")
        // A text file named .jpg and an empty one are refused by their bytes; every image goes up.
        let notImages: Set = ["broken/broken-text-file.jpg", "broken/broken-zero-bytes.jpg"]
        #expect(run.status == 1, "\(run.stderr)")
        let records = try run.records()
        let manifest = try CorpusManifest()
        let expectedFiles = manifest.scanned.map(\.file)
        #expect(records.map(\.rel).sorted() == expectedFiles.sorted())
        let stored = try bucket.objects()
        #expect(stored.count == records.count - notImages.count)
        for record in records {
            if notImages.contains(record.rel) {
                #expect(record.status == .failed && record.error?.contains("is not an image") == true, "\(record.rel): \(record.error ?? "")")
                continue
            }
            #expect(record.status == .uploaded, "\(record.rel): \(record.error ?? "")")
            let key = try #require(record.key)
            let object = try #require(stored[key], "\(record.rel) is not in the bucket")
            let local = try FileDigest.compute(path: record.path)
            #expect(object.md5 == local.md5.hexString, "\(record.rel) differs from the local file")
            #expect(object.size == local.size)
            #expect(record.etag == local.md5.hexString)
            #expect(record.url == "\(bucket.settings["SPACES_ENDPOINT"]!)/\(bucket.name)/\(URIEncoding.encode(record.key!, keepSlash: true))")
            let entry = try #require(manifest.entries.first { $0.file == record.rel })
            if let mime = CorpusManifest.mimeType(entry.whatItIs) {
                #expect(object.content_type == mime, "\(record.rel)")
                #expect(record.contentType == mime)
            }
        }
        // One connection, reused for every PUT; none for the files refused.
        #expect(run.counts(of: "request", where: "debug:") == [records.count - notImages.count], "\(run.stderr.suffix(300))")
        #expect(run.counts(of: "connection", where: "debug:") == [1], "\(run.stderr.suffix(300))")
    }

    /// A record may ask only for its own keys under spaces-put's --prefix, and only for image bytes: the
    /// process's environment, the .env, any text file, another team's key, a leading slash are each refused with
    /// the reason, nothing is stored, and the exit status says so.
    @Test func onlyImageBytesUnderThePrefixGoUp() throws {
        let bucket = try TestBucket("trust")
        let photos = try TemporaryDirectory()
        let image = try photos.copy(Corpus.file("jpeg/jpeg-grayscale.jpg"), to: "a.jpg")
        try FileManager.default.copyItem(atPath: bucket.envFile, toPath: photos.path + "/.env")
        func record(_ key: String, _ path: String, thumbnail: (key: String, path: String)? = nil) -> String {
            var fields = ["\"key\":\"\(key)\"", "\"path\":\"\(path)\"", "\"rel\":\"a.jpg\"", "\"size\":1", "\"mtime\":1"]
            if let thumbnail { fields += ["\"thumbnail_key\":\"\(thumbnail.key)\"", "\"thumbnail_path\":\"\(thumbnail.path)\""] }
            return "{" + fields.joined(separator: ",") + "}"
        }
        let cases: [(String, String)] = [
            (record("avatar/original/env.jpg", "/proc/self/environ"), "is not an image"),
            (record("avatar/original/dotenv.jpg", photos.path + "/.env"), "is not an image"),
            (record("avatar/original/passwd.jpg", "/etc/passwd"), "is not an image"),
            (record("avatar/original/a.jpg", image, thumbnail: ("avatar/thumbnail/a.jpg", "/etc/hostname")), "the thumbnail file /etc/hostname is not an image"),
            (record("other-team/original/keep.jpg", image), "its key other-team/original/keep.jpg is not under avatar/original/"),
            (record("/avatar/original/a.jpg", image), "is not under avatar/original/"),
            (record("avatar/original/a.jpg", image, thumbnail: ("avatar/thumbnail/other.jpg", image)), "is not one of a.jpg's thumbnail keys"),
        ]
        let run = try Shell.run("spaces-put --env-file \(bucket.envFile)", stdin: cases.map(\.0).joined(separator: "\n") + "\n")
        #expect(run.status == 1, "\(run.stderr)")
        let records = try run.records()
        #expect(records.count == cases.count)
        for (record, (_, reason)) in zip(records, cases) {
            #expect(record.status == .failed && record.error?.contains(reason) == true, "\(record.error ?? "no error") for \(reason)")
        }
        #expect(try bucket.objects().isEmpty, "nothing stored")
    }

    @Test(arguments: Harness.Server.s3Servers) func awkwardNamesBecomeTheExactKeys(server: Harness.Server) throws {
        let bucket = try TestBucket("names", on: server)
        let photos = try TemporaryDirectory()
        let source = Harness.corpus + "/png/png-palette-trns.png"
        let names = ["a b.jpg", "a+b.jpg", "100%.jpg", "tilde~.jpg", "x=y&z.jpg", "quote'\"s.jpg", "é.jpg", "😀 smile.jpg",
                     "sub dir/ü.png", "semi;colon,comma.jpg", "#hash?.jpg"]
        for name in names { try photos.copy(source, to: name) }
        let run = try Shell.run("img-scan --prefix 'my prefix' \(Shell.quote(photos.path)) | spaces-put --prefix 'my prefix' --env-file \(bucket.envFile)")
        #expect(run.status == 0, "\(run.stderr)")
        let stored = try bucket.objects()
        #expect(Set(stored.keys) == Set(names.map { "my prefix/original/\($0)" }))
        let digest = try FileDigest.compute(path: source).md5.hexString
        #expect(stored.values.allSatisfy { $0.md5 == digest && $0.content_type == "image/png" })
    }

    @Test(arguments: Harness.Server.s3Servers) func wrongSecretStopsAtOnceWithTheAuthenticationMessage(server: Harness.Server) throws {
        let bucket = try TestBucket("auth", on: server)
        let run = try Shell.run("img-scan \(Shell.quote(Harness.corpus)) | spaces-put --env-file \(bucket.envFile) --debug",
                                environment: ["SPACES_SECRET_KEY": "not-the-secret"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("spaces-put: error: Failed to authenticate with the S3 server at \(bucket.settings["SPACES_ENDPOINT"]!): SignatureDoesNotMatch"))
        #expect(run.lines.isEmpty)
        // No retry storm: one request, then stop.
        #expect(run.stderr.components(separatedBy: "debug: PUT").count - 1 == 1, "\(run.stderr)")
        #expect(run.seconds < 5)
        #expect(try bucket.objects().isEmpty)
    }

    @Test func unknownAccessKeyIsAnAuthenticationFailureToo() throws {
        let bucket = try TestBucket("auth")
        let run = try Shell.run("img-scan \(Shell.quote(Harness.corpus + "/png")) | spaces-put --env-file \(bucket.envFile)",
                                environment: ["SPACES_ACCESS_KEY": "NOSUCHKEY"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("Failed to authenticate with the S3 server at http://127.0.0.1:"), "\(run.stderr)")
    }

    @Test(arguments: Harness.Server.s3Servers) func missingBucketIsFatalWithAClearMessage(server: Harness.Server) throws {
        let bucket = try TestBucket("nobucket", on: server)
        let run = try Shell.run("img-scan \(Shell.quote(Harness.corpus + "/png")) | spaces-put --env-file \(bucket.envFile)",
                                environment: ["SPACES_BUCKET": "no-such-bucket-\(UInt32.random(in: 0...UInt32.max))"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("spaces-put: error: Bucket not found: no-such-bucket-"), "\(run.stderr)")
    }

    @Test func theSecretNeverAppearsInAnyOutputEvenWithDebug() throws {
        let bucket = try TestBucket("secret")
        let good = try Shell.run("img-scan --debug \(Shell.quote(Harness.corpus + "/exif")) | spaces-put --debug --env-file \(bucket.envFile)")
        let bad = try Shell.run("img-scan \(Shell.quote(Harness.corpus + "/exif")) | spaces-put --debug --env-file \(bucket.envFile)",
                                environment: ["SPACES_SECRET_KEY": bucket.secretKey + "x"])
        #expect(good.status == 0 && bad.status == 2)
        for output in [good.stdout, good.stderr, bad.stdout, bad.stderr] {
            #expect(!output.contains(bucket.secretKey))
            #expect(!output.contains("Signature="))
            #expect(!output.contains("Credential="))
        }
        #expect(good.stderr.contains("debug: PUT"))
    }

    @Test(arguments: Harness.Server.s3Servers) func oneLineOutPerLineInSameOrderWithFinishedRecordsPassedThrough(server: Harness.Server) throws {
        let bucket = try TestBucket("order", on: server)
        let photos = try TemporaryDirectory()
        let good = try photos.copy(Harness.corpus + "/gif/gif-static-photo.gif", to: "good.gif")
        let finished = #"{"path":"/x/done.jpg","rel":"done.jpg","status":"skipped","reason":"exists","extra":[1, 2]}"#
        let input = [
            finished,
            "this is not json",
            #"{"path":"\#(good)","rel":"good.gif","key":"avatar/original/good.gif","thumbnail_key":"avatar/thumbnail/good.jpg"}"#,
            #"{"path":"\#(photos.path)/gone.jpg","rel":"gone.jpg","key":"avatar/original/gone.jpg","thumbnail_key":"avatar/thumbnail/gone.jpg"}"#,
            "",
            #"{"rel":"nopath.jpg"}"#,
        ].joined(separator: "\n") + "\n"
        let run = try Shell.run("spaces-put --env-file \(bucket.envFile)", stdin: input)
        #expect(run.status == 1)
        let lines = run.lines
        try #require(lines.count == 5, "\(run.stdout)")
        #expect(lines[0] == finished)
        #expect(lines[1].contains(#""status":"failed""#) && lines[1].contains("input line 2: not a JSON record"))
        let uploaded = try RecordCoding.decode(Data(lines[2].utf8))
        #expect(uploaded.status == .uploaded && uploaded.contentType == "image/gif")
        let gone = try RecordCoding.decode(Data(lines[3].utf8))
        #expect(gone.status == .failed)
        #expect(gone.error?.contains("gone.jpg: no such file or directory") == true)
        #expect(lines[4].contains(#"input line 6: record has no \"path\""#))
        #expect(run.stderr.contains("spaces-put: error: gone.jpg:"))
        #expect(Set(try bucket.objects().keys) == ["avatar/original/good.gif"])
    }

    @Test(arguments: Harness.Server.s3Servers) func thumbnailGoesFirstAndItsFileIsRemovedUnlessKept(server: Harness.Server) throws {
        let bucket = try TestBucket("thumb", on: server)
        let work = try TemporaryDirectory()
        let original = try work.copy(Harness.corpus + "/jpeg/jpeg-grayscale.jpg", to: "photo.jpg")
        func record(_ name: String) throws -> String {
            let thumbnail = try work.copy(Harness.corpus + "/png/png-palette-trns.png", to: "\(name).thumb")
            return #"{"path":"\#(original)","rel":"photo.jpg","key":"avatar/original/\#(name).jpg","thumbnail_key":"avatar/thumbnail/\#(name).jpg","thumbnail_path":"\#(thumbnail)"}"#
        }
        let first = try record("one")
        let run = try Shell.run("spaces-put --debug --env-file \(bucket.envFile)", stdin: first + "\n")
        #expect(run.status == 0, "\(run.stderr)")
        let puts = run.stderr.split(separator: "\n").filter { $0.contains("debug: PUT") }
        #expect(puts.count == 2 && puts[0].contains("PUT avatar/thumbnail/one.jpg") && puts[1].contains("PUT avatar/original/one.jpg"))
        #expect(!FileManager.default.fileExists(atPath: work.path + "/one.thumb"))
        let out = try run.records()[0]
        #expect(out.thumbnailEtag != nil && out.thumbnailUrl?.hasSuffix("/avatar/thumbnail/one.jpg") == true && out.thumbnailSize != nil)
        let stored = try bucket.objects()
        #expect(stored["avatar/thumbnail/one.jpg"]?.content_type == "image/jpeg")

        let kept = try Shell.run("spaces-put --keep-thumbnails --env-file \(bucket.envFile)", stdin: try record("two") + "\n")
        #expect(kept.status == 0)
        #expect(FileManager.default.fileExists(atPath: work.path + "/two.thumb"))
    }

    @Test func aMissingThumbnailFailsTheRecordAndTheOriginalIsNotUploaded() throws {
        let bucket = try TestBucket("nothumb")
        let work = try TemporaryDirectory()
        let original = try work.copy(Harness.corpus + "/jpeg/jpeg-grayscale.jpg", to: "photo.jpg")
        let line = #"{"path":"\#(original)","rel":"photo.jpg","key":"avatar/original/p.jpg","thumbnail_key":"avatar/thumbnail/p.jpg","thumbnail_path":"\#(work.path)/none.jpg"}"#
        let run = try Shell.run("spaces-put --env-file \(bucket.envFile)", stdin: line + "\n")
        #expect(run.status == 1)
        #expect(try run.records()[0].error?.hasPrefix("thumbnail: cannot read") == true)
        #expect(try bucket.objects().isEmpty)
    }

    /// An original or a thumbnail whose path names a FIFO fails its record at once, with the reason, and
    /// nothing of that record is uploaded; the record after it is. Hashing the FIFO used to wait for a writer
    /// forever: `timeout` turns a hang back into a failure here.
    @Test func aFIFOAsAnOriginalOrAThumbnailFailsItsRecordAtOnce() throws {
        let bucket = try TestBucket("fifo")
        let work = try TemporaryDirectory()
        let fifo = work.path + "/pipe.jpg"
        try #require(mkfifo(fifo, 0o600) == 0)
        let photo = try work.copy(Harness.corpus + "/jpeg/jpeg-grayscale.jpg", to: "photo.jpg")
        let thumbnail = try work.copy(Harness.corpus + "/png/png-palette-trns.png", to: "photo.thumb")
        let input = [
            #"{"key":"avatar/original/pipe.jpg","path":"\#(fifo)","rel":"pipe.jpg","thumbnail_key":"avatar/thumbnail/pipe.jpg"}"#,
            #"{"key":"avatar/original/p.jpg","path":"\#(photo)","rel":"p.jpg","thumbnail_key":"avatar/thumbnail/p.jpg","thumbnail_path":"\#(fifo)"}"#,
            #"{"key":"avatar/original/good.jpg","path":"\#(photo)","rel":"good.jpg","thumbnail_key":"avatar/thumbnail/good.jpg","thumbnail_path":"\#(thumbnail)"}"#,
        ].joined(separator: "\n") + "\n"
        let run = try Shell.run("timeout 20 spaces-put --env-file \(bucket.envFile)", stdin: input)
        #expect(run.status == 1, "exit 1: some records failed (124: it hung)")
        #expect(run.seconds < 10)
        let records = try run.records()
        try #require(records.count == 3, "\(run.stdout)")
        #expect(records[0].status == .failed && records[0].error == "cannot read \(fifo): not a regular file (a FIFO)", "\(records[0])")
        #expect(records[1].status == .failed
                && records[1].error == "thumbnail: cannot read \(fifo): not a regular file (a FIFO)", "\(records[1])")
        #expect(records[2].status == .uploaded, "\(records[2])")
        #expect(run.stderr.contains("spaces-put: error: pipe.jpg: cannot read \(fifo): not a regular file (a FIFO)"), "\(run.stderr)")
        #expect(Set(try bucket.objects().keys) == ["avatar/original/good.jpg", "avatar/thumbnail/good.jpg"])
    }

    @Test(arguments: Harness.Server.s3Servers) func cacheControlIsSent(server: Harness.Server) throws {
        let bucket = try TestBucket("cache", on: server)
        let run = try Shell.run("img-scan \(Shell.quote(Harness.corpus + "/gif")) | spaces-put --env-file \(bucket.envFile)",
                                environment: ["SPACES_CACHE_CONTROL": "public, max-age=86400"])
        #expect(run.status == 0)
        let stored = try bucket.objects()
        #expect(!stored.isEmpty && stored.values.allSatisfy { $0.cache_control == "public, max-age=86400" })
    }

    @Test func anUnreachableServerFailsEachRecordAfterRetriesWithoutHanging() throws {
        let bucket = try TestBucket("down")
        let run = try Shell.run("img-scan \(Shell.quote(Harness.corpus + "/gif")) | spaces-put --retries 2 --env-file \(bucket.envFile) --debug",
                                environment: ["SPACES_ENDPOINT": "http://127.0.0.1:9"])
        // Exit 3: the server stopped answering. Three records in a row fail after their retries; the breaker
        // then fails the rest without a request.
        #expect(run.status == 3)
        let records = try run.records()
        try #require(records.count > 3)
        #expect(records.allSatisfy { $0.status == .failed })
        #expect(records.prefix(3).allSatisfy { ($0.error ?? "").contains("after 3 attempts") })
        #expect(records.dropFirst(3).allSatisfy { ($0.error ?? "").hasPrefix("not attempted: the server was unavailable for the last 3 uploads") },
                "\(records.map { $0.error ?? "" })")
        #expect(run.stderr.contains("retrying PUT"))
        #expect(run.counts(of: "request", where: "debug:") == [9], "\(run.stderr.suffix(300))")
        #expect(run.seconds < 30)
    }

    @Test func configurationErrorsAreFatal() throws {
        let run = try Shell.run("echo '{}' | spaces-put")
        #expect(run.status == 2)
        #expect(run.stderr.contains("spaces-put: error: Missing required environment variables: SPACES_ACCESS_KEY, SPACES_SECRET_KEY, SPACES_BUCKET"))
        let missingFile = try Shell.run("spaces-put --env-file /nonexistent.env < /dev/null")
        #expect(missingFile.status == 2 && missingFile.stderr.contains("env file not found: /nonexistent.env"))
    }
}
