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
