import ArgumentParser
import Common
import ToolkitCLI
import FoundationEssentials
import Glibc

@main
struct SpacesGet: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spaces-get",
        abstract: "Download the originals that spaces-ls lists, for img-thumb to make their thumbnails.",
        discussion: """
            Reads records on stdin; each original in the bucket (from_bucket, as spaces-ls --originals writes \
            them) is downloaded into a private folder and written on with download: the file, which img-thumb \
            reads instead of path and deletes once it made the thumbnails. Every other record passes on \
            unchanged; spaces-ls's thumbnails and other objects are left out. The bytes are checked: the MD5 \
            against the ETag of an object put in one PUT, or against the x-amz-meta-md5 spaces-put stores with \
            an object put in parts, and the length; an attempt cut midway resumes from where it stopped \
            (Range, If-Match). At most --max-disk bytes of downloads are in the folder at once, every spaces-get \
            using it together: the next download waits until img-thumb has used enough of them (one bigger object \
            goes alone; after 30 s in which none is used, that one goes over the cap, with a warning). After several \
            downloads in a row found the server unavailable, the rest fail without a request.

            Exit status: 0 all downloaded, 1 some failed, 2 fatal (configuration, credentials, missing bucket, \
            the folder), 3 the server stopped answering, 130 interrupted (INT or TERM).

            \(Toolkit.pipelineStatusHelp)
            """,
        version: Toolkit.versionLine(of: "spaces-get")
    )

    @Option(help: ArgumentHelp("""
        Folder for the downloads (created with mode 0700; an existing one must be yours and closed to others). Default: spaces-get-UID in $TMPDIR or /tmp, \
        private to you; files left there for over 7 days are removed. Several spaces-get sharing it share --max-disk.
        """, valueName: "dir"))
    var out: String?

    @Option(help: ArgumentHelp("Bytes of downloads on disk at once, with K, M or G (1024s).", valueName: "size"))
    var maxDisk = DiskBudget.defaultCap

    @Option(help: ArgumentHelp("Read configuration from this file instead of ./.env.", valueName: "path"))
    var envFile: String?

    @OptionGroup var request: RequestOptions

    @OptionGroup var batch: BatchOptions

    @Flag(help: "Write image records only, without the stream's begin and end lines, and exit by this command's own work alone (for a caller that checks every stage's status itself).")
    var recordsOnly = false

    @Flag(help: "Log every request on stderr. Never logs secrets.")
    var debug = false

    func validate() throws {
        if let problem = DiskBudget.capProblem(maxDisk) { throw ValidationError(problem) }
    }

    func run() throws {
        CommandRun.begin("spaces-get", debug: debug)
        Interruption.catchSignals()
        let stream = StageStream.start("spaces-get", producer: batch.batches != nil, writesMarkers: !recordsOnly)
        let settings = request.settings
        let downloader = try CommandRun.setUp { () throws -> Downloader in
            let config = try CommandRun.loadConfig(envFile: envFile)
            let client = try S3Client(config: config, retryPolicy: settings.retryPolicy, http: settings.curlOptions)
            if debug { client.debugLog = { Console.debug($0) } }
            let directory = out ?? PrivateFolder.defaultPath(named: "spaces-get")
            // img-thumb deletes the downloads it used only from a folder private to the user.
            if out == nil { try PrivateFolder.preparePrivate(directory) } else { try PrivateFolder.ensurePrivate(directory) }
            let tag = batch.claimInto.map { String($0.split(separator: "/").last ?? "") }.flatMap { $0.isEmpty ? nil : $0 } ?? "get"
            return Downloader(client: client, budget: DiskBudget(folder: directory, maxBytes: DiskBudget.cap(parsing: maxDisk) ?? 1 << 30),
                              tag: tag, report: Console.error)
        }
        downloader.warn = Console.warning
        downloader.stream = StreamTally(producer: batch.batches != nil)
        downloader.keepWaiting = { !Interruption.requested && !LineReader.readerGone(STDOUT_FILENO) }
        let queue = batch.queue
        let reader = LineReader(output: STDOUT_FILENO)
        while !Interruption.requested, let line = queue.map({ $0.next() }) ?? reader.next() {
            let number = queue?.lineNumber ?? reader.lineNumber
            let processed = try CommandRun.setUp { try downloader.process(line: line, lineNumber: number) }
            stream.tally = downloader.stream
            guard let output = processed else { continue }
            try CommandRun.output { () throws(LineWriter.Failure) in try LineWriter.writeLine(output) }
        }
        stream.tally = downloader.stream
        if Interruption.requested {
            Console.error("interrupted: the records not read yet were not downloaded")
            throw ExitCode(Interruption.exitStatus)
        }
        Console.debug("\(ByteSize.describe(downloader.downloadedBytes)) downloaded into \(downloader.budget.folder); \(downloader.passedOver) listing lines that are no original left out")
        try CommandRun.finish(own: downloader.serverUnavailable ? Toolkit.Exit.serverUnavailable : downloader.failedCount > 0 ? Toolkit.Exit.someFailed : 0)
    }
}
