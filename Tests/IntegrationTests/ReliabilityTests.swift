import Common
import Foundation
import TestSupport
import Testing

/// Starts `upload-images`. Foundation makes each child the leader of a new process group, so
/// `kill(-pid, ...)` reaches the whole pipeline, as a terminal's Ctrl+C or a supervisor's stop would.
func startUploadImages(_ arguments: [String], bucket: TestBucket, in folder: TemporaryDirectory,
                       environment extra: [String: String] = [:], output: String? = nil) throws -> Process {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: UploadImagesTests.script)
    process.arguments = arguments + ["--env-file", bucket.envFile]
    process.currentDirectoryURL = URL(fileURLWithPath: folder.path)
    process.environment = Shell.environment(["TMPDIR": folder.path].merging(extra) { $1 })
    if let output {
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        process.standardError = process.standardOutput
    } else {
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
    }
    Shell.unblockSignals()
    try process.run()
    return process
}

@Suite(.integrationTimeLimit) struct CrashTests {
    /// SIGKILL to the whole pipeline at random moments, five times, then a run to the end: every object is
    /// complete and correct, nothing was uploaded twice but the images in flight at a kill, and the killed
    /// runs' temporary folders are gone.
    @Test func killedFiveTimesThenRunToTheEnd() throws {
        let bucket = try TestBucket("crash")
        let photos = try TemporaryDirectory()
        _ = try Shell.run("\(Harness.packageRoot)/scripts/make-samples --many 400 \(photos.path)")
        // No faults: the proxy counts the PUTs, and holds each request 50 ms, as a distant server would, so
        // that the kills land part-way (it still forwards a request whose client was killed meanwhile).
        let proxy = try FaultProxy(hold: 0.05)
        let folder = try TemporaryDirectory()
        let workers = 4
        let console = try TemporaryDirectory()
        var generator = SystemRandomNumberGenerator()
        var kills: [String] = []
        for _ in 0..<5 {
            let run = try startUploadImages([photos.path, "--workers", String(workers), "--batch-size", "5"],
                                            bucket: bucket, in: folder, environment: ["SPACES_ENDPOINT": proxy.endpoint],
                                            output: console.path + "/run\(kills.count)")
            let delay = Double.random(in: 0.5...3, using: &generator)
            usleep(useconds_t(delay * 1_000_000))
            let putsBefore = proxy.count("forwarded")
            #expect(getpgid(run.processIdentifier) == run.processIdentifier,
                    "the run ended before the kill: \((try? String(contentsOfFile: console.path + "/run\(kills.count)", encoding: .utf8)) ?? "")")
            kill(-run.processIdentifier, SIGKILL)
            run.waitUntilExit(within: 180)
            kills.append(String(format: "%.1f s (%d requests)", delay, putsBefore))
        }
        // A killed run leaves its work folder behind: it can't clean up after SIGKILL.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix("upload-images.") }
        usleep(300_000)  // in-flight requests reach the proxy's log
        let final = try UploadImagesTests().upload("\(photos.path) --workers \(workers)", bucket: bucket, in: folder,
                                                   environment: ["SPACES_ENDPOINT": proxy.endpoint])
        #expect(final.status == 0, "\(final.stderr.suffix(500)); requests: \(proxy.detail)")
        print("killed at \(kills.joined(separator: ", ")); \(leftovers.count) work folders left by the kills")
        try expectBucketMatches(bucket, photos: photos, records: try UploadImagesTests().results(in: folder))
        #expect(try bucket.objects().count == 800)

        // Images uploaded more than once: at most those in flight at each kill (one per worker).
        var putsPerImage: [String: Int] = [:]
        for entry in proxy.entries where entry.method == "PUT" && entry.status == 200 {
            let image = entry.path.replacingOccurrences(of: "/thumbnail/", with: "/original/")
            putsPerImage[(image as NSString).deletingPathExtension, default: 0] += 1
        }
        let repeated = putsPerImage.filter { $0.value > 2 }.count
        print("\(putsPerImage.count) images, \(putsPerImage.values.reduce(0, +)) PUTs, \(repeated) images PUT again after a kill")
        #expect(putsPerImage.count == 400)
        #expect(repeated <= 5 * workers, "\(repeated) images uploaded twice")
        // The final run removed the killed runs' work folders (and its own).
        #expect(!leftovers.isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).allSatisfy { !$0.hasPrefix("upload-images.") })
    }
}

@Suite(.integrationTimeLimit) struct HostileInputTests {
    /// The corpus plus every awkward thing a folder can hold, through upload-images: each gets one clear line
    /// naming it, everything else is uploaded, the exit status is 1.
    @Test func awkwardFilesAndFoldersAreReportedAndEverythingElseIsUploaded() throws {
        let bucket = try TestBucket("hostile")
        let photos = try TemporaryDirectory()
        let good = Corpus.file("photos/photo-canon-camera-orient6.jpg")
        _ = try photos.copy(good, to: "ok.jpg")
        _ = try photos.copy(good, to: "line\nbreak.jpg")
        _ = try photos.copy(good, to: "locked.jpg")
        _ = try photos.copy(good, to: "private/inside.jpg")
        try FileManager.default.createDirectory(atPath: photos.path + "/empty", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: photos.path + "/loop", withDestinationPath: ".")
        try FileManager.default.createSymbolicLink(atPath: photos.path + "/gone.jpg", withDestinationPath: "nowhere.jpg")
        try FileManager.default.copyItem(atPath: Harness.corpus, toPath: photos.path + "/corpus")
        // A name that is not UTF-8: "caf\xE9.jpg".
        let raw = Array((photos.path + "/caf").utf8) + [0xE9] + Array(".jpg".utf8) + [0]
        let file = raw.withUnsafeBufferPointer { fopen(UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), "w") }
        try #require(file != nil)
        fclose(file)
        chmod(photos.path + "/locked.jpg", 0)
        chmod(photos.path + "/private", 0)
        // Run as an unprivileged user, or root would read everything.
        let folder = try TemporaryDirectory()
        for path in [photos.path, folder.path, bucket.directory.path] {
            _ = try Shell.run("chown -R 65534:65534 \(Shell.quote(path))")
        }
        chmod(photos.path, 0o755)
        let run = try Shell.run("""
            cd \(folder.path) && setpriv --reuid=65534 --regid=65534 --clear-groups env TMPDIR=\(folder.path) \
            \(UploadImagesTests.script) \(photos.path) --workers 2 --env-file \(bucket.envFile)
            """)
        #expect(run.status == 1, "\(run.stderr.suffix(800))")
        let records = try UploadImagesTests().results(in: folder)
        func record(_ rel: String) -> ImageRecord? { records.first { $0.rel == rel } }
        #expect(record("ok.jpg")?.status == .uploaded)
        #expect(record("line\nbreak.jpg")?.status == .uploaded, "a newline in a name is just a character")
        #expect(try bucket.objects()["avatar/original/line\nbreak.jpg"] != nil)
        #expect(record("locked.jpg")?.status == .failed && record("locked.jpg")?.error == "permission denied")
        #expect(record("caf\\xE9.jpg")?.status == .failed)
        #expect(run.stderr.contains("private: cannot read folder: permission denied"))
        // What could not be scanned is a failed record, counted in the summary and listed in the failures file.
        #expect(record("private")?.status == .failed && record("private")?.error?.hasPrefix("cannot read folder: permission denied") == true)
        #expect(record("gone.jpg")?.status == .failed && record("gone.jpg")?.error?.hasPrefix("broken symbolic link to nowhere.jpg") == true)
        let failedCount = records.filter { $0.status == .failed }.count
        #expect(UploadImagesTests().summaryCount("failed", run) == failedCount)
        #expect(UploadImagesTests().summaryCount("found", run) == records.count)
        let failuresFile = try #require(try UploadImagesTests().newest("upload_failures_", in: folder))
        let listed = try String(contentsOfFile: failuresFile, encoding: .utf8)
        #expect(listed.contains("\"rel\":\"private\"") && listed.contains("\"rel\":\"gone.jpg\""))
        #expect(run.stderr.contains("locked.jpg: permission denied"))
        #expect(run.stderr.contains("caf\\xE9.jpg"))
        // The loop is followed once, not forever; the corpus's good files are all uploaded.
        let manifest = try CorpusManifest()
        for entry in manifest.scanned {
            #expect(record("corpus/" + entry.file)?.status == (entry.mustBeRejected ? .failed : .uploaded), "\(entry.file)")
        }
        #expect(!records.contains { $0.rel.hasPrefix("loop/loop/") })
        // Each failure is one line on the console naming the file.
        let errorLines = run.stderr.split(separator: "\n").filter { $0.contains(": error: ") }
        #expect(errorLines.count == records.filter { $0.status == .failed }.count, "\(errorLines.joined(separator: "\n"))")
    }

    /// Files deleted after the scan fail alone, at whichever stage finds them gone.
    @Test(arguments: ["img-thumb --out THUMBS | spaces-put", "spaces-put"])
    func aFileDeletedBetweenScanAndUploadFailsAlone(stages: String) throws {
        let bucket = try TestBucket("deleted")
        let photos = try TemporaryDirectory()
        for name in ["a.jpg", "b.jpg", "c.jpg"] { _ = try photos.copy(Corpus.file("photos/photo-canon-camera-orient6.jpg"), to: name) }
        let thumbs = try TemporaryDirectory()
        let command = stages.replacingOccurrences(of: "THUMBS", with: thumbs.path)
        let run = try Shell.run("""
            img-scan \(photos.path) > scanned && rm \(photos.path)/b.jpg && < scanned \(command) --env-file \(bucket.envFile)
            """)
        #expect(run.status == 1)
        let records = try run.records()
        #expect(records.map(\.status) == [.uploaded, .failed, .uploaded])
        #expect(records[1].error?.contains("no such file or directory") == true, "\(records[1].error ?? "")")
        let errors = run.stderr.split(separator: "\n")
        #expect(errors.count == 1 && errors[0].contains("error: b.jpg: ") && errors[0].contains("no such file or directory"), "\(run.stderr)")
        let keys = try bucket.objects().keys.sorted()
        #expect(keys == ["avatar/original/a.jpg", "avatar/original/c.jpg",
                                                        "avatar/thumbnail/a.jpg", "avatar/thumbnail/c.jpg"].filter {
            stages.hasPrefix("img-thumb") || $0.contains("/original/")
        }, "\(keys)")
    }

    /// Each command that reads records answers a malformed line with a failed record and one error line
    /// naming the line, and goes on with the next.
    @Test(arguments: ["spaces-exists", "img-thumb --out THUMBS", "spaces-put"])
    func malformedLinesAreReportedByLineAndTheRestGoesOn(command: String) throws {
        let bucket = try TestBucket("malformed")
        let photos = try TemporaryDirectory()
        _ = try photos.copy(Corpus.file("photos/photo-canon-camera-orient6.jpg"), to: "good.jpg")
        let thumbs = try TemporaryDirectory()
        let good = try Shell.run("img-scan \(photos.path)").stdout
        let input = ["{not json", "[1, 2]", "{\"path\": 7}", "\"text\"", String(repeating: "x", count: 100_000), "\u{1}\u{2}"]
            .joined(separator: "\n") + "\n" + good
        let options = command.hasPrefix("spaces-") ? " --env-file \(bucket.envFile)" : ""
        let run = try Shell.run(command.replacingOccurrences(of: "THUMBS", with: thumbs.path) + options, stdin: input)
        #expect(run.status == 1, "\(run.stderr.prefix(500))")
        let records = try run.lines.map { try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        try #require(records.count == 7, "one line out per line in")
        for (index, record) in records.prefix(6).enumerated() {
            #expect(record["status"] as? String == "failed")
            #expect((record["error"] as? String)?.hasPrefix("input line \(index + 1): ") == true, "\(record)")
        }
        #expect(records[6]["status"] as? String != "failed", "the good record after them is still processed: \(records[6])")
        let errors = run.stderr.split(separator: "\n").filter { $0.contains("error: ") }
        #expect(errors.count == 6 && errors.allSatisfy { $0.count < 200 }, "\(run.stderr.prefix(1000))")
    }

    /// A folder of 100,000 entries: scanning takes time and memory in proportion, not more.
    @Test func aHundredThousandEntriesScanInProportionalTimeAndMemory() throws {
        let small = try TemporaryDirectory(), large = try TemporaryDirectory()
        let made = try Shell.run("""
            python3 -c 'import os, sys
            for folder, count in ((sys.argv[1], 10000), (sys.argv[2], 100000)):
                for n in range(count):
                    open(os.path.join(folder, "photo%06d.jpg" % n), "wb").close()' \(small.path) \(large.path)
            """)
        try #require(made.status == 0, "\(made.stderr)")
        // CPU seconds (user + system), not the wall: another test run on the machine must not make the
        // larger scan look slower.
        func measure(_ folder: TemporaryDirectory) throws -> (seconds: Double, kilobytes: Double, lines: Int) {
            let run = try Shell.run("/usr/bin/time -f '%U %S %M' -o time.txt img-scan --records-only \(folder.path) | wc -l; cat time.txt")
            let fields = run.stdout.split(whereSeparator: \.isWhitespace).compactMap { Double($0) }
            return (fields[1] + fields[2], fields[3], Int(fields[0]))
        }
        let ten = try measure(small), hundred = try measure(large)
        print("img-scan: 10,000 entries \(ten.seconds) s \(ten.kilobytes) KB; 100,000 entries \(hundred.seconds) s \(hundred.kilobytes) KB")
        #expect(ten.lines == 10_000 && hundred.lines == 100_000)
        #expect(hundred.seconds <= 15 * ten.seconds + 1, "scan time grows faster than the folder")
        // The names of one folder are held to sort them: well under 1 KB per entry on top of the base.
        #expect(hundred.kilobytes - ten.kilobytes < 90_000, "memory grows faster than the folder")
    }
}

@Suite(.integrationTimeLimit) struct SecretTests {
    /// A whole --debug run: neither the secret key nor a request signature appears in any output file or
    /// any process's command line while it runs.
    @Test func aDebugRunShowsNoSecretAnywhere() throws {
        let bucket = try TestBucket("secrets")
        let folder = try TemporaryDirectory()
        let console = try TemporaryDirectory()
        let run = try startUploadImages([Harness.corpus, "--workers", "4", "--batch-size", "5", "--debug"], bucket: bucket,
                                        in: folder, output: console.path + "/output")
        // The run's processes are those of its process group (the script leads one of its own). Only they are
        // looked at: other processes on a shared machine may well have a presigned URL in their arguments.
        var processesSeen = Set<Int32>()
        var leaks: [String] = []
        while run.isRunning {
            for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
                guard let pid = Int32(entry), processGroup(of: pid) == run.processIdentifier,
                      let argv = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { continue }
                let text = String(decoding: argv.map { $0 == 0 ? 32 : $0 }, as: UTF8.self)
                processesSeen.insert(pid)
                if text.contains(bucket.secretKey) || text.contains("Signature=") || text.contains("Credential=") {
                    leaks.append(text)
                }
            }
            usleep(10_000)
        }
        let output = try String(contentsOfFile: console.path + "/output", encoding: .utf8)
        #expect(run.terminationStatus == 1, "the corpus has broken files: \(output)")
        #expect(processesSeen.count > 10, "the check saw the pipeline's processes: \(processesSeen.count)")
        #expect(leaks.isEmpty, "\(leaks)")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix("upload_") }
            .map { folder.path + "/" + $0 }
        #expect(files.count == 4, "log, results, failures and the review page: \(files)")
        let log = try String(contentsOfFile: try #require(try UploadImagesTests().newest("upload_log_", in: folder)), encoding: .utf8)
        #expect(log.contains("spaces-put: debug:") && log.contains(" over "), "the log has the debug detail: \(log.suffix(2000))")
        #expect(output.contains("Summary"), "\(output)")
        for file in files + [console.path + "/output"] {
            let text = try String(contentsOfFile: file, encoding: .utf8)
            #expect(!text.contains(bucket.secretKey) && !text.contains("Signature=") && !text.contains("Authorization"), "\(file)")
        }
    }
}

/// The process group of `pid` (field 5 of /proc/PID/stat, after the parenthesised command name), nil once it is gone.
func processGroup(of pid: Int32) -> Int32? {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = stat.lastIndex(of: ")") else { return nil }
    let fields = stat[stat.index(after: close)...].split(separator: " ")
    return fields.count > 2 ? Int32(fields[2]) : nil
}
