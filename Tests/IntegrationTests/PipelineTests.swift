import Common
import Foundation
import TestSupport
import Testing

/// The four commands piped together by hand, exactly as the README shows them.
@Suite(.integrationTimeLimit) struct PipelineTests {
    /// A working folder holding `.env` for the bucket, as a user's project folder would.
    func projectFolder(for bucket: TestBucket) throws -> TemporaryDirectory {
        let folder = try TemporaryDirectory()
        try FileManager.default.copyItem(atPath: bucket.envFile, toPath: folder.path + "/.env")
        chmod(folder.path + "/.env", 0o600)
        return folder
    }

    func photos() throws -> TemporaryDirectory {
        let photos = try TemporaryDirectory()
        try photos.copy(Corpus.file("exif/exif-orient-6.jpg"), to: "a.jpg")
        try photos.copy(Corpus.file("png/png-palette-trns.png"), to: "team/b c.png")
        try photos.copy(Corpus.file("photos/webp-lossy-photo.webp"), to: "ü/c.webp")
        return photos
    }

    func files(in path: String) -> [String] { (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] }

    /// `img-scan DIR | spaces-exists | img-thumb | spaces-put`, word for word: img-thumb needs no --out.
    @Test func theBareOneLinerUploadsEverythingAndLeavesNoThumbnailBehind() throws {
        let bucket = try TestBucket("oneliner")
        let folder = try projectFolder(for: bucket)
        let photos = try photos()
        let tmp = try TemporaryDirectory()
        let line = "img-scan \(Shell.quote(photos.path)) | spaces-exists | img-thumb | spaces-put"
        let run = try Shell.run(line, environment: ["TMPDIR": tmp.path], directory: folder.path)
        #expect(run.status == 0, "\(run.stderr)")
        let records = try run.records()
        #expect(records.count == 3 && records.allSatisfy { $0.status == .uploaded }, "\(run.stdout)")
        let stored = try bucket.objects()
        for record in records {
            #expect(stored[record.key!]?.md5 == (try FileDigest.compute(path: record.path)).md5.hexString, "\(record.rel)")
            #expect(stored[record.thumbnailKey!]?.whole_jpeg == true, "\(record.rel)")
        }
        // The thumbnails went through a private folder of the user's, emptied as they were uploaded.
        let private_ = tmp.path + "/img-thumb-\(getuid())"
        var info = stat()
        #expect(lstat(private_, &info) == 0 && info.st_mode & 0o777 == 0o700 && info.st_uid == getuid())
        #expect(files(in: private_).isEmpty, "left behind: \(files(in: private_))")
        // Run again: everything is there, so everything is skipped.
        let again = try Shell.run(line, environment: ["TMPDIR": tmp.path], directory: folder.path)
        let skipped = try again.records()
        #expect(again.status == 0 && skipped.count == 3 && skipped.allSatisfy { $0.status == .skipped }, "\(again.stdout)")
    }

    /// The reference's retry recipe, taken from docs/reference.md itself and run as it is: the failed uploads'
    /// records go back into spaces-put, whose thumbnails are still where the records say.
    @Test func theReferencesRetryRecipeWorksWordForWord() throws {
        let reference = try String(contentsOfFile: Harness.packageRoot + "/docs/reference.md", encoding: .utf8)
        let recipe = try #require(reference.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .first { $0.hasPrefix("jq -c 'select(.status == \"failed\")") && $0.contains("spaces-put") }, "docs/reference.md has no retry recipe")
        let bucket = try TestBucket("retryrecipe")
        let folder = try projectFolder(for: bucket)
        let tmp = try TemporaryDirectory()
        let images = try photos()
        // The first run meets a server that is not there: every upload fails.
        let first = try Shell.run("img-scan \(Shell.quote(images.path)) | img-thumb | spaces-put --retries 0 > results.jsonl",
                                  environment: ["TMPDIR": tmp.path, "SPACES_ENDPOINT": "http://127.0.0.1:9"], directory: folder.path)
        #expect(first.status != 0)
        let failed = try Shell.records(in: String(contentsOfFile: folder.path + "/results.jsonl", encoding: .utf8))
        #expect(failed.count == 3 && failed.allSatisfy { $0.status == .failed && $0.thumbnailPath != nil })
        #expect(failed.allSatisfy { FileManager.default.fileExists(atPath: $0.thumbnailPath!) }, "a failed upload keeps its thumbnail")

        let retry = try Shell.run(recipe, environment: ["TMPDIR": tmp.path], directory: folder.path)
        #expect(retry.status == 0, "\(recipe): \(retry.stderr)")
        let retried = try Shell.records(in: String(contentsOfFile: folder.path + "/retried.jsonl", encoding: .utf8))
        #expect(retried.count == 3 && retried.allSatisfy { $0.status == .uploaded }, "\(retried.map { $0.error ?? "" })")
        let stored = try bucket.objects()
        #expect(retried.allSatisfy { stored[$0.thumbnailKey!]?.md5 == $0.thumbnailEtag && stored[$0.key!] != nil })
        #expect(files(in: tmp.path + "/img-thumb-\(getuid())").isEmpty, "uploaded thumbnails are removed")
    }

    /// The default folder is used only when it is the user's own and closed to others.
    @Test func imgThumbRefusesADefaultFolderOthersCouldReach() throws {
        let tmp = try TemporaryDirectory()
        let images = try photos()
        let scan = try Shell.run("img-scan \(Shell.quote(images.path))")
        let folder = tmp.path + "/img-thumb-\(getuid())"
        mkdir(folder, 0o755)
        chmod(folder, 0o755)
        let open = try Shell.run("img-thumb", stdin: scan.stdout, environment: ["TMPDIR": tmp.path])
        #expect(open.status == 2 && open.lines.isEmpty)
        #expect(open.stderr == "img-thumb: error: \(folder): open to other users (mode 755): chmod 700 it, or use --out\n")
        rmdir(folder)
        symlink(tmp.path, folder)
        let link = try Shell.run("img-thumb", stdin: scan.stdout, environment: ["TMPDIR": tmp.path])
        #expect(link.status == 2 && link.stderr.contains("not a folder"), "\(link.stderr)")
        unlink(folder)
        let fine = try Shell.run("img-thumb", stdin: scan.stdout, environment: ["TMPDIR": tmp.path])
        let made = try fine.records()
        #expect(fine.status == 0 && made.count == 3 && made.allSatisfy { $0.thumbnailPath?.hasPrefix(folder + "/") == true })
        let help = try Shell.run("img-thumb --help")
        #expect(help.stdout.contains("img-thumb-UID in $TMPDIR or /tmp"))
    }
}
