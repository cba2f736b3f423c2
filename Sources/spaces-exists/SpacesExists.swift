import ArgumentParser
import Common
import FoundationEssentials
import Glibc

@main
struct SpacesExists: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spaces-exists",
        abstract: "Mark the records whose images are already complete in the bucket as skipped.",
        discussion: """
            An image is complete when its original is in the bucket with the local file's size (with --checksum: \
            also its MD5 as ETag) and its thumbnail is there too. Complete records get status "skipped"; every \
            other record passes on unchanged, one line out per line in, in order. Strategies: head (two HEAD \
            requests per image), list (ListObjectsV2 over the keys' common folder, 1 request per 1,000 objects), \
            auto (list above \(ExistenceChecker.autoThreshold) pending images, head otherwise). Exit status: 0, \
            1 when input lines were not records, 2 fatal (configuration, credentials, missing bucket).
            """,
        version: Toolkit.version
    )

    @Option(help: ArgumentHelp("Read configuration from this file instead of ./.env.", valueName: "path"))
    var envFile: String?

    @Option(help: ArgumentHelp("auto, head or list.", valueName: "strategy"))
    var strategy = ExistenceChecker.Strategy.auto

    @Flag(help: "Also compare the local file's MD5 with the object's ETag, to catch edits that kept the size.")
    var checksum = false

    @Option(help: "Retries after a failed request (connection errors, timeouts, 5xx, 429, SlowDown).")
    var retries = 3

    @Option(help: ArgumentHelp("Seconds to wait for a connection.", valueName: "seconds"))
    var connectTimeout = 10.0

    @Option(help: ArgumentHelp("Abandon a request that moves no data for this many seconds.", valueName: "seconds"))
    var stallTimeout = 30

    @Option(name: .customLong("pending"), help: ArgumentHelp("""
        Write the records still to upload to this file instead of stdout, which then carries only finished \
        records (skipped, failed, or finished already), each set in input order.
        """, valueName: "path"))
    var pendingFile: String?

    @Flag(help: "Log every request on stderr. Never logs secrets.")
    var debug = false

    var requestSettings: RequestSettings {
        RequestSettings(retries: retries, connectTimeout: connectTimeout, stallTimeout: stallTimeout)
    }

    func validate() throws {
        if let problem = requestSettings.problem { throw ValidationError(problem) }
    }

    func run() throws {
        CommandRun.begin("spaces-exists", debug: debug)
        let stage = try CommandRun.setUp { () throws -> ExistenceStage in
            let config = try CommandRun.loadConfig(envFile: envFile)
            let client = try S3Client(config: config, retryPolicy: requestSettings.retryPolicy, http: requestSettings.curlOptions)
            if debug { client.debugLog = { Console.debug($0) } }
            let checker = ExistenceChecker(client: client, strategy: strategy, checksum: checksum, warn: Console.warning)
            return ExistenceStage(checker: checker, report: Console.error)
        }
        let output = try CommandRun.setUp { try stage.run(reading: LineReader(), separatePending: pendingFile != nil) }
        if let pendingFile {
            let fd = try CommandRun.setUp { () throws -> Int32 in
                let fd = open(pendingFile, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
                guard fd >= 0 else { throw FileError(path: pendingFile, errno: errno) }
                return fd
            }
            defer { close(fd) }
            try CommandRun.output { () throws(LineWriter.Failure) in try LineWriter.writeLines(output.pending, fd: fd) }
        }
        try CommandRun.output { () throws(LineWriter.Failure) in try LineWriter.writeLines(output.lines) }
        let checker = stage.checker
        Console.debug("\(checker.usedStrategy.rawValue): \(output.skipped) of \(Console.count(output.checked, "image")) already uploaded, \(Console.count(checker.client.requestCount + checker.extraRequests, "request"))")
        if output.malformed > 0 { throw ExitCode(Toolkit.Exit.someFailed) }
    }
}
