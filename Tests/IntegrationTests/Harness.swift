import Common
import Crypto
import Foundation
import TestSupport
import Testing

/// The test run's environment, set up by `scripts/test` (one local SeaweedFS server for the whole run).
enum Harness {
    static let environment = ProcessInfo.processInfo.environment

    enum Server: String, CustomStringConvertible {
        /// Checks signatures and Content-MD5; ignores ACLs.
        case seaweedfs = "S3TEST_ENV"
        /// Records ACLs; checks no signatures.
        case moto = "S3TEST_MOTO_ENV"
        /// Ceph's RADOS Gateway, what DigitalOcean Spaces runs on: checks signatures and Content-MD5, enforces
        /// ACLs (an anonymous GET of a private object gets 403), sends empty `<Message>`s.
        case rgw = "S3TEST_RGW_ENV"

        /// The servers the S3-facing tests run on, each test once per server: SeaweedFS and what Spaces runs on.
        static let s3Servers: [Server] = [.seaweedfs, .rgw]

        var description: String {
            switch self {
            case .seaweedfs: return "SeaweedFS"
            case .moto: return "moto"
            case .rgw: return "RGW"
            }
        }
    }

    /// SPACES_* settings of a local server started by `scripts/test`, without a bucket.
    static func serverSettings(_ server: Server = .seaweedfs) throws -> [String: String] {
        let path = try #require(environment[server.rawValue], "\(server.rawValue) is not set: run the tests with scripts/test")
        return DotEnv.parse(try String(contentsOfFile: path, encoding: .utf8)).values
    }

    static var binDirectory: String {
        environment["S3TEST_BIN"] ?? packageRoot + "/.build/debug"
    }

    static var corpus: String { Corpus.path }

    static var packageRoot: String { Corpus.packageRoot }

    static var s3tool: String {
        environment["S3TEST_TOOL"] ?? "\(packageRoot)/.venv/bin/python \(packageRoot)/scripts/s3tool.py"
    }
}

/// A bucket of its own for one test, with an env file pointing at it.
struct TestBucket {
    let name: String
    let settings: [String: String]
    let directory: TemporaryDirectory
    let envFile: String

    init(_ label: String = "t", on server: Harness.Server = .seaweedfs) throws {
        var settings = try Harness.serverSettings(server)
        name = "\(label.lowercased().filter { $0.isLetter || $0.isNumber }.prefix(20))-\(UInt32.random(in: 0...UInt32.max))"
        settings["SPACES_BUCKET"] = name
        self.settings = settings
        directory = try TemporaryDirectory()
        envFile = directory.path + "/spaces.env"
        try settings.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "\n")
            .write(toFile: envFile, atomically: false, encoding: .utf8)
        chmod(envFile, 0o600)
        let made = try Shell.run("\(Harness.s3tool) --env \(Shell.quote(envFile)) mkbucket \(name)")
        try #require(made.status == 0, "cannot create bucket \(name): \(made.stderr)")
    }

    var secretKey: String { settings["SPACES_SECRET_KEY"]! }

    /// A client of the library under test for this bucket.
    func client() throws -> S3Client {
        try S3Client(config: SpacesConfig.resolve(settings), retryPolicy: RetryPolicy(maxRetries: 1, baseDelay: 0.01))
    }

    func delete(_ key: String) throws {
        let run = try Shell.run("\(Harness.s3tool) --env \(Shell.quote(envFile)) delete \(name) \(Shell.quote(key))")
        try #require(run.status == 0, "deleting \(key) failed: \(run.stderr)")
    }

    /// The object's grants as moto records them: [grantee, permission] pairs.
    func grants(_ key: String) throws -> [[String]] {
        let run = try Shell.run("\(Harness.s3tool) --env \(Shell.quote(envFile)) acl \(name) \(Shell.quote(key))")
        try #require(run.status == 0, "reading the ACL of \(key) failed: \(run.stderr)")
        return try JSONDecoder().decode([[String]].self, from: Data(run.stdout.utf8))
    }

    /// Every object in the bucket as another client (boto3) reads it back.
    func objects(prefix: String = "") throws -> [String: StoredObject] {
        let listed = try Shell.run("\(Harness.s3tool) --env \(Shell.quote(envFile)) objects \(name) \(Shell.quote(prefix))")
        try #require(listed.status == 0, "listing \(name) failed: \(listed.stderr)")
        return try StoredObject.byKey(listing: listed.stdout)
    }

    /// Every object as `objects()` reads them back, as a list: a dictionary keyed by `String` would merge keys
    /// that differ only in Unicode normalization (`José` in NFC and in NFD), which S3 keeps apart.
    func objectList(prefix: String = "") throws -> [StoredObject] {
        let listed = try Shell.run("\(Harness.s3tool) --env \(Shell.quote(envFile)) objects \(name) \(Shell.quote(prefix))")
        try #require(listed.status == 0, "listing \(name) failed: \(listed.stderr)")
        return try listed.stdout.split(separator: "\n").map { try JSONDecoder().decode(StoredObject.self, from: Data($0.utf8)) }
    }
}

extension [StoredObject] {
    /// The object whose key has exactly these UTF-8 bytes.
    func exactly(_ key: String) -> StoredObject? { first { $0.key.utf8.elementsEqual(key.utf8) } }
}

struct StoredObject: Decodable {
    var key: String
    var size: Int64
    var etag: String
    var md5: String
    var content_type: String?
    var cache_control: String?
    var whole_jpeg: Bool

    /// `s3tool.py objects` output (one JSON line per object), by key.
    static func byKey(listing: String) throws -> [String: StoredObject] {
        var objects: [String: StoredObject] = [:]
        for line in listing.split(separator: "\n") {
            let object = try JSONDecoder().decode(StoredObject.self, from: Data(line.utf8))
            objects[object.key] = object
        }
        return objects
    }
}

/// Runs shell command lines with the built commands first on PATH.
enum Shell {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        var seconds: Double

        /// The lines of stdout, without the stages' stream markers (`StreamMarker`): the records, or a script's text.
        var lines: [String] { allLines.filter { StreamMarker.decode(Data($0.utf8)) == nil } }
        var allLines: [String] { stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init) }
        /// The stream markers among the lines of stdout.
        var markers: [StreamMarker] { allLines.compactMap { StreamMarker.decode(Data($0.utf8)) } }

        /// The numbers before `noun` (singular or plural) in the lines of stderr that contain `marker`:
        /// `counts(of: "request", in: "debug:")` is [1, 200] for "1 request over ..." and "200 requests ...".
        func counts(of noun: String, where marker: String = "") -> [Int] {
            let pattern = try! NSRegularExpression(pattern: "(\\d+) \(noun)s?\\b")
            return stderr.split(separator: "\n").map(String.init).filter { $0.contains(marker) }.flatMap { line in
                pattern.matches(in: line, range: NSRange(line.startIndex..., in: line)).compactMap { match in
                    Range(match.range(at: 1), in: line).flatMap { Int(line[$0]) }
                }
            }
        }
        func records() throws -> [ImageRecord] { try Shell.records(in: stdout) }
    }

    /// The records of a stage's output (a results file): its lines without the stream markers.
    static func records(in text: String) throws -> [ImageRecord] {
        try text.split(separator: "\n").filter { StreamMarker.decode(Data($0.utf8)) == nil }.map { try RecordCoding.decode(Data($0.utf8)) }
    }

    /// Runs `command` with bash, at most `limit` seconds: past that its whole process group is killed and the
    /// test gets an issue naming the command, so that a hang fails the test that met it, within minutes.
    static func run(_ command: String, stdin: String = "", environment extra: [String: String] = [:],
                    directory: String? = nil, limit: Double = 240,
                    sourceLocation: SourceLocation = #_sourceLocation) throws -> Result {
        let scratch = try TemporaryDirectory()
        let input = scratch.path + "/stdin", output = scratch.path + "/stdout", errors = scratch.path + "/stderr"
        try stdin.write(toFile: input, atomically: false, encoding: .utf8)
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        _ = FileManager.default.createFile(atPath: errors, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-o", "pipefail", "-c", command]
        process.environment = environment(extra)
        process.currentDirectoryURL = URL(fileURLWithPath: directory ?? scratch.path)
        process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: input))
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errors))
        let started = Date()
        Shell.unblockSignals()
        try process.run()
        process.waitUntilExit(within: limit, command, sourceLocation: sourceLocation)
        return Result(status: process.terminationStatus,
                      stdout: try String(contentsOfFile: output, encoding: .utf8),
                      stderr: try String(contentsOfFile: errors, encoding: .utf8),
                      seconds: Date().timeIntervalSince(started))
    }

    /// The environment a test's command runs in: this one's without SPACES_* settings (each test names its own)
    /// and without BASH_ENV or ENV (no rc file of the tester's runs in a script), with the build under test
    /// first on PATH; then `extra`. scripts/test gives the whole run a HOME of its own.
    static func environment(_ extra: [String: String] = [:]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment.filter {
            !$0.key.hasPrefix("SPACES_") && $0.key != "BASH_ENV" && $0.key != "ENV"
        }
        environment["PATH"] = Harness.binDirectory + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        environment["UPLOAD_IMAGES_BIN"] = Harness.binDirectory  // the build under test, whatever else is built
        environment.merge(extra) { $1 }
        return environment
    }

    /// Test threads may block signals, and children inherit the mask: a script started with SIGINT and
    /// SIGTERM blocked could never be interrupted, unlike one started from a terminal. Unblock them first.
    static func unblockSignals() {
        var none = sigset_t()
        sigemptyset(&none)
        pthread_sigmask(SIG_SETMASK, &none, nil)
    }

    static func quote(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}

/// The hex MD5 of a string, as S3 reports it in a single-part upload's ETag.
func md5Hex(_ text: String) -> String {
    Data(Insecure.MD5.hash(data: Data(text.utf8))).hexString
}
