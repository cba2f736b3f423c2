import Common
import Foundation
import TestSupport
import Testing

/// `upload-images --watch` and `img-scan --watch`: real inotify on a real folder, a real server on loopback.
@Suite(.integrationTimeLimit, .serialized) struct WatchTests {
    static let script = Corpus.packageRoot + "/scripts/upload-images"
    static let photo = Corpus.path + "/junk/IMG_0001.jpg"
    static let broken = Corpus.path + "/broken/broken-corrupt-header.jpg"

    /// A command started in the background, its output in files.
    final class Background {
        let process = Process()
        let stdout: String, stderr: String

        init(_ command: String, in folder: String, environment: [String: String] = [:]) throws {
            stdout = folder + "/bg.out"
            stderr = folder + "/bg.err"
            _ = FileManager.default.createFile(atPath: stdout, contents: nil)
            _ = FileManager.default.createFile(atPath: stderr, contents: nil)
            process.executableURL = URL(fileURLWithPath: "/bin/bash")
            process.arguments = ["-c", "exec " + command]
            process.environment = Shell.environment(environment)
            process.currentDirectoryURL = URL(fileURLWithPath: folder)
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: stdout))
            process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderr))
            Shell.unblockSignals()
            try process.run()
        }

        var errors: String { (try? String(contentsOfFile: stderr, encoding: .utf8)) ?? "" }
        var output: String { (try? String(contentsOfFile: stdout, encoding: .utf8)) ?? "" }

        func signal(_ number: Int32) { kill(process.processIdentifier, number) }

        /// Waits for the process to end (killed after `seconds`, with an issue); its exit status.
        func end(within seconds: Double = 60) -> Int32 {
            _ = process.waitUntilExit(within: seconds, "upload-images --watch")
            return process.terminationStatus
        }
    }

    /// Waits until `condition` holds (an issue after `seconds`).
    @discardableResult
    static func waitFor(_ what: String, within seconds: Double = 60, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            usleep(100_000)
        }
        Issue.record("waited \(Int(seconds)) s for \(what)")
        return false
    }

    static func results(in folder: String) -> [ImageRecord] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        guard let name = names.filter({ $0.hasPrefix("upload_results_") }).sorted().last,
              let text = try? String(contentsOfFile: folder + "/" + name, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { try? RecordCoding.decode(Data($0.utf8)) }
    }

    /// A real JPEG, then `padding` zero bytes after its end (decoders stop at its end marker), written through one
    /// descriptor in `chunks` writes `pause` seconds apart: a big photo still being copied.
    static func writeSlowly(_ path: String, padding: Int, chunks: Int, pause: Double) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path, isDirectory: false).creatingFile())
        try handle.write(contentsOf: Data(contentsOf: URL(fileURLWithPath: photo)))
        let chunk = Data(count: padding / chunks)
        for _ in 0..<chunks {
            usleep(UInt32(pause * 1_000_000))
            try handle.write(contentsOf: chunk)
        }
        try handle.close()
    }

    @Test func imagesDroppedWhileWatchingGoUpOnceCompleteAndARestartCatchesUp() throws {
        let bucket = try TestBucket("watch")
        let work = try TemporaryDirectory()
        let photos = work.path + "/photos"
        try FileManager.default.createDirectory(atPath: photos, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Self.photo, toPath: photos + "/first.jpg")
        let run = try Background("\(Self.script) photos --watch --env-file \(Shell.quote(bucket.envFile))", in: work.path,
                                 environment: ["TMPDIR": work.path])
        Self.waitFor("the first image") { Self.results(in: work.path).count == 1 }

        // A copy; a file written under a temporary name and renamed into place; a new folder with an image in it at
        // once; a broken image; a 300 MB photo written over about 3 s through one descriptor.
        try FileManager.default.copyItem(atPath: Self.photo, toPath: photos + "/copied.jpg")
        try FileManager.default.copyItem(atPath: Self.photo, toPath: photos + "/.renamed.jpg.part")
        #expect(rename(photos + "/.renamed.jpg.part", photos + "/renamed.jpg") == 0)
        try FileManager.default.createDirectory(atPath: photos + "/new/deeper", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Self.photo, toPath: photos + "/new/deeper/inside.jpg")
        try FileManager.default.copyItem(atPath: Self.broken, toPath: photos + "/broken.jpg")
        try Self.writeSlowly(photos + "/big.jpg", padding: 300 << 20, chunks: 30, pause: 0.1)

        let expected = ["first.jpg", "copied.jpg", "renamed.jpg", "new/deeper/inside.jpg", "broken.jpg", "big.jpg"]
        Self.waitFor("every image to have its result", within: 120) { Set(Self.results(in: work.path).map(\.rel)) == Set(expected) }
        run.signal(SIGTERM)
        let status = run.end()
        #expect(status == 1, "a broken image makes the run's status 1: \(run.errors.suffix(800))")
        #expect(run.errors.contains("Summary") && run.errors.contains("uploaded:   5"), "\(run.errors.suffix(800))")

        let records = Self.results(in: work.path)
        #expect(records.filter { $0.rel == "big.jpg" }.count == 1, "the big photo went up once, complete")
        #expect(!records.contains { $0.rel.contains(".part") })
        let stored = try bucket.objects()
        for record in records where record.rel != "broken.jpg" {
            #expect(record.status == .uploaded, "\(record.rel): \(record.error ?? "")")
            #expect(stored[record.key!]?.md5 == (try FileDigest.compute(path: record.path)).md5.hexString, "\(record.rel)")
            #expect(stored[record.thumbnailKey!] != nil, "\(record.rel)'s thumbnail")
        }
        let broken = try #require(records.first { $0.rel == "broken.jpg" })
        #expect(broken.status == .failed && broken.error != nil && stored[broken.key!] == nil)
        #expect(try MultipartTests.uploads(in: bucket).isEmpty)

        // Stopped, a photo arrives; the next watch catches up on it and skips the rest.
        try FileManager.default.copyItem(atPath: Self.photo, toPath: photos + "/while-stopped.jpg")
        usleep(1_100_000)
        let again = try Background("\(Self.script) photos --watch --env-file \(Shell.quote(bucket.envFile))", in: work.path,
                                   environment: ["TMPDIR": work.path])
        Self.waitFor("the catch-up") { Self.results(in: work.path).contains { $0.rel == "while-stopped.jpg" } }
        usleep(500_000)
        again.signal(SIGINT)
        _ = again.end()
        let caught = Self.results(in: work.path)
        #expect(caught.first { $0.rel == "while-stopped.jpg" }?.status == .uploaded)
        #expect(caught.filter { $0.status == .skipped }.count == 5, "\(caught.map { "\($0.rel) \($0.status?.rawValue ?? "-")" })")
    }

    /// Starts a watch of `photos` in its own session and process group, as a terminal's job is (its id, for
    /// Ctrl+C: INT to the whole group), with an upload slowed to 1 MB/s in 5 MB parts.
    func slowWatch(_ bucket: TestBucket, in work: TemporaryDirectory) throws -> (run: Background, group: Int32) {
        let options = "--limit-rate 1M --multipart-threshold 5M --part-size 5M --part-concurrency 1"
        let command = "setsid -w bash -c 'echo $$ >group; exec \(Self.script) photos --watch \(options) --env-file \(Shell.quote(bucket.envFile))'"
        let run = try Background(command, in: work.path, environment: ["TMPDIR": work.path])
        Self.waitFor("the watch to begin") { run.errors.contains("watching photos") }
        let group = Int32((try String(contentsOfFile: work.path + "/group", encoding: .utf8)).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        #expect(group > 1)
        return (run, group)
    }

    /// Ctrl+C (INT to the whole process group) while a 12 MB photo is on its way: the watch stops, the upload in
    /// flight finishes, whole, then the summary (exit 0). A second TERM while another is on its way abandons it:
    /// no original, the multipart upload aborted, exit 130; the next run uploads it.
    @Test func ctrlCLetsTheUploadInFlightFinishAndASecondTermAbandonsIt() throws {
        let bucket = try TestBucket("watchstop")
        let work = try TemporaryDirectory()
        let photos = work.path + "/photos"
        try FileManager.default.createDirectory(atPath: photos, withIntermediateDirectories: true)
        let uploadBegins = { _ = Self.waitFor("the upload to begin", within: 30) { ((try? MultipartTests.uploads(in: bucket)) ?? []).count == 1 } }

        let (first, group) = try slowWatch(bucket, in: work)
        try Self.writeSlowly(photos + "/first.jpg", padding: 12 << 20, chunks: 1, pause: 0)
        uploadBegins()
        kill(-group, SIGINT)
        let status = first.end(within: 90)
        #expect(status == 0, "\(first.errors.suffix(800))")
        #expect(first.errors.contains("uploaded:   1"), "\(first.errors.suffix(800))")
        #expect(try bucket.objects()["avatar/original/first.jpg"]?.md5 == (try FileDigest.compute(path: photos + "/first.jpg")).md5.hexString)

        let (second, secondGroup) = try slowWatch(bucket, in: work)
        try Self.writeSlowly(photos + "/second.jpg", padding: 12 << 20, chunks: 1, pause: 0)
        uploadBegins()
        // TERM to upload-images itself (the group's leader), as a service manager sends it.
        kill(secondGroup, SIGTERM)
        usleep(500_000)
        kill(secondGroup, SIGTERM)
        #expect(second.end() == 130, "\(second.errors.suffix(800))")
        #expect(second.errors.contains("skipped:    1"), "first.jpg was taken again and skipped: \(second.errors.suffix(600))")
        let left = try bucket.objects()
        #expect(left["avatar/original/second.jpg"] == nil, "no original, whole or in part: \(left.keys.sorted())")
        #expect(try MultipartTests.uploads(in: bucket).isEmpty, "the abandoned multipart upload was aborted")

        // The next run uploads it.
        let rerun = try Shell.run("\(Self.script) photos --env-file \(Shell.quote(bucket.envFile))", environment: ["TMPDIR": work.path],
                                  directory: work.path)
        #expect(rerun.status == 0, "\(rerun.stderr.suffix(800))")
        #expect(try bucket.objects()["avatar/original/second.jpg"]?.md5 == (try FileDigest.compute(path: photos + "/second.jpg")).md5.hexString)
    }

    /// A stage that dies while nothing arrives ends the watch at once, with its reason and exit 2, not a watch
    /// that uploads nothing forever.
    @Test func aStageThatDiesWhileIdleEndsTheWatch() throws {
        let bucket = try TestBucket("watchdies")
        let work = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: work.path + "/photos", withIntermediateDirectories: true)
        let run = try Background("\(Self.script) photos --watch --env-file \(Shell.quote(bucket.envFile))", in: work.path,
                                 environment: ["TMPDIR": work.path])
        Self.waitFor("the watch to begin") { run.errors.contains("watching photos") }
        let put = try Shell.run("pgrep -f -- 'spaces-put --records-only --env-file \(bucket.envFile)'")
        let pid = try #require(Int32(put.stdout.split(separator: "\n").first.map(String.init) ?? ""))
        kill(pid, SIGKILL)
        #expect(run.end(within: 30) == 2, "\(run.errors.suffix(800))")
        #expect(run.errors.contains("spaces-put was killed by signal 9 (KILL)"), "\(run.errors.suffix(800))")
    }

    /// The kernel's queue overflows while img-scan is stopped (SIGSTOP) and more files arrive than it holds:
    /// the tree is scanned again, and no file is lost.
    @Test func anOverflowOfTheQueueLosesNoFile() throws {
        let work = try TemporaryDirectory()
        let photos = work.path + "/photos"
        try FileManager.default.createDirectory(atPath: photos, withIntermediateDirectories: true)
        let limit = Int((try? String(contentsOfFile: "/proc/sys/fs/inotify/max_queued_events", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 16384
        // Each file is two events (created, closed after writing).
        let count = min(limit / 2 + 500, 40_000)
        let scan = try Background("\(Harness.binDirectory)/img-scan --watch photos", in: work.path)
        Self.waitFor("the watch to begin") { scan.errors.contains("watching photos") }
        scan.signal(SIGSTOP)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: Corpus.path + "/png/png-1x1-rgba.png"))
        for number in 0..<count { try bytes.write(to: URL(fileURLWithPath: "\(photos)/\(number).png")) }
        scan.signal(SIGCONT)
        Self.waitFor("every file's record", within: 120) {
            Set(scan.output.split(separator: "\n").filter { $0.contains("\"rel\"") }.compactMap { try? RecordCoding.decode(Data($0.utf8)).rel }).count == count
        }
        scan.signal(SIGTERM)
        #expect(scan.end() == 0)
        if limit / 2 + 500 <= 40_000 {
            #expect(scan.errors.contains("scanning photos again"), "the queue overflowed: \(scan.errors.suffix(300))")
        }
        #expect(scan.output.hasSuffix("\"stream\":\"end\"}\n"))
    }
}

private extension URL {
    /// The file, created empty.
    func creatingFile() -> URL {
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        return self
    }
}
