import Common
import Foundation
import TestSupport
import Testing

/// The edges of upload-images and the commands where images used to be lost or misreported: stages that
/// die, signals, a full disk, files replaced mid-run, fields the toolkit does not know.
@Suite(.integrationTimeLimit) struct DyingStageTests {
    /// A folder of commands where one stage is replaced by a wrapper that really runs it, then dies.
    func commands(replacing stage: String, with script: String) throws -> TemporaryDirectory {
        let bin = try TemporaryDirectory()
        for command in ["img-scan", "spaces-exists", "img-thumb", "spaces-put", "spaces-ls", "spaces-get", "upload-review", "upload-run"] where command != stage {
            symlink(Harness.binDirectory + "/" + command, bin.path + "/" + command)
        }
        let path = try bin.write(stage, Data(("#!/bin/bash\nREAL=\(Shell.quote(Harness.binDirectory))\n" + script).utf8))
        chmod(path, 0o755)
        return bin
    }

    func photos(_ count: Int) throws -> TemporaryDirectory {
        let photos = try TemporaryDirectory()
        for index in 0..<count { try photos.copy(Corpus.file("jpeg/jpeg-grayscale.jpg"), to: "p\(index).jpg") }
        return photos
    }

    /// Nine images at one worker are three batches of three, all taken by one img-thumb | spaces-put pair.
    /// img-thumb killed (as the OOM killer would) after two records: the third is a failed record naming
    /// what happened, and the worker starts a new pair for the batches left, which dies the same way (6
    /// uploaded, 3 failed). spaces-put refusing its options fails every record with the reason. spaces-put
    /// killed after three records: img-thumb had already taken the second batch, which fails, and the third
    /// too if it got ahead through the pipe (else a new pair uploads it). The failures reach the failures
    /// file, and the run exits 1.
    @Test(arguments: [
        ("img-thumb", "\"$REAL/img-thumb\" \"$@\" | head -n 2\nkill -KILL $$\n", "img-thumb was killed by signal 9 (KILL)", [6]),
        ("spaces-put", "[[ $1 == --list-incomplete ]] && exec \"$REAL/spaces-put\" \"$@\"\nexec \"$REAL/spaces-put\" --no-such-option \"$@\"\n",
         "spaces-put exited with status 64", [0]),
        ("spaces-put", "[[ $1 == --list-incomplete ]] && exec \"$REAL/spaces-put\" \"$@\"\nhead -n 3 | \"$REAL/spaces-put\" \"$@\"\nkill -KILL $$\n",
         "spaces-put was killed by signal 9 (KILL)", [3, 6]),
    ])
    func recordsOfABatchWhoseStageDiedAreFailedWithTheReason(_ stage: String, _ script: String, _ reason: String, _ uploads: [Int]) throws {
        let bucket = try TestBucket("dying")
        let folder = try TemporaryDirectory()
        let images = try photos(9)
        let bin = try commands(replacing: stage, with: script)
        let run = try UploadImagesTests().upload("\(images.path) --workers 1 --batch-size 9", bucket: bucket, in: folder,
                                                 environment: ["UPLOAD_IMAGES_BIN": bin.path])
        #expect(run.status == 1, "\(run.stderr.suffix(800))")
        let records = try UploadImagesTests().results(in: folder)
        #expect(records.count == 9, "every image has its line")
        let failed = records.filter { $0.status == .failed }
        let done = records.filter { $0.status == .uploaded }.count
        #expect(uploads.contains(done), "\(done) uploaded")
        #expect(failed.count == 9 - done && failed.allSatisfy { $0.error == "not uploaded: \(reason)" }, "\(failed.map { $0.error ?? "" })")
        #expect(UploadImagesTests().summaryCount("found", run) == 9)
        #expect(UploadImagesTests().summaryCount("failed", run) == 9 - done)
        let failuresFile = try #require(try UploadImagesTests().newest("upload_failures_", in: folder))
        #expect(try String(contentsOfFile: failuresFile, encoding: .utf8).split(separator: "\n").count == 9 - done)
    }
}

@Suite(.integrationTimeLimit) struct SignalTests {
    /// SIGTERM to the script alone (as `timeout` or a service manager sends it) mid-upload, three times: no
    /// batch starts after it, every worker is waited for, the summary counts exactly the results file, which
    /// no worker touches afterwards, and every original in the bucket has an `uploaded` record.
    @Test func termToTheScriptAloneStopsEveryWorkerBeforeTheSummary() throws {
        let photos = try TemporaryDirectory()
        for index in 0..<200 { try photos.copy(Corpus.file("jpeg/jpeg-grayscale.jpg"), to: "p\(index).jpg") }
        let proxy = try FaultProxy(hold: 0.03)
        for round in 0..<3 {
            // A bucket per round: emptying one took a client process per key, 40 of the test's 65 s.
            let bucket = try TestBucket("term")
            let folder = try TemporaryDirectory()
            let console = try TemporaryDirectory()
            let run = try startUploadImages([photos.path, "--workers", "4", "--batch-size", "5", "--no-skip-existing"], bucket: bucket,
                                            in: folder, environment: ["SPACES_ENDPOINT": proxy.endpoint], output: console.path + "/out")
            let deadline = Date().addingTimeInterval(30)
            while Date() < deadline {
                if let file = try UploadImagesTests().newest("upload_results_", in: folder),
                   (try? String(contentsOfFile: file, encoding: .utf8))?.split(separator: "\n").count ?? 0 >= 10 + 15 * round { break }
                usleep(20_000)
            }
            kill(run.processIdentifier, SIGTERM)
            run.waitUntilExit(within: 180)
            let output = try String(contentsOfFile: console.path + "/out", encoding: .utf8)
            #expect(run.terminationStatus == 130, "\(output.suffix(600))")
            let file = try #require(try UploadImagesTests().newest("upload_results_", in: folder))
            let before = try String(contentsOfFile: file, encoding: .utf8)
            usleep(1_000_000)
            #expect(try String(contentsOfFile: file, encoding: .utf8) == before, "a worker wrote after the summary")
            let records = try UploadImagesTests().results(in: folder)
            #expect(records.count == 200, "round \(round): every image has one line")
            #expect(Set(records.map(\.rel)).count == 200)
            let uploaded = records.filter { $0.status == .uploaded }
            #expect(summary("uploaded", output) == uploaded.count && summary("failed", output) == 200 - uploaded.count, "\(output.suffix(600))")
            let failures = records.filter { $0.status == .failed }
            #expect(failures.allSatisfy { $0.error?.contains("interrupted") == true }, "\(Set(failures.map { $0.error ?? "" }))")
            let stored = Set(try bucket.objects(prefix: "avatar/original/").keys)
            #expect(stored == Set(uploaded.compactMap(\.key)), "round \(round): objects without an uploaded record: \(stored.subtracting(uploaded.compactMap(\.key)))")
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).allSatisfy { !$0.hasPrefix("upload-images.") })
        }
    }

    func summary(_ label: String, _ output: String) -> Int? {
        guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix("  \(label):") }) else { return nil }
        return Int(line.split(separator: ":")[1].trimmingCharacters(in: .whitespaces).split(separator: " ")[0])
    }

    /// TERM while the folder is still being scanned: the scan, the listing and the check stop too, and the
    /// run exits 130 having uploaded nothing.
    @Test func termWhileScanningStopsTheScanAndExits130() throws {
        let bucket = try TestBucket("termscan")
        let photos = try TemporaryDirectory()
        let made = try Shell.run("""
            python3 -c 'import os, sys
            for n in range(60000): open(os.path.join(sys.argv[1], "photo%06d.jpg" % n), "wb").close()' \(photos.path)
            """)
        try #require(made.status == 0, "\(made.stderr)")
        let folder = try TemporaryDirectory()
        let console = try TemporaryDirectory()
        let run = try startUploadImages([photos.path, "--workers", "2"], bucket: bucket, in: folder, output: console.path + "/out")
        usleep(400_000)
        let scanning = try Shell.run("pgrep -f 'img-scan --records-only --prefix avatar \(photos.path)|spaces-exists --records-only --env-file \(bucket.envFile)'").stdout
        kill(run.processIdentifier, SIGTERM)
        let sent = Date()
        run.waitUntilExit(within: 180)
        let output = try String(contentsOfFile: console.path + "/out", encoding: .utf8)
        #expect(!scanning.isEmpty, "the scan had ended before the signal: \(output)")
        #expect(run.terminationStatus == 130, "\(output)")
        #expect(Date().timeIntervalSince(sent) < 3)
        #expect(output.contains("interrupted before the upload began"), "\(output)")
        usleep(200_000)
        let left = try Shell.run("pgrep -f 'img-scan --records-only --prefix avatar \(photos.path)|spaces-exists --records-only --env-file \(bucket.envFile)'").stdout
        #expect(left.isEmpty, "still running: \(left)")
        #expect(try bucket.objects().isEmpty)
    }
}

@Suite(.integrationTimeLimit) struct FullDiskTests {
    /// The results file on a disk that fills up mid-run (a 64 KB tmpfs in a mount namespace of its own):
    /// exit 2, one line saying so, the summary of what was recorded, and no half line left in the file.
    @Test func aResultsFileThatCannotBeWrittenEndsTheRunPlainly() throws {
        let bucket = try TestBucket("fulldisk")
        let photos = try TemporaryDirectory()
        for index in 0..<300 { try photos.copy(Corpus.file("jpeg/jpeg-1x1.jpg"), to: "photo-with-a-long-name-\(index).jpg") }
        let tmp = try TemporaryDirectory()
        let disk = try TemporaryDirectory()
        let out = try TemporaryDirectory()
        let run = try Shell.run("""
            unshare -m bash -c 'mount -t tmpfs -o size=64k tmpfs "$0" && cd "$0" && \
            TMPDIR=\(tmp.path) \(UploadImagesTests.script) \(photos.path) --workers 2 --env-file \(bucket.envFile); \
            status=$?; cp upload_results_* \(out.path)/; exit $status' \(disk.path)
            """)
        #expect(run.status == 2, "\(run.stderr.suffix(1200))")
        let lines = run.stderr.split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("upload-images: cannot write the results file ") && $0.contains("no space left") }, "\(run.stderr.suffix(800))")
        #expect(lines.contains("Summary of what was recorded") && !run.stderr.contains("parse error"), "\(run.stderr.suffix(800))")
        let file = try #require(try FileManager.default.contentsOfDirectory(atPath: out.path).first { $0.hasPrefix("upload_results_") })
        let text = try String(contentsOfFile: out.path + "/" + file, encoding: .utf8)
        #expect(!text.isEmpty && text.hasSuffix("\n"), "the file ends in a whole line")
        for line in text.split(separator: "\n") { _ = try RecordCoding.decode(Data(line.utf8)) }
        #expect(UploadImagesTests().summaryCount("uploaded", run) == text.split(separator: "\n").count { $0.contains("\"status\":\"uploaded\"") })
    }
}

@Suite(.integrationTimeLimit) struct SwappedFileTests {
    /// c.jpg replaced by a PNG after img-thumb read it: spaces-put uploads neither it nor its stale
    /// thumbnail, the record fails saying why, and the next run uploads the PNG with its own thumbnail.
    @Test(arguments: ["replace", "rewrite"])
    func aFileReplacedAfterItsThumbnailWasMadeIsNotUploaded(_ how: String) throws {
        let bucket = try TestBucket("swapped")
        let photos = try TemporaryDirectory()
        for name in ["a.jpg", "b.jpg", "c.jpg"] { try photos.copy(Corpus.file("exif/exif-orient-1.jpg"), to: name) }
        let thumbs = try TemporaryDirectory()
        let swap = how == "replace"
            ? "cp \(Shell.quote(Corpus.file("png/png-palette-trns.png"))) \(photos.path)/new.png && mv \(photos.path)/new.png \(photos.path)/c.jpg"
            : "cat \(Shell.quote(Corpus.file("png/png-palette-trns.png"))) > \(photos.path)/c.jpg"
        let run = try Shell.run("""
            img-scan \(photos.path) | img-thumb --out \(thumbs.path) > thumbed && \(swap) && spaces-put --env-file \(bucket.envFile) < thumbed
            """)
        #expect(run.status == 1, "\(run.stderr)")
        let records = try run.records()
        #expect(records.map(\.status) == [.uploaded, .uploaded, .failed])
        #expect(records[2].error?.hasPrefix("changed after its thumbnail was made (") == true, "\(records[2].error ?? "")")
        #expect(Set(try bucket.objects().keys) == ["avatar/original/a.jpg", "avatar/original/b.jpg", "avatar/thumbnail/a.jpg", "avatar/thumbnail/b.jpg"])
        let again = try Shell.run("img-scan \(photos.path) | spaces-exists --env-file \(bucket.envFile) | img-thumb --out \(thumbs.path) | spaces-put --env-file \(bucket.envFile)")
        let redone = try again.records()
        #expect(again.status == 0 && redone[2].status == .uploaded && redone[2].contentType == "image/png", "\(again.stdout)")
    }
}

@Suite(.integrationTimeLimit) struct UnknownFieldTests {
    /// Fields a user joined in with jq pass every stage and reach the results file unchanged, even one that
    /// holds a "status" of its own.
    @Test func fieldsAUserAddedSurviveEveryStage() throws {
        let bucket = try TestBucket("fields")
        let photos = try TemporaryDirectory()
        for name in ["a.jpg", "b.jpg"] { try photos.copy(Corpus.file("jpeg/jpeg-grayscale.jpg"), to: name) }
        let thumbs = try TemporaryDirectory()
        let enrich = #"jq -c '. + {user_id: 42, album: {status: "draft", tags: ["x", "}"]}, note: "caf\u00e9"}'"#
        let run = try Shell.run("""
            img-scan \(photos.path) | \(enrich) | spaces-exists --env-file \(bucket.envFile) | img-thumb --out \(thumbs.path) \
            | spaces-put --env-file \(bucket.envFile)
            """)
        #expect(run.status == 0, "\(run.stderr)")
        for line in run.lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(object["status"] as? String == "uploaded")
            #expect(object["user_id"] as? Int == 42 && object["note"] as? String == "café", "\(line)")
            #expect((object["album"] as? [String: Any])?["status"] as? String == "draft", "\(line)")
        }
        // Through upload-images: from a records file with those fields, into its results file.
        let folder = try TemporaryDirectory()
        let records = try folder.write("records.jsonl", Data(try Shell.run("img-scan \(photos.path) | \(enrich)").stdout.utf8))
        let upload = try UploadImagesTests().upload("--from-records \(records) --no-skip-existing", bucket: bucket, in: folder)
        #expect(upload.status == 0, "\(upload.stderr)")
        let results = try UploadImagesTests().results(in: folder)
        #expect(results.count == 2 && results.allSatisfy { $0.status == .uploaded })
        let text = try String(contentsOfFile: try #require(try UploadImagesTests().newest("upload_results_", in: folder)), encoding: .utf8)
        #expect(text.components(separatedBy: #""user_id":42"#).count == 3 && text.components(separatedBy: #""album":{"status":"draft""#).count == 3, "\(text)")
    }
}
