import Common
import Foundation
import TestSupport
import Testing

/// `upload-images --hosts`: the batches on two hosts, each a network namespace with its own address and sshd
/// (`HostsRig`), the scan, results and summary here. Each test starts a rig of its own (about 10 s).
@Suite(.serialized, .integrationTimeLimit) struct HostsTests {
    /// `count` images under names of their own: copies of three small corpus JPEGs, 100 to a folder.
    static func photos(_ count: Int) throws -> TemporaryDirectory {
        let photos = try TemporaryDirectory()
        let sources = ["jpeg/jpeg-grayscale.jpg", "jpeg/jpeg-cmyk-adobe.jpg", "jpeg/jpeg-1x1.jpg"].map { Harness.corpus + "/" + $0 }
        for n in 0..<count { try photos.copy(sources[n % 3], to: "\(n / 100)/photo \(n).jpg") }
        return photos
    }

    func upload(_ arguments: String, envFile: String, rig: HostsRig, in folder: TemporaryDirectory) throws -> Shell.Result {
        try Shell.run("\(UploadImagesTests.script) \(arguments) --env-file \(Shell.quote(envFile))",
                      environment: rig.environment.merging(["TMPDIR": folder.path]) { $1 }, directory: folder.path)
    }

    /// The script in the background, its output in `output`.
    func start(_ arguments: [String], envFile: String, rig: HostsRig, in folder: TemporaryDirectory, output: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: UploadImagesTests.script)
        process.arguments = arguments + ["--env-file", envFile]
        process.currentDirectoryURL = URL(fileURLWithPath: folder.path)
        process.environment = Shell.environment(rig.environment.merging(["TMPDIR": folder.path]) { $1 })
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        process.standardError = process.standardOutput
        Shell.unblockSignals()
        try process.run()
        return process
    }

    func results(in folder: TemporaryDirectory) throws -> [ImageRecord] {
        let file = try #require(try UploadImagesTests().newest("upload_results_", in: folder))
        return try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").map { try RecordCoding.decode(Data($0.utf8)) }
    }

    func log(in folder: TemporaryDirectory) throws -> String {
        try String(contentsOfFile: try #require(try UploadImagesTests().newest("upload_log_", in: folder)), encoding: .utf8)
    }

    /// The log's line for each batch's last try: `batch.000003 on h2: 100 results` gives [batch.000003: (h2, 100)].
    func batchHosts(_ log: String) -> [String: (host: String, results: Int)] {
        let pattern = try! NSRegularExpression(pattern: #" (batch\.\d{6}) on (.+): (\d+) results"#)
        var batches: [String: (String, Int)] = [:]
        for line in log.split(separator: "\n").map(String.init) {
            guard let match = pattern.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)) else { continue }
            let field = { (n: Int) in String(line[Range(match.range(at: n), in: line)!]) }
            batches[field(1)] = (field(2), Int(field(3))!)
        }
        return batches
    }

    /// Each uploaded image's original holds its file's bytes and its thumbnail is a whole JPEG with the ETag
    /// spaces-put reported, as boto3 reads them back; returns how many were checked.
    @discardableResult
    func expectStored(_ records: [ImageRecord], in stored: [String: StoredObject],
                      sourceLocation: SourceLocation = #_sourceLocation) throws -> Int {
        var checked = 0
        for record in records where record.status == .uploaded || record.status == .skipped {
            let original = stored[record.key!], thumbnail = stored[record.thumbnailKey!]
            #expect(original?.md5 == (try FileDigest.compute(path: record.path)).md5.hexString, "\(record.rel)", sourceLocation: sourceLocation)
            #expect(thumbnail?.whole_jpeg == true, "\(record.rel)", sourceLocation: sourceLocation)
            if let etag = record.thumbnailEtag { #expect(thumbnail?.md5 == etag, "\(record.rel)", sourceLocation: sourceLocation) }
            checked += 1
        }
        return checked
    }

    /// 300 images over h1 (2 workers) and h2 (1): three batches of 100 start at once, two on h1 and one on
    /// h2; every object arrives whole, and the log names each batch's host.
    @Test func threeHundredImagesSpreadOverBothHosts() throws {
        let rig = try HostsRig()
        let folder = try TemporaryDirectory()
        let bucket = try rig.bucket("spread", in: folder)
        let photos = try Self.photos(300)
        try "# two workers on h1, one on h2\n2/h1\n1/h2\n".write(toFile: folder.path + "/hosts", atomically: false, encoding: .utf8)
        let run = try upload("\(Shell.quote(photos.path)) --hosts hosts", envFile: bucket.envFile, rig: rig, in: folder)
        #expect(run.status == 0, "\(run.stderr.suffix(1500))")
        #expect(run.stderr.contains("hosts: h1 (2 workers), h2 (1 worker)"), "\(run.stderr.prefix(1000))")
        #expect(run.stderr.contains("uploading 300 images with 3 worker(s), 100 per batch"))
        let records = try results(in: folder)
        #expect(records.count == 300 && records.allSatisfy { $0.status == .uploaded }, "\(records.filter { $0.status != .uploaded })")
        #expect(Set(records.map(\.path)).count == 300, "one result line per image")
        let stored = try rig.objects(envFile: bucket.envFile, bucket: bucket.name)
        #expect(stored.count == 600, "300 originals and 300 thumbnails")
        #expect(try expectStored(records, in: stored) == 300)
        let batches = batchHosts(try log(in: folder))
        let byHost = Dictionary(grouping: batches.values, by: \.host).mapValues { ($0.count, $0.map(\.results).reduce(0, +)) }
        #expect(batches.count == 3, "\(batches)")
        #expect(byHost["h1"]?.0 == 2 && byHost["h1"]?.1 == 200, "\(byHost)")
        #expect(byHost["h2"]?.0 == 1 && byHost["h2"]?.1 == 100, "\(byHost)")
        // The batches ran in the hosts' namespaces: each sshd let the run in (once: the probe's connection is reused).
        #expect(rig.logins(1) >= 1 && rig.logins(2) >= 1, "logins: h1 \(rig.logins(1)), h2 \(rig.logins(2))")
    }

    /// h2 goes down (every process in its namespace killed) once 60 of 300 images are done: no image is lost,
    /// the batches it held or was offered are done on h1, the exit status is what the records say, and the
    /// same command again (h2 still down, so left out) completes the job.
    @Test func aHostLostMidRunLosesNothingAndTheRerunCompletes() throws {
        let rig = try HostsRig()
        let folder = try TemporaryDirectory()
        let bucket = try rig.bucket("lost", in: folder)
        let photos = try Self.photos(300)
        let arguments = [photos.path, "--sshlogin", "1/h1,1/h2", "--batch-size", "10"]
        let output = folder.path + "/output"
        let process = try start(arguments, envFile: bucket.envFile, rig: rig, in: folder, output: output)
        var done = 0
        while process.isRunning && done < 60 {
            usleep(50_000)
            if let file = try UploadImagesTests().newest("upload_results_", in: folder) {
                done = (try? String(contentsOfFile: file, encoding: .utf8))?.split(separator: "\n").count ?? 0
            }
        }
        try #require(process.isRunning, "the run ended before h2 could be taken down: \((try? String(contentsOfFile: output, encoding: .utf8)) ?? "")")
        try rig.down(2)
        process.waitUntilExit(within: 180)
        let console = try String(contentsOfFile: output, encoding: .utf8)
        let records = try results(in: folder)
        #expect(records.count == 300 && Set(records.map(\.path)).count == 300, "every image once: \(records.count)")
        let failed = records.filter { $0.status == .failed }
        #expect(records.allSatisfy { $0.status == .uploaded || $0.status == .failed })
        #expect(process.terminationStatus == (failed.isEmpty ? 0 : 1), "exit \(process.terminationStatus), \(failed.count) failed: \(console.suffix(1500))")
        #expect(failed.allSatisfy { $0.error?.contains("h2") == true }, "a failure names the host: \(failed.map { $0.error ?? "" })")
        let log = try log(in: folder)
        #expect(log.contains("tries: h2 failed"), "a batch h2 held or was offered was tried again: \(log.suffix(3000))")
        let stored = try rig.objects(envFile: bucket.envFile, bucket: bucket.name)
        try expectStored(records, in: stored)
        print("hosts: h2 down after \(done) results; \(failed.count) failed, \(log.components(separatedBy: "tries: h2 failed").count - 1) batches tried again on h1")

        let rerun = try upload(arguments.map(Shell.quote).joined(separator: " "), envFile: bucket.envFile, rig: rig, in: folder)
        #expect(rerun.status == 0, "\(rerun.stderr.suffix(1500))")
        #expect(rerun.stderr.contains("warning: host h2 is left out: ssh: connect to host"), "\(rerun.stderr.prefix(1500))")
        let again = try results(in: folder)
        #expect(again.count == 300 && again.allSatisfy { $0.status == .uploaded || $0.status == .skipped })
        let all = try rig.objects(envFile: bucket.envFile, bucket: bucket.name)
        #expect(all.count == 600)
        #expect(try expectStored(again, in: all) == 300)
    }

    /// A --debug run on h1, h2 and this machine, watched through /proc/*/cmdline while it runs: the processes of
    /// every namespace (each host's, and the run's own here) are seen running the pipeline, and the secret key
    /// is in no argv anywhere, nor in any file the run leaves; the hosts' batch folders are gone.
    @Test func theSecretIsInNoArgvOnAnyHost() throws {
        let rig = try HostsRig()
        let folder = try TemporaryDirectory()
        let bucket = try rig.bucket("secret", in: folder)
        let photos = try Self.photos(60)
        let namespaces = ["h1": try rig.networkNamespace(ofHost: 1), "h2": try rig.networkNamespace(ofHost: 2),
                          "here": try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/ns/net")]
        let output = folder.path + "/output"
        let process = try start([photos.path, "--sshlogin", "1/h1,1/h2,1/:", "--batch-size", "5", "--debug"],
                                envFile: bucket.envFile, rig: rig, in: folder, output: output)
        var pipelines: [String: Set<Int32>] = [:]
        var leaks: [String] = []
        while process.isRunning {
            var parents: [Int32: Int32] = [:]
            var argv: [Int32: (namespace: String?, program: String, text: String)] = [:]
            for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
                guard let pid = Int32(entry), let bytes = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { continue }
                let namespace = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(entry)/ns/net")
                argv[pid] = (namespaces.first { $0.value == namespace }?.key, String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self),
                             String(decoding: bytes.map { $0 == 0 ? 32 : $0 }, as: UTF8.self))
                parents[pid] = parentProcess(of: pid)
            }
            for (pid, seen) in argv {
                // The secret is this rig's alone: no process anywhere may show it. Signatures are looked for in
                // the hosts' namespaces and among the run's own processes here (others may hold presigned URLs).
                if seen.text.contains(bucket.secret) { leaks.append(seen.text) }
                guard let name = seen.namespace,
                      name != "here" || isDescendant(pid, of: process.processIdentifier, parents: parents) else { continue }
                if seen.text.contains("Signature=") || seen.text.contains("Credential=") { leaks.append(seen.text) }
                if seen.program.hasSuffix("/spaces-put") || seen.program.hasSuffix("/img-thumb") { pipelines[name, default: []].insert(pid) }
            }
            usleep(10_000)
        }
        let console = try String(contentsOfFile: output, encoding: .utf8)
        #expect(process.terminationStatus == 0, "\(console.suffix(1500))")
        #expect(leaks.isEmpty, "\(leaks)")
        for name in ["h1", "h2", "here"] {
            #expect((pipelines[name]?.count ?? 0) > 0, "no pipeline process seen in \(name)'s namespace: \(pipelines.mapValues(\.count))")
        }
        let log = try log(in: folder)
        #expect(log.contains("h1: spaces-put: debug:") && log.contains("h2: spaces-put: debug:")
                && log.contains("this machine: spaces-put: debug:"), "every host's debug detail is in the log")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix("upload_") }.map { folder.path + "/" + $0 }
        for file in files + [output] {
            #expect(!(try String(contentsOfFile: file, encoding: .utf8)).contains(bucket.secret), "\(file)")
        }
        #expect(try batchFolders(rig).isEmpty, "the hosts' batch folders are removed")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).allSatisfy { !$0.hasPrefix("upload-images.") },
                "the work folder is removed")
    }

    /// A host that is down when the run starts is left out with the reason; with every host down the run
    /// stops before any upload (exit 2).
    @Test func aHostDownAtTheStartIsLeftOutAndNoHostStopsTheRun() throws {
        let rig = try HostsRig()
        let folder = try TemporaryDirectory()
        let bucket = try rig.bucket("down", in: folder)
        let photos = try Self.photos(20)
        try rig.down(2)
        let run = try upload("\(Shell.quote(photos.path)) --sshlogin h1,h2 --workers 2", envFile: bucket.envFile, rig: rig, in: folder)
        #expect(run.status == 0, "\(run.stderr.suffix(1500))")
        #expect(run.stderr.contains("upload-images: warning: host h2 is left out: ssh: connect to host"), "\(run.stderr.prefix(1000))")
        #expect(run.stderr.contains("hosts: h1 (2 workers)"), "\(run.stderr.prefix(1000))")
        #expect(try results(in: folder).allSatisfy { $0.status == .uploaded })
        #expect(Set(batchHosts(try log(in: folder)).values.map(\.host)) == ["h1"])

        try rig.down(1)
        let none = try upload("\(Shell.quote(photos.path)) --sshlogin h1,h2 --no-skip-existing", envFile: bucket.envFile, rig: rig, in: folder)
        #expect(none.status == 2, "\(none.stderr)")
        #expect(none.stderr.contains("upload-images: no host can run the upload"), "\(none.stderr)")
        #expect(!none.stderr.contains("uploading"), "\(none.stderr)")
        #expect(try rig.objects(envFile: bucket.envFile, bucket: bucket.name).count == 40)
    }

    /// spaces-put made to fail with a fatal error (exit 2, as wrong settings or an untrusted certificate give) in
    /// the namespaces its stand-in finds in `fatal`: on h2 alone, every batch is done on h1 after a failed try
    /// there; on every host, the run stops as it does without hosts (exit 2), the batches not started yet
    /// reported "not attempted".
    @Test func aFatalErrorMovesTheBatchesOffItsHostAndEverywhereStopsTheRun() throws {
        let rig = try HostsRig()
        let folder = try TemporaryDirectory()
        let bucket = try rig.bucket("fatal", in: folder)
        let photos = try Self.photos(60)
        let bin = try TemporaryDirectory()
        for command in ["img-scan", "spaces-exists", "img-thumb", "spaces-ls", "spaces-get", "upload-review", "upload-run"] {
            try FileManager.default.createSymbolicLink(atPath: bin.path + "/" + command, withDestinationPath: Harness.binDirectory + "/" + command)
        }
        try """
            #!/bin/bash
            here=$(ip netns identify $$ 2>/dev/null)
            if [[ " $* " != *" --check "* ]] && grep -qxF -- "${here:-here}" "$(dirname "$0")/fatal"; then
              cat >/dev/null; echo "spaces-put: error: made to fail on ${here:-here}" >&2; exit 2
            fi
            exec \(Harness.binDirectory)/spaces-put "$@"

            """.write(toFile: bin.path + "/spaces-put", atomically: false, encoding: .utf8)
        chmod(bin.path + "/spaces-put", 0o755)
        let environment = rig.environment.merging(["TMPDIR": folder.path, "UPLOAD_IMAGES_BIN": bin.path]) { $1 }
        let command = "\(UploadImagesTests.script) \(Shell.quote(photos.path)) --sshlogin 1/h1,1/h2 --batch-size 10 --no-skip-existing --env-file \(Shell.quote(bucket.envFile))"

        try (rig.namespaces[1] + "\n").write(toFile: bin.path + "/fatal", atomically: false, encoding: .utf8)
        let moved = try Shell.run(command, environment: environment, directory: folder.path)
        #expect(moved.status == 0, "\(moved.stderr.suffix(1500))")
        #expect(try results(in: folder).allSatisfy { $0.status == .uploaded })
        let log = try log(in: folder)
        #expect(Set(batchHosts(log).values.map(\.host)) == ["h1"], "\(batchHosts(log))")
        #expect(log.contains("tries: h2 failed (exit 2: h2: spaces-put: error: made to fail on \(rig.namespaces[1])); h1 ok"), "\(log.suffix(2000))")

        try (rig.namespaces.joined(separator: "\n") + "\n").write(toFile: bin.path + "/fatal", atomically: false, encoding: .utf8)
        let stopped = try Shell.run(command, environment: environment, directory: folder.path)
        #expect(stopped.status == 2, "\(stopped.stderr.suffix(1500))")
        #expect(stopped.stderr.contains("upload-images: a fatal error stopped the upload"), "\(stopped.stderr.suffix(500))")
        let records = try results(in: folder)
        #expect(records.count == 60 && records.allSatisfy { $0.status == .failed })
        let notStarted = records.filter { $0.error == "not attempted: a fatal error stopped the upload" }.count
        let failedOnAHost = records.filter { $0.error?.hasPrefix("not uploaded: on h") == true }.count
        #expect(notStarted >= 10 && notStarted + failedOnAHost == 60, "\(notStarted) not started, \(failedOnAHost) failed on a host")
    }

    /// The rig owns the login environment: a login on a host reads the rig's own HOME and rc file, never the
    /// ~/.bashrc or /etc/bash.bashrc of whoever runs the tests (which may start pyenv, print, or hang).
    @Test func aLoginOnARigHostReadsTheRigsOwnHome() throws {
        let rig = try HostsRig(hosts: 1)
        let login = try rig.ssh(1, #"printf '%s\n' "$HOME" "${PYENV_ROOT:-none}"; wc -c </etc/bash.bashrc"#)
        #expect(login.status == 0, "\(login.stderr)")
        #expect(login.lines == ["\(rig.directory)/h1/home", "none", "0"], "\(login.lines)")
        try rig.setLoginFile(1, "echo from-the-rigs-rc\n")
        #expect(try rig.ssh(1, "true").stdout == "from-the-rigs-rc\n")
    }

    /// A host whose login files sleep 2 s and print, on stdout, a banner and a line that looks like a record:
    /// every batch still completes there, no record is lost or forged, and the stray text is logged once.
    @Test func aNoisySlowLoginLosesNoRecordAndForgesNone() throws {
        let rig = try HostsRig(hosts: 1)
        try rig.setLoginFile(1, """
            sleep 2
            echo "Welcome to h1 (rc-noise)"
            echo '{"path":"/forged.jpg","rel":"forged.jpg","key":"avatar/original/forged.jpg","status":"uploaded"}'
            (sleep 1; echo late-rc-noise) &
            """)
        let folder = try TemporaryDirectory()
        let bucket = try rig.bucket("noisy", in: folder)
        let photos = try Self.photos(30)
        let run = try upload("\(Shell.quote(photos.path)) --sshlogin 2/h1 --batch-size 10", envFile: bucket.envFile, rig: rig, in: folder)
        #expect(run.status == 0, "\(run.stderr.suffix(1500))")
        let records = try results(in: folder)
        #expect(records.count == 30 && records.allSatisfy { $0.status == .uploaded }, "\(records.map { "\($0.rel) \($0.status)" })")
        #expect(Set(records.map(\.path)) == Set((0..<30).map { "\(photos.path)/\($0 / 100)/photo \($0).jpg" }), "no forged record")
        let stored = try rig.objects(envFile: bucket.envFile, bucket: bucket.name)
        #expect(stored.count == 60 && stored["avatar/original/forged.jpg"] == nil)
        #expect(try expectStored(records, in: stored) == 30)
        let log = try log(in: folder)
        #expect(batchHosts(log).values.filter { $0.host == "h1" }.map(\.results).reduce(0, +) == 30, "\(log.suffix(2000))")
        let told = log.split(separator: "\n").filter { $0.contains("host h1 printed text that is not a record") }
        #expect(told.count == 1 && told.first?.contains("Welcome to h1 (rc-noise)") == true, "\(log.suffix(2000))")
    }

    /// A host whose login files hang (a stale lock, say) is left out once its login has not answered within
    /// twice --connect-timeout; its batches go to the other host and the run ends promptly.
    @Test func aHostWhoseLoginHangsIsLeftOut() throws {
        let rig = try HostsRig(hosts: 2)
        try rig.setLoginFile(2, "sleep 600\n")
        let folder = try TemporaryDirectory()
        let bucket = try rig.bucket("hang", in: folder)
        let photos = try Self.photos(20)
        let run = try upload("\(Shell.quote(photos.path)) --sshlogin 1/h1,1/h2 --batch-size 10 --connect-timeout 2",
                             envFile: bucket.envFile, rig: rig, in: folder)
        #expect(run.status == 0, "\(run.stderr.suffix(1500))")
        #expect(run.stderr.contains("warning: host h2 is left out: its login did not answer within 4 s"), "\(run.stderr.prefix(1500))")
        #expect(run.stderr.contains("hosts: h1 (1 worker)"), "\(run.stderr.prefix(1500))")
        #expect(run.seconds < 60, "the hanging login held the run \(run.seconds) s")
        let records = try results(in: folder)
        #expect(records.count == 20 && records.allSatisfy { $0.status == .uploaded })
        #expect(batchHosts(try log(in: folder)).values.allSatisfy { $0.host == "h1" })
    }

    /// The batch folders on the rig's hosts (each host's TMPDIR is the rig's, not /tmp).
    func batchFolders(_ rig: HostsRig) throws -> Set<String> {
        Set(try (1...rig.hosts).flatMap { host in
            try FileManager.default.contentsOfDirectory(atPath: "\(rig.directory)/h\(host)/tmp")
                .filter { $0.hasPrefix("upload-images-batch.") }.map { "h\(host)/\($0)" }
        })
    }
}

/// The parent of `pid` (field 4 of /proc/PID/stat, after the parenthesised command name), nil once it is gone.
func parentProcess(of pid: Int32) -> Int32? {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = stat.lastIndex(of: ")") else { return nil }
    let fields = stat[stat.index(after: close)...].split(separator: " ")
    return fields.count > 1 ? Int32(fields[1]) : nil
}

func isDescendant(_ pid: Int32, of ancestor: Int32, parents: [Int32: Int32]) -> Bool {
    var current: Int32? = pid
    while let process = current, process > 1 {
        if process == ancestor { return true }
        current = parents[process]
    }
    return false
}

/// Options of --hosts that need no host: refused before any work, and ':' alone (this machine through parallel).
@Suite(.integrationTimeLimit) struct HostsOptionTests {
    @Test(arguments: [
        ("--sshlogin 0/h1", 64, "--sshlogin: '0/h1': the workers before the '/' must be a whole number from 1 to 1000"),
        ("--sshlogin 1001/h1", 64, "must be a whole number from 1 to 1000"),
        ("--sshlogin ,", 64, "--hosts/--sshlogin: no host given"),
        ("--hosts /nonexistent/hosts", 2, "cannot read hosts file: /nonexistent/hosts"),
        ("--sshlogin : --limit-rate 1M", 64, "--limit-rate cannot be combined with --hosts"),
        ("--sshlogin", 64, "--sshlogin needs a value"),
    ])
    func badHostOptionsAreRefusedBeforeAnyWork(arguments: String, status: Int32, message: String) throws {
        let folder = try TemporaryDirectory()
        let run = try Shell.run("\(UploadImagesTests.script) \(Shell.quote(Harness.corpus)) \(arguments)", directory: folder.path)
        #expect(run.status == status, "\(run.stderr)")
        #expect(run.stderr.contains(message) && run.stderr.split(separator: "\n").count == 1, "\(run.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty, "no log, no results")
    }

    /// `--sshlogin 2/:`: no ssh at all, parallel runs the batches here; the same images arrive as with xargs.
    @Test func thisMachineAloneThroughParallel() throws {
        let bucket = try TestBucket("colon")
        let folder = try TemporaryDirectory()
        let photos = try HostsTests.photos(30)
        let run = try UploadImagesTests().upload("\(Shell.quote(photos.path)) --sshlogin 2/: --batch-size 10", bucket: bucket, in: folder)
        #expect(run.status == 0, "\(run.stderr.suffix(1500))")
        #expect(run.stderr.contains("hosts: this machine (2 workers)"))
        let records = try HostsTests().results(in: folder)
        #expect(records.count == 30 && records.allSatisfy { $0.status == .uploaded })
        let stored = try bucket.objects()
        #expect(try HostsTests().expectStored(records, in: stored) == 30)
        let batches = HostsTests().batchHosts(try HostsTests().log(in: folder))
        #expect(batches.count == 3 && batches.values.allSatisfy { $0.host == "this machine" && $0.results == 10 }, "\(batches)")
    }
}
