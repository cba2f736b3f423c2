import Common
import Foundation
import TestSupport
import Testing

/// upload-images' first requests (the HeadBucket check, and spaces-exists' decision) follow the run's own
/// retries and timeouts, and say plainly when the service is throttling or not answering.
@Suite(.integrationTimeLimit) struct PreflightTests {
    func photos(_ count: Int) throws -> TemporaryDirectory {
        let photos = try TemporaryDirectory()
        for index in 0..<count { try photos.copy(Corpus.file("jpeg/jpeg-grayscale.jpg"), to: "p\(index).jpg") }
        return photos
    }

    /// A busy hour starts with SlowDown: with --retries 8, a run whose check is throttled six times
    /// still completes (the check used to give up after its own 4 attempts, whatever --retries said).
    @Test func aThrottledStartIsRetriedWithTheRunsRetries() throws {
        let bucket = try TestBucket("throttledstart")
        // Only the check's HeadBucket is throttled, so the count does not depend on which request comes first.
        let proxy = try FaultProxy(slowdownFirst: 6, slowdownFirstMethod: "HEAD")
        let folder = try TemporaryDirectory()
        let images = try photos(3)
        let run = try UploadImagesTests().upload("\(images.path) --retries 8", bucket: bucket, in: folder,
                                                 environment: ["SPACES_ENDPOINT": proxy.endpoint])
        #expect(run.status == 0, "\(run.stderr.suffix(600)); requests: \(proxy.detail)")
        #expect(proxy.count("slowdown") == 6, "\(proxy.summary)")
        #expect(UploadImagesTests().summaryCount("uploaded", run) == 3)
    }

    /// A service that keeps throttling: exit 2 with one line that says so, not a bare HTTP code.
    @Test func aServiceThatKeepsThrottlingIsNamedAsSuch() throws {
        let bucket = try TestBucket("throttled")
        let proxy = try FaultProxy(slowdown: 1)
        let folder = try TemporaryDirectory()
        let images = try photos(2)
        let run = try UploadImagesTests().upload("\(images.path) --retries 1", bucket: bucket, in: folder,
                                                 environment: ["SPACES_ENDPOINT": proxy.endpoint])
        #expect(run.status == 2, "\(run.stderr)")
        let errors = run.stderr.split(separator: "\n").filter { $0.contains("error:") }
        #expect(errors.count == 1 && errors[0].contains("is throttling requests (HTTP 503"), "\(run.stderr)")
        #expect(proxy.count("forwarded") == 0, "nothing reached the server: \(proxy.detail)")
    }

    /// A server that stopped answering is noticed within the run's --stall-timeout and --retries, by the
    /// check and by spaces-exists alike (it took 2 minutes with the commands' own 30 s and 3 retries).
    @Test func aServerThatIsGoneIsNoticedWithinTheRunsTimeouts() throws {
        let bucket = try TestBucket("gonestart")
        let proxy = try FaultProxy(stallSeconds: 600)
        proxy.goAway()
        let folder = try TemporaryDirectory()
        let images = try photos(2)
        let run = try UploadImagesTests().upload("\(images.path) --stall-timeout 1 --retries 0", bucket: bucket, in: folder,
                                                 environment: ["SPACES_ENDPOINT": proxy.endpoint])
        #expect(run.status == 2, "\(run.stderr)")
        #expect(run.seconds < 15, "took \(run.seconds) s")
        #expect(run.stderr.contains("is not answering") && run.stderr.contains("no data moved for 1 s"), "\(run.stderr)")
        proxy.comeBack()

        // spaces-exists on its own follows the same options.
        let scan = try Shell.run("img-scan \(Shell.quote(images.path))")
        proxy.goAway()
        let started = Date()
        let exists = try Shell.run("spaces-exists --env-file \(bucket.envFile) --stall-timeout 1 --retries 0", stdin: scan.stdout,
                                   environment: ["SPACES_ENDPOINT": proxy.endpoint])
        #expect(Date().timeIntervalSince(started) < 10)
        #expect(exists.status != 0 || exists.stderr.contains("warning"), "\(exists.stderr)")
        proxy.comeBack()
    }

    /// A run that stops in its pre-flight checks leaves no log file (its one line is on the console); a run that
    /// got past them keeps its log, as before.
    @Test func aRunThatFailsItsPreflightChecksWritesNoLog() throws {
        let bucket = try TestBucket("nolog")
        let images = try photos(1)
        let uploads = UploadImagesTests()
        func logs(_ folder: TemporaryDirectory) throws -> [String] {
            try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix("upload_") }
        }
        for (arguments, environment) in [("/no/such/folder", [String: String]()), (images.path, ["SPACES_SECRET_KEY": "wrong"]),
                                         (images.path, ["SPACES_ENDPOINT": "http://127.0.0.1:9"]), (images.path + " --workers 0", [:])] {
            let folder = try TemporaryDirectory()
            let run = try uploads.upload(arguments + " --retries 0", bucket: bucket, in: folder, environment: environment)
            #expect(run.status == 2 || run.status == 64, "\(arguments): \(run.stderr)")
            let left = try logs(folder)
            #expect(left.isEmpty, "\(arguments) \(environment): \(left)")
        }
        let folder = try TemporaryDirectory()
        #expect(try uploads.upload(images.path, bucket: bucket, in: folder).status == 0)
        #expect(try logs(folder).contains { $0.hasPrefix("upload_log_") })
    }

}
