import ArgumentParser
import Common
import ToolkitCLI
import FoundationEssentials
import Glibc

@main
struct SpacesExists: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spaces-exists",
        abstract: "Mark the records whose images are already complete in the bucket as skipped.",
        discussion: """
            An image is complete when its original is in the bucket with the local file's size (with --checksum: \
            also its MD5, which is the ETag of a single PUT; an original uploaded in parts, whose ETag is not its \
            MD5, is compared by the x-amz-meta-md5 spaces-put stored with it, one HEAD each) and its thumbnail is \
            there too. Complete records get status "skipped"; every \
            other record passes on unchanged, one line out per line in, in order. Strategies: head (two HEAD requests \
            per image, and a LIST of the originals that could share its thumbnail name), list (ListObjectsV2 pages that start where the keys are, \
            about 1 request per 1,000 keys in img-scan's order), auto (list above \(ExistenceChecker.autoThreshold) pending images and for every \
            part after the first 5,000 lines, one LIST page else head otherwise). The input is read and written 5,000 lines at a time, \
            in the same memory for any number of images (with --removed, every record is kept until the end). With --removed, \
            the input must be a whole scan: the objects under PREFIX/original/ whose file is gone, and the thumbnails \
            no image owns any more, are written to that file as deletion records for spaces-put --delete. Exit \
            status: 0, 1 when an input record had failed or a line was not a record, 2 fatal (configuration, credentials, missing bucket, \
            and with --removed a listing that failed or input that cannot tell what was removed).

            \(Toolkit.pipelineStatusHelp)
            """,
        version: Toolkit.versionLine(of: "spaces-exists")
    )

    @Option(help: ArgumentHelp("Read configuration from this file instead of ./.env.", valueName: "path"))
    var envFile: String?

    @Option(help: ArgumentHelp("auto, head or list.", valueName: "strategy"))
    var strategy = ExistenceChecker.Strategy.auto

    @Flag(help: "Also compare the local file's MD5 with the object's ETag (or, for an object uploaded in parts, with its x-amz-meta-md5), to catch edits that kept the size.")
    var checksum = false

    @OptionGroup var request: RequestOptions

    @Option(name: .customLong("pending"), help: ArgumentHelp("""
        Write the records still to upload to this file instead of stdout, which then carries only finished \
        records (skipped, failed, or finished already), each set in input order.
        """, valueName: "path"))
    var pendingFile: String?

    @Option(name: .customLong("removed"), help: ArgumentHelp("""
        Also write to this file one deletion record per object whose image is gone from the scanned folder: \
        originals under PREFIX/original/ that no input record names, and thumbnails that no image owns. \
        Objects under a path that failed in the scan are kept.
        """, valueName: "path"))
    var removedFile: String?

    @Flag(help: "With --removed: the input is every original of the bucket (spaces-ls --originals): none is removed, only the thumbnails that no original owns.")
    var orphans = false

    @Option(help: ArgumentHelp("""
        With --removed: refuse the prune (every deletion record marked refused, exit 2) when it would delete \
        more than N objects. Without it the limit is \(PruneGuard.defaultLimit) objects and half of those in the \
        pruned folders; a scan that found no image never prunes.
        """, valueName: "N"))
    var maxDelete: Int?

    @Option(help: "With --removed: the prefix img-scan used (keys under PREFIX/original/ and PREFIX/thumbnail/).")
    var prefix = "avatar"

    @Option(help: ArgumentHelp("With --removed: img-scan's --include rules, so that what they leave out is kept (repeatable).", valueName: "glob"))
    var include: [String] = []

    @Option(help: ArgumentHelp("With --removed: img-scan's --exclude rules, so that what they leave out is kept (repeatable).", valueName: "glob"))
    var exclude: [String] = []

    @Option(help: ArgumentHelp("img-scan's --extensions: which originals in the bucket are images (shared thumbnails; --removed).", valueName: "list"))
    var extensions: String?

    @Flag(help: "With --removed: img-scan scanned hidden files and folders (--include-hidden).")
    var includeHidden = false

    @Option(help: ArgumentHelp("Add presigned GET URLs, good for DURATION (1s to 7d: 15m, 12h, 7d), to every skipped record: presigned_url, presigned_thumbnail_url, presigned_expires.", valueName: "duration"))
    var presign: String?

    @Flag(help: "Check nothing: every record that has no status stays to upload (upload-images --no-skip-existing); with --removed the folders are still listed for what is gone.")
    var noSkip = false

    @Flag(name: .customLong("stream"), help: "Decide and write the records as they come, not all of them at the end of the input: each part before a pause of 0.2 s, a small part at most 0.2 s after its first record; for a stream that does not end (img-scan --watch).")
    var streaming = false

    @Flag(help: "Write image records only, without the stream's begin and end lines, and exit by this command's own work alone (for a caller that checks every stage's status itself).")
    var recordsOnly = false

    @Flag(help: "Log every request on stderr. Never logs secrets.")
    var debug = false

    var requestSettings: RequestSettings {
        request.settings
    }

    func validate() throws {
        if orphans && removedFile == nil { throw ValidationError("--orphans goes with --removed") }
        if streaming && (pendingFile != nil || removedFile != nil) { throw ValidationError("--stream goes without --pending and --removed") }
        if let presign, Presign(parsing: presign) == nil { throw ValidationError(Presign.rule) }
        if let problem = KeyMapper.problem(withPrefix: prefix) { throw ValidationError(problem) }
        for pattern in include { if let problem = PathFilter.problem(with: pattern, option: "--include") { throw ValidationError(problem) } }
        for pattern in exclude { if let problem = PathFilter.problem(with: pattern, option: "--exclude") { throw ValidationError(problem) } }
        if let extensions, case .failure(let problem) = ScanRules.extensions(from: extensions) { throw ValidationError(problem.description) }
        if let maxDelete {
            guard removedFile != nil else { throw ValidationError("--max-delete applies only with --removed") }
            guard PruneGuard.maxDeleteRange.contains(maxDelete) else {
                throw ValidationError("--max-delete must be a whole number from 0 to \(PruneGuard.maxDeleteRange.upperBound)")
            }
        }
    }

    /// The scan's rules, as img-scan was given them: what they leave out is never taken for removed.
    var scanRules: ScanRules {
        let words = Array(CommandLine.arguments.dropFirst())
        var rules = ScanRules(includeHidden: includeHidden,
                              filter: PathFilter(PathFilter.orderedRules(in: words, include: include, exclude: exclude)))
        if let extensions, case .success(let names) = ScanRules.extensions(from: extensions) { rules.extensions = names }
        return rules
    }

    func run() throws {
        CommandRun.begin("spaces-exists", debug: debug)
        let stream = StageStream.start("spaces-exists", writesMarkers: !recordsOnly)
        let stage = try CommandRun.setUp { () throws -> ExistenceStage in
            let config = try CommandRun.loadConfig(envFile: envFile)
            let client = try S3Client(config: config, retryPolicy: requestSettings.retryPolicy, http: requestSettings.curlOptions)
            if debug { client.debugLog = { Console.debug($0) } }
            let checker = ExistenceChecker(client: client, strategy: strategy, checksum: checksum, warn: Console.warning)
            checker.sharedThumbnail = SharedThumbnail(rules: scanRules)
            checker.presign = presign.flatMap(Presign.init(parsing:))
            return ExistenceStage(checker: checker, report: Console.error)
        }
        if streaming {
            var failure: LineWriter.Failure?
            let output = try CommandRun.setUp {
                try stage.stream(reading: LineReader(output: STDOUT_FILENO), idle: 0.2, checking: !noSkip) { lines in
                    do throws(LineWriter.Failure) { try LineWriter.writeLines(lines) } catch {
                        failure = error
                        return false
                    }
                    return true
                }
            }
            if let failure { try CommandRun.output { () throws(LineWriter.Failure) in throw failure } }
            stream.tally = output.stream
            try CommandRun.finish(own: output.malformed > 0 ? Toolkit.Exit.someFailed : 0)
            return
        }
        // Each part's lines written as soon as it is decided: the records still to upload to --pending's file.
        let pendingFD = try pendingFile.map(openForWriting)
        defer { if let pendingFD { close(pendingFD) } }
        var failure: LineWriter.Failure?
        let output = try CommandRun.setUp {
            try stage.run(reading: LineReader(), separatePending: pendingFD != nil, keepingRecords: removedFile != nil,
                          checking: !noSkip) { lines, pending in
                do throws(LineWriter.Failure) {
                    try LineWriter.writeLines(lines)
                    if let pendingFD { try LineWriter.writeLines(pending, fd: pendingFD) }
                } catch {
                    failure = error
                    return false
                }
                return true
            }
        }
        if let failure { try CommandRun.output { () throws(LineWriter.Failure) in throw failure } }
        var refusal: String?
        if let removedFile {
            var finder = RemovalFinder(prefix: prefix, couldBeScanned: scanRules.admits)
            finder.originalsStay = orphans
            let removed = try CommandRun.setUp { [finder] in try stage.removals(finder, of: output) }
            report(removed)
            let guarded = removed.records(under: PruneGuard(maxDelete: maxDelete))
            refusal = guarded.refusal
            try write(guarded.records.map { $0.encoded() }, to: removedFile)
        }
        let checker = stage.checker
        Console.debug("\(checker.usedStrategy.rawValue): \(output.skipped) of \(Console.count(output.checked, "image")) already uploaded, \(Console.count(checker.client.requestCount + checker.extraRequests, "request"))")
        stream.tally = output.stream
        if let refusal {
            Console.error("refusing to prune: \(refusal)")
            stream.endFatal("refusing to prune: \(refusal)")
            throw ExitCode(Toolkit.Exit.fatal)
        }
        try CommandRun.finish(own: output.malformed > 0 ? Toolkit.Exit.someFailed : 0)
    }

    private func openForWriting(_ path: String) throws -> Int32 {
        try CommandRun.setUp { () throws -> Int32 in
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
            guard fd >= 0 else { throw FileError(path: path, errno: errno) }
            return fd
        }
    }

    private func write(_ lines: [Data], to path: String) throws {
        let fd = try openForWriting(path)
        defer { close(fd) }
        try CommandRun.output { () throws(LineWriter.Failure) in try LineWriter.writeLines(lines, fd: fd) }
    }

    private func report(_ removed: RemovalFinder.Result) {
        if removed.keptUnderFailures > 0 {
            Console.warning("\(Console.count(removed.keptUnderFailures, "object")) under paths that failed in this scan (a folder that could not be read) kept, not taken for removed")
        }
        if !removed.uncertain.isEmpty {
            Console.warning("\(Console.count(removed.uncertain.count, "key")) the server listed without url encoding (possibly altered) kept: \(removed.uncertain.prefix(3).joined(separator: ", "))")
        }
        let originals = removed.removals.filter { $0.kind == .original }.count
        Console.debug("removed: \(Console.count(originals, "original")) and \(Console.count(removed.removals.count - originals, "thumbnail")) whose image is gone; \(Console.count(removed.keptIgnored, "object")) the scan would not produce kept")
    }
}

extension ExistenceChecker.Strategy: ExpressibleByArgument {}
