import Common
import Foundation
import TestSupport
import Testing

/// upload-images' command line: what it refuses before any work, and how often it repeats itself.
@Suite(.integrationTimeLimit) struct UploadImagesOptionsTests {
    /// Each exits 64 with one line naming the option, and leaves no log, results or upload behind.
    @Test(arguments: [
        ("DIR --workers", "--workers needs a value"),
        ("DIR --prefix", "--prefix needs a value"),
        ("DIR --connect-timeout 0", "--connect-timeout must be"),
        ("DIR --connect-timeout abc", "--connect-timeout must be"),
        ("DIR --retries 99999999999999999999", "--retries must be"),
        ("DIR --retries 101", "--retries must be"),
        ("DIR --stall-timeout 0", "--stall-timeout must be"),
        ("DIR --workers 0", "--workers must be"),
        ("DIR --batch-size 99999999999999999999", "--batch-size must be"),
        ("DIR --prefix ..", "--prefix must be"),
        ("DIR --prefix ./x", "--prefix must be"),
        ("DIR --prefix a/../b", "--prefix must be"),
        ("DIR --prefix a//b", "--prefix must be"),
        ("DIR --include", "--include needs a value"),
        ("DIR --exclude ''", "--exclude needs a pattern"),
    ])
    func badCommandLinesExit64BeforeAnyWork(_ arguments: String, _ message: String) throws {
        let bucket = try TestBucket("usage")
        let folder = try TemporaryDirectory()
        let photos = try TemporaryDirectory()
        try photos.copy(Corpus.file("jpeg/jpeg-grayscale.jpg"), to: "a.jpg")
        let line = arguments.replacingOccurrences(of: "DIR", with: Shell.quote(photos.path))
        let run = try Shell.run("\(UploadImagesTests.script) --env-file \(bucket.envFile) \(line)", directory: folder.path)
        #expect(run.status == 64, "\(arguments): \(run.stderr)")
        #expect(run.stderr.split(separator: "\n").count == 1 && run.stderr.hasPrefix("upload-images: \(message)"), "\(arguments): \(run.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
        #expect(try bucket.objects().isEmpty)
    }

    /// The commands refuse the same values on their own.
    @Test func theCommandsRefuseTheSameValues() throws {
        for line in ["img-scan --prefix a//b .", "img-scan --prefix .. .", "spaces-put --retries 101", "spaces-put --connect-timeout 0",
                     "spaces-exists --stall-timeout 0", "spaces-exists --retries 99999999999999999999",
                     "img-scan --include '' .", "img-scan --exclude / ."] {
            let run = try Shell.run(line + " </dev/null")
            #expect(run.status == 64, "\(line): \(run.stderr)")
        }
    }

    /// A .env readable by others is worth one warning per run, not one per batch.
    @Test func theEnvFileWarningIsGivenOncePerRun() throws {
        let bucket = try TestBucket("envwarning")
        let folder = try TemporaryDirectory()
        try FileManager.default.copyItem(atPath: bucket.envFile, toPath: folder.path + "/.env")
        chmod(folder.path + "/.env", 0o644)
        let photos = try TemporaryDirectory()
        for index in 0..<6 { try photos.copy(Corpus.file("jpeg/jpeg-grayscale.jpg"), to: "p\(index).jpg") }
        let run = try Shell.run("\(UploadImagesTests.script) \(Shell.quote(photos.path)) --workers 2 --batch-size 1",
                                environment: ["TMPDIR": folder.path], directory: folder.path)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.components(separatedBy: "readable by other users").count == 2, "\(run.stderr)")
        let log = try String(contentsOfFile: try #require(try UploadImagesTests().newest("upload_log_", in: folder)), encoding: .utf8)
        #expect(log.components(separatedBy: "readable by other users").count == 2, "\(log)")
    }
}

/// The polish of upload-images' command line and resumes.
@Suite(.integrationTimeLimit) struct UploadImagesResumeTests {
    /// A mistyped option names the nearest one, on one line, before any work.
    @Test func anUnknownOptionSuggestsTheNearest() throws {
        let folder = try TemporaryDirectory()
        let run = try Shell.run("\(UploadImagesTests.script) \(Shell.quote(folder.path)) --worker 3", directory: folder.path)
        #expect(run.status == 64)
        #expect(run.stderr == "upload-images: Unknown option '--worker'. Did you mean '--workers'? (see --help)\n", "\(run.stderr)")
        let version = try Shell.run("\(UploadImagesTests.script) --version")
        #expect(version.status == 0 && version.stdout == "upload-images \(Toolkit.version)\n")
    }

    /// An image found broken is not tried again by the next run while its file is unchanged: it is listed as failed
    /// earlier, and the run exits 0; once the file changes, or with --retry-failed, it is tried (and fails, exit 1).
    @Test func aBrokenImageIsNotTriedAgainWhileItsFileIsUnchanged() throws {
        let bucket = try TestBucket("brokenonce")
        let folder = try TemporaryDirectory()
        let photos = try TemporaryDirectory()
        try photos.copy(Corpus.file("jpeg/jpeg-grayscale.jpg"), to: "good.jpg")
        let broken = try photos.copy(Corpus.file("broken/broken-truncated.jpg"), to: "broken.jpg")
        let script = UploadImagesTests()
        let first = try script.upload(Shell.quote(photos.path), bucket: bucket, in: folder)
        #expect(first.status == 1 && script.summaryCount("failed", first) == 1, "\(first.stderr)")
        let again = try script.upload(Shell.quote(photos.path), bucket: bucket, in: folder)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(script.summaryCount("failed", again) == 0 && script.summaryCount("unchanged", again) == 1, "\(again.stderr)")
        #expect(again.stderr.contains("found 2 images: 1 already uploaded, 1 failed earlier and unchanged (--retry-failed tries them), 0 to upload"))
        let records = try script.results(in: folder)
        #expect(records.filter { $0.status == .failed }.map(\.rel) == ["broken.jpg"])
        #expect(records.first { $0.rel == "broken.jpg" }?.error?.contains("Premature end") == true)
        // Still reported by the run after that: the unchanged failure is carried from run to run.
        let third = try script.upload(Shell.quote(photos.path), bucket: bucket, in: folder)
        #expect(third.status == 0 && script.summaryCount("unchanged", third) == 1, "\(third.stderr)")
        let retried = try script.upload("\(Shell.quote(photos.path)) --retry-failed", bucket: bucket, in: folder)
        #expect(retried.status == 1 && script.summaryCount("failed", retried) == 1, "\(retried.stderr)")
        let later = timespec(tv_sec: time(nil) + 5, tv_nsec: 0)
        var times = [later, later]
        #expect(utimensat(AT_FDCWD, broken, &times, 0) == 0)
        let changed = try script.upload(Shell.quote(photos.path), bucket: bucket, in: folder)
        #expect(changed.status == 1 && script.summaryCount("failed", changed) == 1 && script.summaryCount("unchanged", changed) == nil,
                "\(changed.stderr)")
    }
}
