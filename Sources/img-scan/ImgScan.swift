import ArgumentParser
import Common
import Glibc
import FoundationEssentials
import ToolkitCLI

@main
struct ImgScan: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "img-scan",
        abstract: "List the images under a folder as JSON lines, with their keys in the bucket.",
        discussion: """
            Finds .jpg .jpeg .png .webp .gif .bmp .tiff .tif .heic .heif .avif .jxl files (any case; \
            --extensions sets the list) recursively, in sorted order, and prints one record per image: path, rel, \
            size, mtime, key (PREFIX/original/REL) and thumbnail_key (PREFIX/thumbnail/REL with .jpg).

            --thumbnails declares every thumbnail each image needs, as WxH[.FORMAT][:QUALITY] items separated by \
            commas (FORMAT jpg, webp or avif; QUALITY 1-100, default 85 for JPEG, 75 WebP, 50 AVIF). The first \
            gives thumbnail_key (and thumbnail_spec), the rest extra_thumbnails, each with its key and spec, so \
            that img-thumb, spaces-exists and spaces-put need no option. Keys: PREFIX/thumbnail/REL.EXT for \
            200x300, PREFIX/thumbnail-WxH/REL.EXT for other boxes. The default, 200x300, is one JPEG.

            --thumbnail-names: stem (the default, as the Python tool) names a thumbnail after the image's path             without its extension (a/b.png: a/b.jpg); full after the whole path (a/b.png.jpg). With stem, images             in one folder that differ only by extension (a.jpg, a.png, a.JPG) would share a thumbnail: each of             them is a failed record instead, naming the others. Use one naming for a prefix.

            Left out, counted on stderr (and each named with --debug): macOS AppleDouble files (._*), hidden \
            files and folders (names starting with a dot; --include-hidden takes them back), NAS thumbnail \
            folders (@eaDir, @__thumb), and what --include/--exclude leave out.

            --include and --exclude: the last rule that matches a file decides; a file no rule matches is \
            taken unless the first rule is an --include. A pattern without a slash is matched against every \
            name in the path (folders and the file); one with a slash against the path from DIR down, and \
            against every folder above the file. * ? [...] as in the shell, case-sensitive, never matching a \
            slash. Example: --exclude raw --include 'raw/best' takes raw/best/ and leaves the rest of raw/ out.

            --shard I/N takes part I of N: the images whose path relative to DIR hashes (64-bit FNV-1a of its \
            UTF-8 bytes, modulo N) to I - 1. Every file falls in one part, the same on every machine and in every \
            run, so N hosts sharing the folder each run `img-scan --shard I/N DIR | spaces-exists | img-thumb | \
            spaces-put` and take every image once. Never give a part to spaces-exists --removed: the rest of the \
            folder would look deleted.

            Exit status: 0 all found, 1 some items were skipped, 2 no such folder.

            \(Toolkit.pipelineStatusHelp)
            """,
        version: Toolkit.versionLine(of: "img-scan")
    )

    @Argument(help: "The folder to scan.")
    var directory: String

    @Option(help: "Folder prefix in the bucket.")
    var prefix = "avatar"

    @Option(help: ArgumentHelp("Take only files this pattern matches (repeatable; see the rules below).", valueName: "glob"))
    var include: [String] = []

    @Option(help: ArgumentHelp("Leave out files this pattern matches (repeatable; see the rules below).", valueName: "glob"))
    var exclude: [String] = []

    @Option(help: ArgumentHelp("The thumbnails each image needs (see below).", valueName: "list"))
    var thumbnails = "200x300"

    @Option(help: ArgumentHelp("How thumbnails are named: stem (a.png: a.jpg) or full (a.png: a.png.jpg).", valueName: "names"))
    var thumbnailNames: KeyMapper.ThumbnailNames = .stem

    @Option(help: ArgumentHelp("The extensions to take, separated by commas (any case).", valueName: "list"))
    var extensions: String?

    @Option(help: ArgumentHelp("Take only part I of N of the folder (see below).", valueName: "I/N"))
    var shard: String?

    @Flag(help: "After the scan, keep running: a record for each image that arrives, once it is complete (written and closed, or moved in), until INT or TERM; USR1 scans the whole folder again.")
    var watch = false

    @Option(help: ArgumentHelp("With --watch: keep the number of records written so far in this file.", valueName: "file", visibility: .hidden))
    var countFile: String?

    @Flag(help: "Scan hidden files and folders (names starting with a dot) too.")
    var includeHidden = false

    @Flag(help: "Write image records only, without the stream's begin and end lines, and exit by this command's own work alone (for a caller that checks every stage's status itself).")
    var recordsOnly = false

    @Flag(help: "Print details of the scan on stderr.")
    var debug = false

    func validate() throws {
        if let problem = KeyMapper.problem(withPrefix: prefix) { throw ValidationError(problem) }
        for pattern in include { if let problem = PathFilter.problem(with: pattern, option: "--include") { throw ValidationError(problem) } }
        for pattern in exclude { if let problem = PathFilter.problem(with: pattern, option: "--exclude") { throw ValidationError(problem) } }
        if case .failure(let problem) = ThumbnailSpec.parseList(thumbnails) { throw ValidationError("--thumbnails: \(problem)") }
        if let extensions, case .failure(let problem) = ScanRules.extensions(from: extensions) { throw ValidationError(problem.description) }
        if let shard, let problem = Shard.problem(with: shard) { throw ValidationError(problem) }
    }

    /// The rules in the order they were given: argument-parser keeps each option's values in order, but not
    /// how the two options were interleaved, which decides the outcome; that order comes from the words.
    var filter: PathFilter {
        PathFilter(PathFilter.orderedRules(in: Array(CommandLine.arguments.dropFirst()), include: include, exclude: exclude))
    }

    func run() throws {
        CommandRun.begin("img-scan", debug: debug)
        let stream = StageStream.start("img-scan", producer: true, writesMarkers: !recordsOnly)
        var rules = ScanRules(includeHidden: includeHidden, filter: filter)
        if let extensions, case .success(let names) = ScanRules.extensions(from: extensions) { rules.extensions = names }
        let specs = (try? ThumbnailSpec.parseList(thumbnails).get()) ?? [.standard]
        let scanner = ImageScanner(root: directory, prefix: prefix, rules: rules, thumbnails: specs,
                                   shard: shard.flatMap(Shard.init(parsing:)), names: thumbnailNames)
        var watcher: WatchScan?
        if watch {
            Interruption.catchSignals()
            WatchScan.catchRescanSignal()
            watcher = try CommandRun.setUp { try WatchScan(scanner: scanner) }
        }
        var failed = false, written = 0
        let count = { (number: Int) in if let countFile { try? WorkFile.replace(countFile, with: Data("\(number)\n".utf8)) } }
        let warnings: [String], ignored: [(rel: String, reason: ScanRules.Reason)]
        if let watcher {
            let result = try CommandRun.setUp { try watcher.firstScan() }
            (warnings, ignored) = (result.warnings, result.ignored)
            try Self.write(result.records, stream)
            failed = result.records.contains { $0.status == .failed }
            written = result.records.count
        } else {
            // Written as the walk finds them, a few hundred at a time (or after 0.1 s): spaces-exists starts
            // deciding while the scan goes on, and a library of a million images is never held here.
            var batch: [ImageRecord] = [], flushed = MonotonicClock.seconds()
            var stop: ExitCode?
            let flush = { () -> Bool in
                do throws(ExitCode) { try Self.write(batch, stream) } catch {
                    stop = error
                    return false
                }
                written += batch.count
                batch.removeAll(keepingCapacity: true)
                flushed = MonotonicClock.seconds()
                return true
            }
            (warnings, ignored) = try CommandRun.setUp {
                try scanner.scan { record in
                    if record.status == .failed { failed = true }
                    batch.append(record)
                    return batch.count < 500 && MonotonicClock.seconds() - flushed < 0.1 ? true : flush()
                }
            }
            if stop == nil { _ = flush() }
            if let stop { throw stop }
        }
        warnings.forEach(Console.warning)
        failed = failed || !warnings.isEmpty
        count(written)
        for entry in ignored { Console.debug("ignored: \(entry.rel) (\(entry.reason.label))") }
        if let summary = ScanRules.summary(of: ignored) { Console.info(summary) }
        Console.debug("\(written) images found under \(directory)")
        if let watcher {
            Console.info("watching \(directory) (\(Console.count(watcher.watchedCount, "folder"))) for new images; INT or TERM stops, USR1 scans it again")
            // Until INT or TERM, or until the stage reading the records is gone (it died: nothing would go on).
            while !Interruption.requested && !LineReader.readerGone(STDOUT_FILENO) {
                let turn = watcher.turn(timeout: 1)
                turn.warnings.forEach(Console.warning)
                if turn.rescanned { Console.info("scanning \(directory) again (events were lost, or USR1 asked for it): images already uploaded are skipped further on") }
                if turn.records.contains(where: { $0.status == .failed }) { failed = true }
                try Self.write(turn.records, stream)
                if !turn.records.isEmpty {
                    written += turn.records.count
                    count(written)
                }
            }
        }
        try CommandRun.finish(own: failed ? Toolkit.Exit.someFailed : 0)
    }

    /// Records out, each failed one said on stderr, each counted for the stream's end line.
    static func write(_ records: [ImageRecord], _ stream: StageStream) throws(ExitCode) {
        for record in records where record.status == .failed {
            Console.error("\(record.path): \(record.error ?? "failed")")
        }
        try CommandRun.output { () throws(LineWriter.Failure) in try LineWriter.writeLines(records.lazy.map(RecordCoding.encode)) }
        for record in records { stream.tally.wrote(failed: record.status == .failed) }
    }
}

