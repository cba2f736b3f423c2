import Common
import Foundation
import TestSupport
import Testing

/// `upload-images --delete-removed` and its parts (`spaces-exists --removed`, `spaces-put --delete`), against
/// the real servers.
@Suite(.integrationTimeLimit) struct PruneTests {
    let script = UploadImagesTests()

    /// The deletion lines of the newest results file in `folder`.
    func deletions(in folder: TemporaryDirectory) throws -> [RemovalRecord] {
        let file = try #require(try script.newest("upload_results_", in: folder))
        return try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n")
            .filter { $0.contains(#""action":"delete""#) }.map { try RemovalRecord.decode(Data($0.utf8)) }
    }

    /// The keys of the deletion records in a dry run's plan (its stdout).
    func deletionKeys(_ stdout: String) throws -> [String] {
        try stdout.split(separator: "\n").filter { $0.contains(#""action":"delete""#) }.map { try RemovalRecord.decode(Data($0.utf8)).key }
    }

    /// Small objects put straight into the bucket, whatever their keys.
    func put(_ keys: [String], into bucket: TestBucket, client: S3Client) throws {
        let scratch = try TemporaryDirectory()
        let file = try scratch.write("x", Data("x".utf8))
        let digest = try FileDigest.compute(path: file)
        for key in keys { _ = try client.putObject(key: key, file: file, digest: digest, contentType: "text/plain") }
    }

    func photos(_ rels: [String]) throws -> TemporaryDirectory {
        let photos = try TemporaryDirectory()
        for rel in rels {
            _ = try photos.copy(Corpus.file(rel.hasSuffix(".png") ? "png/png-palette-trns.png" : "jpeg/jpeg-grayscale.jpg"), to: rel)
        }
        return photos
    }

    @Test(arguments: Harness.Server.s3Servers)
    func aDryRunListsTheGuardRefusesAndARunDeletesOnlyWhatIsGone(server: Harness.Server) throws {
        let bucket = try TestBucket("prune", on: server)
        let folder = try TemporaryDirectory()
        let photos = try photos(["keep.jpg", "gone.jpg", "sub/keep.png", "sub/gone.png"])
        #expect(try script.upload(Shell.quote(photos.path), bucket: bucket, in: folder).status == 0)
        // Keys outside PREFIX/original/ and PREFIX/thumbnail/, or that no scan makes: never touched.
        let unrelated = ["other/original/gone.jpg", "avatar/gone.jpg", "avatar/originals/gone.jpg",
                         "avatar/original/notes.txt", "avatar/thumbnail/notes.txt"]
        try put(unrelated, into: bucket, client: try bucket.client())
        try FileManager.default.removeItem(atPath: photos.path + "/gone.jpg")
        try FileManager.default.removeItem(atPath: photos.path + "/sub/gone.png")
        let gone = ["avatar/original/gone.jpg", "avatar/original/sub/gone.png", "avatar/thumbnail/gone.jpg", "avatar/thumbnail/sub/gone.jpg"]
        let before = Set(try bucket.objects().keys)

        let dry = try script.upload("\(Shell.quote(photos.path)) --delete-removed --dry-run", bucket: bucket, in: folder)
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stderr.contains("dry run: 4 objects whose image is gone (2 originals, 2 thumbnails) would be deleted (their deletion records on stdout)"))
        #expect(try deletionKeys(dry.stdout) == gone)
        let unskipped = try script.upload("\(Shell.quote(photos.path)) --delete-removed --no-skip-existing --dry-run", bucket: bucket, in: folder)
        #expect(try deletionKeys(unskipped.stdout) == gone)
        #expect(Set(try bucket.objects().keys) == before)

        // The guard counts objects, originals and thumbnails alike, and refuses the whole run.
        let refused = try script.upload("\(Shell.quote(photos.path)) --delete-removed --max-delete 3", bucket: bucket, in: folder)
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("--delete-removed would delete 4 objects whose image is gone (2 originals, 2 thumbnails):"))
        #expect(gone.allSatisfy { refused.stderr.contains("\n  \($0)\n") })
        #expect(refused.stderr.contains("refusing to prune: it would delete 4 objects, more than --max-delete 3. Nothing was uploaded or deleted"), "\(refused.stderr)")
        #expect(Set(try bucket.objects().keys) == before)
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        #expect(files.filter { $0.hasPrefix("upload_results_") }.count == 1, "only the first upload wrote results: \(files)")

        let run = try script.upload("\(Shell.quote(photos.path)) --delete-removed --max-delete 4", bucket: bucket, in: folder)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("  deleted:    4 objects whose image is gone\n"))
        #expect(script.summaryCount("found", run) == 2 && script.summaryCount("skipped", run) == 2)
        let deleted = try deletions(in: folder)
        #expect(deleted.map(\.key) == gone && deleted.allSatisfy { $0.status == .deleted })
        #expect(deleted.map(\.kind) == [.original, .original, .thumbnail, .thumbnail] && deleted[1].rel == "sub/gone.png")
        #expect(Set(try bucket.objects().keys) == before.subtracting(gone))

        let again = try script.upload("\(Shell.quote(photos.path)) --delete-removed", bucket: bucket, in: folder)
        #expect(again.status == 0 && again.stderr.contains("  deleted:    0 objects whose image is gone\n"), "\(again.stderr)")
    }

    /// An unreadable file, a folder that cannot be listed and an image refused by img-thumb all fail in the
    /// run; none of them is taken for removed, and only the file really gone is deleted.
    /// What the scan's rules leave out is not gone: --exclude raw keeps raw/ in the bucket, and the extra
    /// thumbnails of --thumbnails go with their removed original.
    @Test func whatTheRulesLeaveOutStaysAndEveryThumbnailGoes() throws {
        let bucket = try TestBucket("prunerules")
        let folder = try TemporaryDirectory()
        let photos = try photos(["keep.jpg", "gone.jpg", "raw/r.jpg"])
        let up = try script.upload("\(Shell.quote(photos.path)) --thumbnails 200x300,100x150", bucket: bucket, in: folder)
        #expect(up.status == 0, "\(up.stderr)")
        #expect(try bucket.objects().count == 9)
        try FileManager.default.removeItem(atPath: photos.path + "/gone.jpg")
        let run = try script.upload("\(Shell.quote(photos.path)) --thumbnails 200x300,100x150 --exclude raw --delete-removed",
                                    bucket: bucket, in: folder)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try bucket.objects().keys.sorted() == ["avatar/original/keep.jpg", "avatar/original/raw/r.jpg",
                                                       "avatar/thumbnail-100x150/keep.jpg", "avatar/thumbnail-100x150/raw/r.jpg",
                                                       "avatar/thumbnail/keep.jpg", "avatar/thumbnail/raw/r.jpg"])
        #expect(try deletions(in: folder).map(\.key) == ["avatar/original/gone.jpg", "avatar/thumbnail-100x150/gone.jpg", "avatar/thumbnail/gone.jpg"])
    }

    @Test func anImageThatFailedInTheRunIsNeverTakenForRemoved() throws {
        let bucket = try TestBucket("prunefailed")
        let folder = try TemporaryDirectory()
        let photos = try photos(["ok.jpg", "gone.jpg", "locked.jpg", "private/inside.jpg", "private/deep/more.png", "broken.jpg"])
        #expect(try script.upload(Shell.quote(photos.path), bucket: bucket, in: folder).status == 0)
        let before = Set(try bucket.objects().keys)
        #expect(before.count == 12)
        try FileManager.default.removeItem(atPath: photos.path + "/gone.jpg")
        try Data("not an image any more".utf8).write(to: URL(fileURLWithPath: photos.path + "/broken.jpg"))
        // Run as an unprivileged user, or root would read everything.
        for path in [photos.path, folder.path, bucket.directory.path] {
            _ = try Shell.run("chown -R 65534:65534 \(Shell.quote(path))")
        }
        chmod(photos.path + "/locked.jpg", 0)
        chmod(photos.path + "/private", 0)
        let run = try Shell.run("""
            cd \(folder.path) && setpriv --reuid=65534 --regid=65534 --clear-groups env TMPDIR=\(folder.path) \
            \(UploadImagesTests.script) \(photos.path) --delete-removed --env-file \(bucket.envFile)
            """)
        #expect(run.status == 1, "\(run.stderr.suffix(800))")
        #expect(script.summaryCount("failed", run) == 3)
        #expect(run.stderr.contains("4 objects under paths that failed in this scan (a folder that could not be read) kept"), "\(run.stderr)")
        #expect(run.stderr.contains("  deleted:    2 objects whose image is gone\n"))
        #expect(try deletions(in: folder).map(\.key) == ["avatar/original/gone.jpg", "avatar/thumbnail/gone.jpg"])
        #expect(Set(try bucket.objects().keys) == before.subtracting(["avatar/original/gone.jpg", "avatar/thumbnail/gone.jpg"]))
    }

    /// `spaces-put --delete` at the library's level: chunks of `chunkSize` keys (S3's 1,000 in real runs), keys
    /// outside the prefix's folders and lines that are not deletion records refused without a request.
    @Test(arguments: Harness.Server.s3Servers)
    func deletionsGoInChunksAndStayInsideThePrefix(server: Harness.Server) throws {
        let bucket = try TestBucket("prunechunks", on: server)
        let client = try bucket.client()
        let inside = ["a.jpg", "b & <c>.jpg", "c\rr.jpg", "d é.png", "e.jpg", "f.jpg"].map { "avatar/original/" + $0 } + ["avatar/thumbnail/a.jpg"]
        let outside = ["keep/original/a.jpg", "avatar/a.jpg"]
        try put(inside + outside, into: bucket, client: client)
        var lines = inside.map { String(decoding: RemovalRecord(key: $0, kind: .original).encoded(), as: UTF8.self) }
        lines.insert(String(decoding: RemovalRecord(key: outside[0], kind: .original).encoded(), as: UTF8.self), at: 2)
        lines.insert(#"{"key":"avatar/original/a.jpg","path":"/p/a.jpg","rel":"a.jpg"}"#, at: 4)
        lines.insert("", at: 5)
        let scratch = try TemporaryDirectory()
        let input = try scratch.write("removed.jsonl", Data(lines.joined(separator: "\n").utf8))
        let fd = open(input, O_RDONLY)
        try #require(fd >= 0)
        defer { close(fd) }
        let deleter = Deleter(client: client, scope: KeyScope(prefix: "avatar"), report: { _ in })
        deleter.chunkSize = 3
        let requestsBefore = client.requestCount
        var output: [String] = []
        let reader = LineReader(fd: fd)
        while let chunk = try deleter.next(from: reader) { output += chunk.map { String(decoding: $0, as: UTF8.self) } }
        #expect(output.count == lines.count - 1, "one line out per line in, the blank one aside")
        #expect(output[2].contains(#""error":"not deleted: not a key the scan makes under avatar/original/ or the thumbnail folders avatar/thumbnail*/""#) && output[2].contains(#""status":"failed""#))
        #expect(output[4].hasPrefix(#"{"action":"delete","error":"input line 5: not a deletion record"#))
        #expect(output.filter { $0.contains(#""status":"deleted""#) }.count == inside.count)
        #expect(deleter.deletedCount == inside.count && deleter.failedCount == 2)
        // 7 keys in chunks of 3: three DeleteObjects, and a DELETE for the key with a CR, which XML cannot carry.
        #expect(client.requestCount - requestsBefore == 4)
        #expect(Set(try bucket.objects().keys) == Set(outside))
    }

    @Test(arguments: Harness.Server.s3Servers)
    func aThousandAndOneKeysTakeTwoRequests(server: Harness.Server) throws {
        let bucket = try TestBucket("prune1001", on: server)
        let client = try bucket.client()
        let keys = (0..<1001).map { "avatar/thumbnail/\($0).jpg" }
        try put(keys, into: bucket, client: client)
        let scratch = try TemporaryDirectory()
        let input = try scratch.write("removed.jsonl", Data(keys.map {
            String(decoding: RemovalRecord(key: $0, kind: .thumbnail).encoded(), as: UTF8.self) }.joined(separator: "\n").utf8))
        let fd = open(input, O_RDONLY)
        try #require(fd >= 0)
        defer { close(fd) }
        let deleter = Deleter(client: client, scope: KeyScope(prefix: "avatar"), report: { _ in })
        let requestsBefore = client.requestCount
        var lines = 0
        let reader = LineReader(fd: fd)
        while let chunk = try deleter.next(from: reader) { lines += chunk.count }
        #expect(lines == 1001 && deleter.deletedCount == 1001)
        #expect(client.requestCount - requestsBefore == 2)
        #expect(try bucket.objects().isEmpty)
    }

    @Test func whatCannotTellWhatWasRemovedRefuses() throws {
        let bucket = try TestBucket("prunerefuse")
        let photos = try photos(["a.jpg"])
        let removed = bucket.directory.path + "/removed.jsonl"
        let otherPrefix = try Shell.run("img-scan --prefix profile \(photos.path) | spaces-exists --env-file \(bucket.envFile) --removed \(removed)")
        #expect(otherPrefix.status == 2)
        #expect(otherPrefix.stderr.contains("a.jpg: its key profile/original/a.jpg is not under avatar/original/: give --prefix the prefix img-scan used"))
        let garbled = try Shell.run("{ img-scan \(photos.path); echo 'not json'; } | spaces-exists --env-file \(bucket.envFile) --removed \(removed)")
        #expect(garbled.status == 2)
        #expect(garbled.stderr.contains("1 input line was not a record, so what was removed cannot be told"))
        #expect(!FileManager.default.fileExists(atPath: removed))
    }

    /// `spaces-put --delete` refuses, without a request, every key the scan rules could not have made, even under
    /// the prefix's folders: not an image, hidden, a NAS cache, AppleDouble, a box no --thumbnails can make.
    @Test func theDeleteRefusesKeysNoScanMakes() throws {
        let bucket = try TestBucket("prunerules")
        let keys = ["avatar/original/x.txt", "avatar/original/db.sqlite", "avatar/original/.hidden.jpg", "avatar/original/@eaDir/x.jpg",
                    "avatar/original/._x.jpg", "avatar/thumbnail-0x0/a.jpg", "avatar/thumbnail-99999x99999/a.jpg", "db.sqlite"]
        try put(keys, into: bucket, client: try bucket.client())
        let input = keys.map { String(decoding: RemovalRecord(key: $0, kind: .original).encoded(), as: UTF8.self) }.joined(separator: "\n")
        let run = try Shell.run("spaces-put --delete --env-file \(bucket.envFile)", stdin: input + "\n")
        #expect(run.status == 1)
        let output = try run.lines.map { try RemovalRecord.decode(Data($0.utf8)) }
        #expect(output.count == keys.count && output.allSatisfy { $0.status == .failed && $0.error?.contains("not a key the scan makes") == true }, "\(run.stdout)")
        #expect(Set(try bucket.objects().keys) == Set(keys))
    }

    /// A file named `x\y.jpg`: SeaweedFS stores its key as `x/y.jpg`. Uploaded, then pruned in the same run and
    /// again: it is never deleted, since no run deletes what it scanned, uploaded or found.
    @Test func aKeyStoredUnderAnotherNameIsNeverPruned() throws {
        let bucket = try TestBucket("backslash")
        let folder = try TemporaryDirectory()
        let photos = try photos(["x\\y.jpg", "keep.jpg"])
        for _ in 0..<2 {
            let run = try script.upload("\(Shell.quote(photos.path)) --delete-removed", bucket: bucket, in: folder)
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stderr.contains("  deleted:    0 objects whose image is gone\n"), "\(run.stderr)")
        }
        #expect(Set(try bucket.objects().keys) == ["avatar/original/x/y.jpg", "avatar/thumbnail/x/y.jpg",
                                                   "avatar/original/keep.jpg", "avatar/thumbnail/keep.jpg"])
    }

    /// A folder link whose target is gone (a NAS not mounted): the link is a failed record, what was uploaded
    /// from under it stays, and the run says something failed; on both paths, upload-images and the bare
    /// pipeline.
    @Test func aLinkToAFolderThatIsGoneKeepsEverythingUnderIt() throws {
        let bucket = try TestBucket("nas")
        let folder = try TemporaryDirectory()
        let top = try TemporaryDirectory()
        let photos = top.path + "/p", nas = top.path + "/nas"
        for rel in ["p/a.jpg", "nas/2019/b.jpg", "nas/2019/c.jpg", "nas/2019/d.jpg"] {
            try top.copy(Corpus.file("jpeg/jpeg-grayscale.jpg"), to: rel)
        }
        symlink(nas, photos + "/nas")
        #expect(try script.upload(Shell.quote(photos), bucket: bucket, in: folder).status == 0)
        let before = Set(try bucket.objects().keys)
        #expect(before.count == 8)
        try FileManager.default.moveItem(atPath: nas, toPath: nas + ".gone")
        let run = try script.upload("\(Shell.quote(photos)) --delete-removed", bucket: bucket, in: folder)
        #expect(run.status == 1, "\(run.stderr)")
        #expect(run.stderr.contains("  deleted:    0 objects whose image is gone\n"), "\(run.stderr)")
        #expect(Set(try bucket.objects().keys) == before)
        let removed = bucket.directory.path + "/removed.jsonl"
        let bare = try Shell.run("img-scan \(Shell.quote(photos)) | spaces-exists --env-file \(bucket.envFile) --removed \(removed) >/dev/null; spaces-put --delete --env-file \(bucket.envFile) <\(removed)")
        #expect(bare.stdout.isEmpty, "nothing to delete: \(bare.stdout)")
        #expect(Set(try bucket.objects().keys) == before)
    }

    /// An empty folder (or a drive not mounted) never prunes, whatever --max-delete says; without --max-delete a
    /// prune of more than half of the objects is refused, however few; given, --max-delete decides.
    @Test func anEmptyScanNeverPrunesAndMoreThanHalfNeedsMaxDelete() throws {
        let bucket = try TestBucket("emptyscan")
        let folder = try TemporaryDirectory()
        let photos = try photos(["a.jpg", "b.jpg", "c.jpg", "d.jpg"])
        #expect(try script.upload(Shell.quote(photos.path), bucket: bucket, in: folder).status == 0)
        let before = Set(try bucket.objects().keys)
        let empty = try TemporaryDirectory()
        for arguments in ["--delete-removed", "--delete-removed --max-delete 100"] {
            let run = try script.upload("\(Shell.quote(empty.path)) \(arguments)", bucket: bucket, in: folder)
            #expect(run.status == 2, "\(arguments): \(run.stderr)")
            #expect(run.stderr.contains("refusing to prune: the scan found no image, and would prune 8 objects"), "\(run.stderr)")
        }
        let removed = bucket.directory.path + "/removed.jsonl"
        let bare = try Shell.run("img-scan \(Shell.quote(empty.path)) | spaces-exists --env-file \(bucket.envFile) --removed \(removed) >/dev/null; echo \"exists $?\" >&2; spaces-put --delete --env-file \(bucket.envFile) <\(removed)")
        #expect(bare.stderr.contains("exists 2") && bare.status == 1, "\(bare.stderr)")
        #expect(try RemovalRecord.decode(Data(bare.lines[0].utf8)).error?.contains("the prune was refused") == true, "\(bare.stdout)")
        #expect(Set(try bucket.objects().keys) == before)

        for rel in ["b.jpg", "c.jpg", "d.jpg"] { try FileManager.default.removeItem(atPath: photos.path + "/" + rel) }
        let half = try script.upload("\(Shell.quote(photos.path)) --delete-removed", bucket: bucket, in: folder)
        #expect(half.status == 2 && half.stderr.contains("it would delete 6 objects of the 8 in the bucket's folders, more than half"), "\(half.stderr)")
        #expect(Set(try bucket.objects().keys) == before)
        let given = try script.upload("\(Shell.quote(photos.path)) --delete-removed --max-delete 6", bucket: bucket, in: folder)
        #expect(given.status == 0 && given.stderr.contains("  deleted:    6 objects whose image is gone\n"), "\(given.stderr)")
        #expect(Set(try bucket.objects().keys) == ["avatar/original/a.jpg", "avatar/thumbnail/a.jpg"])
    }

    @Test func theOptionsAreChecked() throws {
        let cases = [
            ("DIR --max-delete 5", "--max-delete applies only with --delete-removed or --prune-orphans"),
            ("DIR --delete-removed --max-delete ''", "--max-delete must be a whole number from 0 to 9999999"),
            ("DIR --delete-removed --max-delete=", "--max-delete must be a whole number from 0 to 9999999"),
            ("DIR --delete-removed --max-delete -1", "--max-delete must be a whole number from 0 to 9999999"),
            ("DIR --delete-removed --max-delete=ten", "--max-delete must be a whole number from 0 to 9999999"),
            ("--from-records f.jsonl --delete-removed", "--delete-removed needs a scan of DIR, not --from-records"),
        ]
        for (arguments, message) in cases {
            let run = try Shell.run("\(UploadImagesTests.script) \(arguments)")
            #expect(run.status == 64 && run.stderr == "upload-images: \(message) (see --help)\n", "\(arguments): \(run.stderr)")
        }
        for command in ["spaces-put --delete --prefix ''", "spaces-put --abort-incomplete 1d --prefix /"] {
            let usage = try Shell.run(command)
            #expect(usage.status == 64 && usage.stderr.contains("refuses an empty --prefix"), "\(command): \(usage.stderr)")
        }
    }

    /// A scan whose stream was cut (img-scan killed, a file cut short) never prunes: the images after the cut
    /// would look removed. spaces-exists refuses, exit 2, and writes no deletion record.
    @Test func aCutScanNeverPrunes() throws {
        let bucket = try TestBucket("cutprune")
        let folder = try TemporaryDirectory()
        let photos = try photos(["a.jpg", "b.jpg", "c.jpg"])
        #expect(try script.upload(Shell.quote(photos.path), bucket: bucket, in: folder).status == 0)
        let gone = folder.path + "/gone.jsonl"
        let cut = try Shell.run("img-scan \(Shell.quote(photos.path)) | head -2 | spaces-exists --removed \(Shell.quote(gone)) --env-file \(bucket.envFile)")
        #expect(cut.status == 2, "\(cut.stderr)")
        #expect(cut.stderr.contains("the scan is incomplete (the input ended before its last line"), "\(cut.stderr)")
        let written = (try? String(contentsOfFile: gone, encoding: .utf8)) ?? ""
        #expect(written.isEmpty, "\(written)")
        let whole = try Shell.run("img-scan \(Shell.quote(photos.path)) | spaces-exists --removed \(Shell.quote(gone)) --env-file \(bucket.envFile)")
        #expect(whole.status == 0, "\(whole.stderr)")
        #expect(try String(contentsOfFile: gone, encoding: .utf8).isEmpty, "nothing is gone")
    }

}
