import Common
import Foundation
import TestSupport
import Testing

/// `--limit-rate`: one cap for the whole run, every worker and connection together, measured from outside as
/// the bytes of the originals and thumbnails stored over the time the upload took.
@Suite(.serialized, .integrationTimeLimit) struct LimitRateTests {
    /// Real photos, so that thumbnails are made as usual; 4.7 MiB a set.
    static let photos = ["photo-nokia-panorama-like.jpg", "photo-ultrahdr-gainmap.jpg", "photo-jolla-phone.jpg",
                         "photo-canon-camera-orient6.jpg"]
    static let mebibyte = 1_048_576.0

    func photoFolder(sets: Int) throws -> TemporaryDirectory {
        let folder = try TemporaryDirectory()
        for set in 0..<sets {
            for name in Self.photos { try folder.copy(Corpus.file("photos/" + name), to: "set\(set)/\(name)") }
        }
        return folder
    }

    /// Books the shared cap `seconds` ahead, as if other workers had sent that much already: the next piece of
    /// a body waits that long.
    func bookAhead(_ file: String, seconds: Double) throws {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        var freeAt = UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec) + UInt64(seconds * 1e9)
        try withUnsafeBytes(of: &freeAt) { try Data($0).write(to: URL(fileURLWithPath: file)) }
    }

    /// 4 workers at 2 MiB/s in all, about 19 MiB: about 10 s. Unshared, each worker would go at 2 MiB/s (8 in
    /// all); uncapped, this machine does it in under 3 s. The clock starts when the first request is logged
    /// (a thumbnail's, sent once the first thumbnail is made: the scan, the check, the listing and the start of
    /// the workers are not upload time) and stops when upload-images exits.
    @Test func fourWorkersTogetherKeepToOneCap() throws {
        let bucket = try TestBucket("limitrate")
        let folder = try TemporaryDirectory()
        let photos = try photoFolder(sets: 4)
        let output = folder.path + "/output"
        let process = try startUploadImages([photos.path, "--workers", "4", "--limit-rate", "2M", "--debug"], bucket: bucket,
                                            in: folder, output: output)
        var started: Date?
        while process.isRunning {
            if started == nil, let log = try UploadImagesTests().newest("upload_log_", in: folder),
               (try? String(contentsOfFile: log, encoding: .utf8))?.contains("spaces-put: debug: PUT ") == true {
                started = Date()
            }
            usleep(10_000)
        }
        let ended = Date()
        let stderr = try String(contentsOfFile: output, encoding: .utf8)
        #expect(process.terminationStatus == 0, "\(stderr.suffix(500))")
        let seconds = ended.timeIntervalSince(try #require(started, "no 'uploading' line: \(stderr.suffix(500))"))
        let records = try UploadImagesTests().results(in: folder)
        #expect(records.count == 16 && records.allSatisfy { $0.status == .uploaded })
        let bytes = records.reduce(0.0) { $0 + Double(($1.size ?? 0) + ($1.thumbnailSize ?? 0)) }
        let rate = bytes / seconds / Self.mebibyte
        print("LimitRateTests: 4 workers, cap 2 MiB/s: \(String(format: "%.2f MiB in %.2f s = %.2f MiB/s", bytes / Self.mebibyte, seconds, rate))")
        #expect(rate >= 1.5 && rate <= 2.5, "\(rate) MiB/s against a cap of 2 MiB/s")
        #expect(try bucket.objects().count == 32)
    }

    /// The bare pipeline: one spaces-put, its own cap. 3.1 MiB of originals at 1 MiB/s: about 3 s.
    @Test func aLoneSpacesPutKeepsToItsCap() throws {
        let bucket = try TestBucket("limitrateone")
        let photos = try TemporaryDirectory()
        for name in Self.photos.prefix(2) { try photos.copy(Corpus.file("photos/" + name), to: name) }
        let run = try Shell.run("img-scan \(Shell.quote(photos.path)) | spaces-put --env-file \(bucket.envFile) --limit-rate 1M")
        #expect(run.status == 0, "\(run.stderr)")
        let records = try run.records()
        let bytes = records.reduce(0.0) { $0 + Double($1.size ?? 0) }
        let rate = bytes / run.seconds / Self.mebibyte
        print("LimitRateTests: one spaces-put, cap 1 MiB/s: \(String(format: "%.2f MiB in %.2f s = %.2f MiB/s", bytes / Self.mebibyte, run.seconds, rate))")
        #expect(rate >= 0.75 && rate <= 1.25, "\(rate) MiB/s against a cap of 1 MiB/s")
    }

    /// A body waiting 3 s for its turn under the cap, with a 1 s stall timeout, is not a stall: it is uploaded
    /// at the first attempt.
    @Test func aPacedBodyIsNotAStalledOne() throws {
        let bucket = try TestBucket("limitratestall")
        let photos = try TemporaryDirectory()
        try photos.copy(Corpus.file("jpeg/jpeg-grayscale.jpg"), to: "a.jpg")
        let share = photos.path + "/share"
        try bookAhead(share, seconds: 3)
        let run = try Shell.run("img-scan \(Shell.quote(photos.path)) | spaces-put --env-file \(bucket.envFile) --stall-timeout 1 --retries 0 "
                                + "--limit-rate 1M --limit-rate-share \(Shell.quote(share)) --debug")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try run.records().first?.status == .uploaded)
        #expect(run.seconds >= 2.8, "it waited for its turn: \(run.seconds) s")
        #expect(run.stderr.contains("(attempt 1)") && !run.stderr.contains("(attempt 2)"), "\(run.stderr)")
        #expect(run.stderr.contains(" s waited to keep to --limit-rate 1 MiB/s"), "\(run.stderr)")
    }

    /// TERM while a body waits its turn (30 s away): spaces-put stops within a second, the record says it was
    /// interrupted, and nothing is stored.
    @Test func anInterruptionEndsTheWaitAtOnce() throws {
        let bucket = try TestBucket("limitrateint")
        let photos = try TemporaryDirectory()
        try photos.copy(Corpus.file("photos/photo-jolla-phone.jpg"), to: "a.jpg")
        let share = photos.path + "/share"
        try bookAhead(share, seconds: 30)
        let records = try Shell.run("img-scan \(Shell.quote(photos.path))").stdout
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Harness.binDirectory + "/spaces-put")
        process.arguments = ["--env-file", bucket.envFile, "--limit-rate", "1M", "--limit-rate-share", share]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        Shell.unblockSignals()
        try process.run()
        input.fileHandleForWriting.write(Data(records.utf8))
        try input.fileHandleForWriting.close()
        usleep(1_000_000)
        let asked = Date()
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit(within: 180)
        #expect(Date().timeIntervalSince(asked) < 1, "stopped within a second")
        #expect(process.terminationStatus == 130)
        let line = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let record = try #require(try Shell.records(in: line).first)
        #expect(record.status == .failed && record.error?.contains("interrupted") == true, "\(line)")
        #expect(try bucket.objects().isEmpty)
    }

    /// Refused with the same line by spaces-put and upload-images, before any work.
    @Test(arguments: ["0", "1023", "1025G", "10MB", "1e6", "-1", ".5M", "ten", ""])
    func aBadRateIsAUsageError(_ rate: String) throws {
        let rule = "--limit-rate must be bytes per second from 1K to 1024G"
        let put = try Shell.run("spaces-put --limit-rate=\(Shell.quote(rate)) </dev/null")
        // An empty value is refused by the argument parser before the rule is checked.
        let said = rate.isEmpty ? "Error: Missing value for '--limit-rate" : "Error: \(rule)"
        #expect(put.status == 64 && put.stderr.hasPrefix(said), "\(rate): \(put.stderr)")
        let bucket = try TestBucket("limitrateusage")
        let folder = try TemporaryDirectory()
        let photos = try TemporaryDirectory()
        try photos.copy(Corpus.file("jpeg/jpeg-grayscale.jpg"), to: "a.jpg")
        let run = try Shell.run("\(UploadImagesTests.script) \(Shell.quote(photos.path)) --env-file \(bucket.envFile) --limit-rate=\(Shell.quote(rate))",
                                directory: folder.path)
        #expect(run.status == 64 && run.stderr.hasPrefix("upload-images: \(rule)"), "\(rate): \(run.stderr)")
        #expect(run.stderr.split(separator: "\n").count == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
        #expect(try bucket.objects().isEmpty)
    }
}
