import ArgumentParser
import Common
import ToolkitCLI

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
            (one is tried every 30 s in case it is back). With --delete it reads deletion records (spaces-exists \
            --removed) instead, deletes their objects (DeleteObjects, 1,000 keys a request) and writes each record \
            again with status "deleted" or "failed". Originals above --multipart-threshold go up as a multipart \
            upload (their ETag is then not their MD5, which is stored as x-amz-meta-md5); a failed or interrupted one \
            is aborted. With --abort-incomplete AGE it aborts the multipart uploads under PREFIX/ that a killed run \
            left, started more than AGE ago, and writes one line per upload.

            \(Toolkit.pipelineStatusHelp)
            """,
        version: Toolkit.versionLine(of: "spaces-put")
    )

    @Option(help: ArgumentHelp("Read configuration from this file instead of ./.env.", valueName: "path"))
    var envFile: String?

    @OptionGroup var request: RequestOptions

    @Option(help: ArgumentHelp("Cache-Control header for uploaded objects (default: SPACES_CACHE_CONTROL).", valueName: "value"))
    var cacheControl: String?

    @Option(help: ArgumentHelp("""
        Cap the bytes per second of request bodies (originals and thumbnails, retries included): 500K, 10M, \
        1.5G or plain bytes; K, M and G are 1024 multiples, as in curl's --limit-rate. Every connection of \
        this process shares it (upload-images shares one cap among all its workers).
        """, valueName: "rate"))
    var limitRate: String?

    /// upload-images' workers share one cap through this file (see `RateLimiter`).
    @Option(help: ArgumentHelp("Share the --limit-rate cap with every process given this file.", valueName: "file", visibility: .hidden))
    var limitRateShare: String?

    @Option(name: .customLong("meta"), help: ArgumentHelp("""
        Store x-amz-meta-KEY: VALUE with every original and thumbnail (repeatable). KEY: ASCII letters, digits \
        and '-', stored lowercase ('_' is refused: Spaces would store it as '-'); VALUE: printable US-ASCII, no \
        leading or trailing space; at most 2 KB in all.
        """, valueName: "key=value"))
    var meta: [String] = []

    @Option(help: ArgumentHelp("Content-Disposition for the originals (not the thumbnails), e.g. attachment; printable US-ASCII.", valueName: "value"))
    var contentDisposition: String?

    @Option(help: ArgumentHelp("""
        Originals larger than this go up as a multipart upload, in parts sent side by side: 64M by default; \
        5M to 5G, K, M and G being 1024 multiples.
        """, valueName: "size"))
    var multipartThreshold: String?

    @Option(help: ArgumentHelp("""
        The size of each part: 16M by default, 5M to 5G; larger when a file would need more than 10,000 parts.
        """, valueName: "size"))
    var partSize: String?

    @Option(help: ArgumentHelp("Parts of one file in flight at once, each over a connection of its own: 1 to 10 (default 10, as aws-cli).", valueName: "n"))
    var partConcurrency: Int?

    @Option(help: ArgumentHelp("""
        Instead of uploading: abort the multipart uploads under PREFIX/ (see --prefix) started more than AGE ago \
        (30s, 90m, 24h, 7d) and never completed, whose parts would be billed until then; one line per upload.
        """, valueName: "age"))
    var abortIncomplete: String?

    @Flag(help: """
        Instead of uploading: say on stderr how many multipart uploads of originals under PREFIX/original/ were \
        started and never completed (a stopped run's), and how old the oldest is; nothing is aborted.
        """)
    var listIncomplete = false

    /// upload-images' progress line adds these files up over its workers (see `UploadProgress`).
    @Option(help: ArgumentHelp("Keep the bytes of originals stored so far in this file.", valueName: "file", visibility: .hidden))
    var progressFile: String?

    @Flag(help: "Only check the configuration, the credentials and the bucket (one HeadBucket request), then exit.")
    var check = false

    @Flag(help: "Keep thumbnail files after uploading them (by default each is deleted once its image is uploaded; a failed upload always keeps it, for a retry).")
    var keepThumbnails = false

    @Flag(help: "Delete the objects that the input's deletion records name (from spaces-exists --removed) instead of uploading; only keys the scan makes under PREFIX/original/ and the thumbnail folders.")
    var delete = false

    @Option(help: """
        The prefix img-scan used (default avatar): records are uploaded only under PREFIX/original/ and its \
        thumbnail folders (any other key fails its record); --delete and --abort-incomplete stay there too. \
        Without it, an image already in the bucket (spaces-ls) gets its thumbnails under its own prefix.
        """)
    var prefix: String?

    @Option(help: ArgumentHelp("With --delete: img-scan's --extensions, so that keys of those images may be deleted.", valueName: "list"))
    var extensions: String?

    @Flag(help: "With --delete: img-scan scanned hidden files and folders (--include-hidden), so their keys may be deleted.")
    var includeHidden = false

    /// The keys this run may write or delete.
    var scope: KeyScope {
        var rules = ScanRules(includeHidden: includeHidden)
        if let extensions, case .success(let names) = ScanRules.extensions(from: extensions) { rules.extensions = names }
        return KeyScope(prefix: prefix ?? KeyMapper.defaultPrefix, rules: rules)
    }

    @Option(help: ArgumentHelp("Add presigned GET URLs, good for DURATION (1s to 7d: 15m, 12h, 7d), to every uploaded or skipped record: presigned_url, presigned_thumbnail_url, presigned_expires.", valueName: "duration"))
    var presign: String?

    @Flag(help: "Check the values of the other options given, and exit: 0, or 64 with one line naming the option and its rule. Nothing is read or sent.")
    var optionsOnly = false

    @Flag(help: "Write image records only, without the stream's begin and end lines, and exit by this command's own work alone (for a caller that checks every stage's status itself).")
    var recordsOnly = false

    @Flag(help: "Log every request (method, key, status, time, attempt) on stderr. Never logs secrets.")
    var debug = false

    var requestSettings: RequestSettings {
        request.settings
    }

    var rateLimit: RateLimit? { limitRate.flatMap(RateLimit.init(parsing:)) }

    var metadata: ObjectMetadata {
        get throws(ObjectMetadata.Problem) { try ObjectMetadata(meta: meta, contentDisposition: contentDisposition) }
    }

    var multipart: MultipartSettings {
        get throws(MultipartSettings.Problem) {
            try MultipartSettings(threshold: multipartThreshold, partSize: partSize, concurrency: partConcurrency)
        }
    }

    func validate() throws {
        if (delete || abortIncomplete != nil || listIncomplete) && scope.mapper.prefix.isEmpty {
            throw ValidationError("\(delete ? "--delete" : abortIncomplete != nil ? "--abort-incomplete" : "--list-incomplete") refuses an empty --prefix: it would reach every key of the bucket")
        }
        if let extensions, case .failure(let problem) = ScanRules.extensions(from: extensions) { throw ValidationError(problem.description) }
        if let abortIncomplete, IncompleteUploads.parseAge(abortIncomplete) == nil { throw ValidationError(IncompleteUploads.ageRule) }
        if abortIncomplete != nil && (delete || check) { throw ValidationError("--abort-incomplete goes alone, without --delete or --check") }
        if listIncomplete && (delete || check || abortIncomplete != nil) {
            throw ValidationError("--list-incomplete goes alone, without --delete, --check or --abort-incomplete")
        }
        do { _ = try multipart } catch { throw ValidationError(error.description) }
        if let prefix, let problem = KeyMapper.problem(withPrefix: prefix) { throw ValidationError(problem) }
        if limitRate != nil && rateLimit == nil { throw ValidationError(RateLimit.rule) }
        if let presign, Presign(parsing: presign) == nil { throw ValidationError(Presign.rule) }
        if limitRateShare != nil && limitRate == nil { throw ValidationError("--limit-rate-share needs --limit-rate") }
        do { _ = try metadata } catch { throw ValidationError(error.description) }
    }

    /// The cap of this process alone or, with --limit-rate-share, of every process sharing the file.
    func makeRateLimiter() throws -> RateLimiter? {
        guard let rateLimit else { return nil }
        guard let limitRateShare else { return RateLimiter(limit: rateLimit) }
        return try RateLimiter(limit: rateLimit, sharedFile: limitRateShare)
    }

    func run() throws {
        if optionsOnly { return }  // validate() has checked them
        CommandRun.begin("spaces-put", debug: debug)
        if !check && !delete && abortIncomplete == nil && !listIncomplete { StageStream.start("spaces-put", writesMarkers: !recordsOnly) }
        let uploader = try CommandRun.setUp { () throws -> Uploader in
            let config = try CommandRun.loadConfig(envFile: envFile)
            Console.debug("config: \(config)")
            var http = requestSettings.curlOptions
            http.rateLimiter = try makeRateLimiter()
            let client = try S3Client(config: config, retryPolicy: requestSettings.retryPolicy, http: http)
            if debug { client.debugLog = { Console.debug($0) } }
            var options = Uploader.Options(acl: config.acl, cacheControl: cacheControl ?? config.cacheControl, scope: scope)
            options.bucketImagesKeepTheirPrefix = prefix == nil
            options.keepThumbnails = keepThumbnails
            options.presign = presign.flatMap(Presign.init(parsing:))
            options.metadata = try metadata
            options.multipart = try multipart
            options.progress = progressFile.map(UploadProgress.init(path:))
            if debug { options.partDebugLog = { Console.debug($0) } }
            return Uploader(client: client, options: options, report: Console.error)
        }
        if check {
            try CommandRun.setUp { try uploader.checkBucket() }
            Console.info("bucket \(uploader.client.config.bucket) at \(uploader.client.config.endpoint) is reachable with these credentials")
            return
        }
        // From here on, INT and TERM end the run between records: the record in hand gets its line.
        Interruption.catchSignals()
        if delete { return try deleteObjects(client: uploader.client) }
        if let abortIncomplete { return try abortUploads(olderThan: abortIncomplete, client: uploader.client) }
        if listIncomplete { return try reportIncomplete(client: uploader.client) }
        let reader = LineReader()
        while !Interruption.requested, let line = reader.next() {
            let processed = try CommandRun.setUp { try uploader.process(line: line, lineNumber: reader.lineNumber) }
            StageStream.current?.tally = uploader.stream  // counted as it goes: a fatal error's end line says how far it got
            guard let output = processed else { continue }
            try CommandRun.output { () throws(LineWriter.Failure) in try LineWriter.writeLine(output) }
        }
        if Interruption.requested {
            Console.error("interrupted: the records not read yet were not uploaded")
            throw ExitCode(Interruption.exitStatus)
        }
        let client = uploader.client
        Console.debug("\(Console.count(client.requestCount + uploader.partRequests, "request")) over \(Console.count(client.connectionCount + uploader.partConnections, "connection")), \(Printf.string("%.1f", client.pacedSeconds)) s paced for throttling, peak memory \(Console.peakMemoryMegabytes) MB")
        if let limiter = client.httpOptions.rateLimiter {
            Console.debug("\(Printf.string("%.1f", limiter.secondsWaited)) s waited to keep to --limit-rate \(limiter.limit)")
        }
        StageStream.current?.tally = uploader.stream
        try CommandRun.finish(own: uploader.serverUnavailable ? Toolkit.Exit.serverUnavailable : uploader.failedCount > 0 ? Toolkit.Exit.someFailed : 0)
    }

    /// `--abort-incomplete`: one line per upload aborted (or not) on stdout; exit 1 when one could not be.
    private func abortUploads(olderThan age: String, client: S3Client) throws {
        let mapped = scope.mapper.prefix
        let folder = mapped.isEmpty ? "" : mapped + "/"
        let cleaner = IncompleteUploads(client: client, report: Console.error)
        let scope = scope
        let records = try CommandRun.setUp {
            try cleaner.abort(prefix: scope.originals, olderThan: IncompleteUploads.parseAge(age) ?? 0) { scope.mayDelete($0) }
        }
        try CommandRun.output { () throws(LineWriter.Failure) in try LineWriter.writeLines(records.map { $0.encoded() }) }
        let failed = records.filter { $0.status == AbortRecord.Status.failed }.count
        Console.debug("\(Console.count(records.count - failed, "incomplete upload")) older than \(age) under \(folder) aborted, \(failed) not")
        if failed > 0 { throw ExitCode(Toolkit.Exit.someFailed) }
    }

    /// `--list-incomplete`: one warning line when a stopped run left incomplete uploads of originals.
    private func reportIncomplete(client: S3Client) throws {
        let scope = scope
        let cleaner = IncompleteUploads(client: client, report: Console.error)
        let left = try CommandRun.setUp { try cleaner.left(prefix: scope.originals) { scope.mayDelete($0) } }
        guard left.count > 0 else {
            Console.debug("no incomplete multipart upload under \(scope.originals)")
            return
        }
        let oldest = left.oldestAge.map { ", the oldest started \(IncompleteUploads.describe(age: $0)) ago" } ?? ""
        Console.warning("\(Console.count(left.count, "incomplete multipart upload")) under \(scope.originals) that a stopped run left\(oldest): their parts are stored (and billed) until --abort-incomplete AGE removes them")
    }

    /// `--delete`: a request per 1,000 records, each written back with its status; between requests INT and TERM
    /// end the run.
    private func deleteObjects(client: S3Client) throws {
        let deleter = Deleter(client: client, scope: scope, report: Console.error)
        let reader = LineReader()
        while !Interruption.requested, let lines = try CommandRun.setUp({ try deleter.next(from: reader) }) {
            try CommandRun.output { () throws(LineWriter.Failure) in try LineWriter.writeLines(lines) }
        }
        if Interruption.requested {
            Console.error("interrupted: the records not read yet were not deleted")
            throw ExitCode(Interruption.exitStatus)
        }
        Console.debug("\(Console.count(deleter.deletedCount, "object")) deleted, \(deleter.failedCount) failed, \(Console.count(client.requestCount, "request"))")
        if deleter.failedCount > 0 { throw ExitCode(Toolkit.Exit.someFailed) }
    }
}
