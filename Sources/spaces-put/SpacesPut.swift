import ArgumentParser
import Common

@main
struct SpacesPut: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spaces-put",
        abstract: "Upload each record's thumbnail and original to the Spaces bucket.",
        discussion: """
            Reads JSON records (from img-scan or img-thumb) on stdin and writes one record per input line on \
            stdout with status "uploaded" or "failed", ETags and public URLs. Records that already have a status \
            pass through unchanged. Configuration comes from .env and SPACES_* variables. Exit status: 0 all \
            uploaded, 1 some failed, 2 fatal (configuration, credentials, missing bucket), 3 the server stopped \
            answering: after 3 uploads in a row failed that way, the remaining records failed without a request \
            (one is tried every 30 s in case it is back).
            """,
        version: Toolkit.version
    )

    @Option(help: ArgumentHelp("Read configuration from this file instead of ./.env.", valueName: "path"))
    var envFile: String?

    @Option(help: "Retries after a failed request (connection errors, timeouts, 5xx, 429, SlowDown).")
    var retries = 3

    @Option(help: ArgumentHelp("Seconds to wait for a connection.", valueName: "seconds"))
    var connectTimeout = 10.0

    @Option(help: ArgumentHelp("Abandon a request that moves no data for this many seconds.", valueName: "seconds"))
    var stallTimeout = 30

    @Option(help: ArgumentHelp("Cache-Control header for uploaded objects (default: SPACES_CACHE_CONTROL).", valueName: "value"))
    var cacheControl: String?

    @Flag(help: "Only check the configuration, the credentials and the bucket (one HeadBucket request), then exit.")
    var check = false

    @Flag(help: "Keep thumbnail files after uploading them (by default each is deleted once its image is uploaded; a failed upload always keeps it, for a retry).")
    var keepThumbnails = false

    @Flag(help: "Log every request (method, key, status, time, attempt) on stderr. Never logs secrets.")
    var debug = false

    var requestSettings: RequestSettings {
        RequestSettings(retries: retries, connectTimeout: connectTimeout, stallTimeout: stallTimeout)
    }

    func validate() throws {
        if let problem = requestSettings.problem { throw ValidationError(problem) }
    }

    func run() throws {
        CommandRun.begin("spaces-put", debug: debug)
        let uploader = try CommandRun.setUp { () throws -> Uploader in
            let config = try CommandRun.loadConfig(envFile: envFile)
            Console.debug("config: \(config)")
            let client = try S3Client(config: config, retryPolicy: requestSettings.retryPolicy, http: requestSettings.curlOptions)
            if debug { client.debugLog = { Console.debug($0) } }
            var options = Uploader.Options(acl: config.acl, cacheControl: cacheControl ?? config.cacheControl)
            options.keepThumbnails = keepThumbnails
            return Uploader(client: client, options: options, report: Console.error)
        }
        if check {
            try CommandRun.setUp { try uploader.checkBucket() }
            Console.info("bucket \(uploader.client.config.bucket) at \(uploader.client.config.endpoint) is reachable with these credentials")
            return
        }
        // From here on, INT and TERM end the run between records: the record in hand gets its line.
        Interruption.catchSignals()
        let reader = LineReader()
        while !Interruption.requested, let line = reader.next() {
            guard let output = try CommandRun.setUp({ try uploader.process(line: line, lineNumber: reader.lineNumber) }) else { continue }
            try CommandRun.output { () throws(LineWriter.Failure) in try LineWriter.writeLine(output) }
        }
        if Interruption.requested {
            Console.error("interrupted: the records not read yet were not uploaded")
            throw ExitCode(Interruption.exitStatus)
        }
        let client = uploader.client
        Console.debug("\(Console.count(client.requestCount, "request")) over \(Console.count(client.connectionCount, "connection")), \(Printf.string("%.1f", client.pacedSeconds)) s paced for throttling")
        if uploader.serverUnavailable { throw ExitCode(Toolkit.Exit.serverUnavailable) }
        if uploader.failedCount > 0 { throw ExitCode(Toolkit.Exit.someFailed) }
    }
}
