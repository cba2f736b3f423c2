import Common
import Foundation
import TestSupport
import Testing

/// The card's pipeline, `img-scan DIR | spaces-exists | img-thumb | spaces-put`, under shells without
/// `pipefail`: `dash -c` and a real Makefile run by make (whose recipes run with /bin/sh). Its status is the
/// last stage's alone, and must be true on its own: 0 only when every image ended uploaded or skipped, 1 when
/// any failed, 2 when a stage stopped on a fatal error or the stream was cut.
@Suite(.integrationTimeLimit) struct PipelineStatusTests {
    enum Runner: String, CaseIterable, CustomStringConvertible {
        case dash, make
        var description: String { rawValue }
    }

    struct Rig {
        let bucket: TestBucket
        let work: TemporaryDirectory

        init() throws {
            bucket = try TestBucket("status", on: .seaweedfs)
            work = try TemporaryDirectory()
        }

        /// An env file of the bucket's settings with `changes`.
        func envFile(_ name: String, _ changes: [String: String] = [:]) throws -> String {
            let path = work.path + "/" + name
            try bucket.settings.merging(changes) { $1 }.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "\n")
                .write(toFile: path, atomically: false, encoding: .utf8)
            return path
        }

        func folder(_ name: String, _ files: [String: String]) throws -> String {
            for (rel, source) in files { _ = try work.copy(Corpus.file(source), to: name + "/" + rel) }
            try FileManager.default.createDirectory(atPath: work.path + "/" + name, withIntermediateDirectories: true)
            return work.path + "/" + name
        }

        /// The card's pipeline on `dir` with `env`, run by `runner`; `source` replaces `img-scan DIR` (to cut the stream).
        func run(_ runner: Runner, dir: String, env: String, source: String? = nil, killer: String = "") throws -> Shell.Result {
            let scan = source ?? "img-scan \(Shell.quote(dir))"
            let line = "\(scan) | spaces-exists --retries 0 --env-file \(Shell.quote(env)) | img-thumb --out \(Shell.quote(work.path))/thumbs | spaces-put --retries 0 --env-file \(Shell.quote(env))"
            switch runner {
            case .dash:
                return try Shell.run("\(killer)dash -c \(Shell.quote(line))", directory: work.path)
            case .make:
                let makefile = work.path + "/Makefile"
                try "upload:\n\t\(line.replacingOccurrences(of: "$", with: "$$"))\n".write(toFile: makefile, atomically: false, encoding: .utf8)
                return try Shell.run("\(killer)make -s -f \(Shell.quote(makefile)) upload", directory: work.path)
            }
        }
    }

    /// make reports a recipe's failure as `Error N` with the recipe's status: the pipeline's.
    func status(_ run: Shell.Result, _ runner: Runner) -> Int32 {
        guard runner == .make, run.status != 0 else { return run.status }
        let pattern = try! NSRegularExpression(pattern: #"\[[^\]]*Makefile:\d+: upload\] Error (\d+)"#)
        guard let match = pattern.firstMatch(in: run.stderr, range: NSRange(run.stderr.startIndex..., in: run.stderr)),
              let range = Range(match.range(at: 1), in: run.stderr) else { return -1 }
        return Int32(run.stderr[range]) ?? -1
    }

    @Test(arguments: Runner.allCases)
    func thePipelinesStatusIsTrueWithoutPipefail(runner: Runner) throws {
        let rig = try Rig()
        let good = try rig.envFile("good.env")
        let photos = try rig.folder("photos", ["a.jpg": "jpeg/jpeg-grayscale.jpg", "sub/b.png": "png/png-palette-trns.png"])

        let uploaded = try rig.run(runner, dir: photos, env: good)
        #expect(status(uploaded, runner) == 0, "\(uploaded.stderr)")
        #expect(try uploaded.records().map(\.status) == [.uploaded, .uploaded])
        #expect(uploaded.markers.last == StreamMarker(.end, by: "spaces-put", exit: 0, records: 2, failed: 0))
        let skipped = try rig.run(runner, dir: photos, env: good)
        let skippedStatuses = try skipped.records().map(\.status)
        #expect(status(skipped, runner) == 0 && skippedStatuses == [.skipped, .skipped])

        let empty = try rig.run(runner, dir: try rig.folder("empty", [:]), env: good)
        #expect(status(empty, runner) == 0, "an empty folder: nothing to do. \(empty.stderr)")
        #expect(empty.lines.isEmpty)

        let brokenFiles = try FileManager.default.contentsOfDirectory(atPath: Corpus.file("broken"))
        let broken = try rig.run(runner, dir: try rig.folder("broken", Dictionary(uniqueKeysWithValues: brokenFiles.map { ($0, "broken/" + $0) })), env: good)
        #expect(status(broken, runner) == 1, "\(broken.stderr)")
        let brokenRecords = try broken.records()
        #expect(brokenRecords.count == brokenFiles.count && brokenRecords.allSatisfy { $0.status == .failed })

        let wrongSecret = try rig.run(runner, dir: photos, env: try rig.envFile("wrong.env", ["SPACES_SECRET_KEY": "not-the-secret-key-at-all"]))
        #expect(status(wrongSecret, runner) == 2, "\(wrongSecret.stderr)")
        #expect(wrongSecret.lines.isEmpty && wrongSecret.stderr.contains("spaces-exists: error:"))
        #expect(!wrongSecret.stderr.contains("not-the-secret-key-at-all"))

        let unreachable = try rig.run(runner, dir: photos, env: try rig.envFile("closed.env", ["SPACES_ENDPOINT": "http://127.0.0.1:\(try Self.closedPort())"]))
        #expect(status(unreachable, runner) == 2, "\(unreachable.stderr)")

        let missing = try rig.run(runner, dir: rig.work.path + "/no-such-folder", env: good)
        #expect(status(missing, runner) == 2 && missing.stderr.contains("img-scan: error: Directory not found"), "\(missing.stderr)")
        let badOption = try rig.run(runner, dir: photos, env: good, source: "img-scan --no-such-option \(Shell.quote(photos))")
        #expect(status(badOption, runner) == 2, "\(badOption.stderr)")
        #expect(badOption.stderr.contains("spaces-exists: error: nothing came in"), "said by the stage that found it: \(badOption.stderr)")
        #expect(badOption.stderr.components(separatedBy: "nothing came in").count == 2, "and only by it")

        // spaces-exists killed while it waits for the rest of the scan: it had written its begin line, never its end.
        let env = try rig.envFile("killed.env")
        let killer = "(sleep 2; pkill -KILL -f -- \(Shell.quote("^spaces-exists --retries 0 --env-file \(env)"))) & "
        let killed = try rig.run(runner, dir: photos, env: env, source: "{ img-scan \(Shell.quote(photos)); sleep 4; }", killer: killer)
        #expect(status(killed, runner) == 2, "\(killed.stderr)")
        #expect(killed.stderr.contains("img-thumb: error: the input ended before its last line"), "\(killed.stderr)")
    }

    /// Records written by hand carry no markers: the status is the records' alone.
    @Test func recordsWrittenByHandKeepWorking() throws {
        let rig = try Rig()
        let good = try rig.envFile("good.env")
        let photo = try rig.work.copy(Corpus.file("jpeg/jpeg-grayscale.jpg"), to: "a.jpg")
        let record = #"{"key":"avatar/original/hand.jpg","path":"\#(photo)","rel":"hand.jpg","thumbnail_key":"avatar/thumbnail/hand.jpg"}"#
        let run = try Shell.run("echo \(Shell.quote(record)) | img-thumb --out t | spaces-put --env-file \(Shell.quote(good))", directory: rig.work.path)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try run.records().map(\.status) == [.uploaded])
        let failed = try Shell.run("echo \(Shell.quote(#"{"path":"/nonexistent.jpg","rel":"x.jpg","key":"avatar/original/x.jpg","thumbnail_key":"avatar/thumbnail/x.jpg"}"#)) | img-thumb --out t | spaces-put --env-file \(Shell.quote(good))", directory: rig.work.path)
        #expect(failed.status == 1, "a record that failed in img-thumb fails the pipeline: \(failed.stderr)")
        let nothing = try Shell.run(": | spaces-put --env-file \(Shell.quote(good))", directory: rig.work.path)
        #expect(nothing.status == 2 && nothing.stderr.contains("nothing came in"))
    }

    /// A port on loopback that nothing listens on.
    static func closedPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
