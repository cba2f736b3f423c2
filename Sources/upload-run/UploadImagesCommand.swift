import ArgumentParser
import Common

/// The command line of `upload-images`, as its users type it: parsed and checked here (`RunOptions.problem`),
/// never in the script.
struct UploadImagesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "upload-images",
        abstract: """
            Upload every image under DIR to DigitalOcean Spaces (or any S3-compatible store) as its original and a \
            200x300 center-cropped JPEG thumbnail, skipping what is already there.
            """,
        discussion: """
            Writes upload_log_YYYYMMDD_HHMMSS.log, upload_results_YYYYMMDD_HHMMSS.jsonl (one JSON line per image: \
            status, keys, URLs), upload_review_YYYYMMDD_HHMMSS.html (every image's thumbnails, linked to its \
            original, and the failures with their reasons) and, when something failed, \
            upload_failures_YYYYMMDD_HHMMSS.jsonl, which --from-records takes back to retry only those. Exit status: \
            0 all done, 1 some images failed (also when the server stopped answering and the run ended early), 2 \
            fatal (no such folder, configuration, credentials, bucket), 64 usage, 130 interrupted.
            """,
        version: Toolkit.versionLine(of: "upload-images")
    )

    @Argument(help: "The folder of images.", completion: .directory)
    var folder: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Batches processed at once (default 1; 10-20 for thousands of images).", valueName: "n"))
    var workers = "1"

    @Option(parsing: .unconditional, help: ArgumentHelp("Images per batch; each batch reuses one connection (default 100).", valueName: "n"))
    var batchSize = "100"

    @Option(parsing: .unconditional, help: ArgumentHelp("Folder prefix in the bucket (default avatar: avatar/original/, avatar/thumbnail/).", valueName: "name"))
    var prefix = KeyMapper.defaultPrefix

    @Flag(help: "Upload everything again, even what is already in the bucket.")
    var noSkipExisting = false

    @Option(parsing: .unconditionalSingleValue, help: ArgumentHelp("Take only files GLOB matches (repeatable; the last rule that matches decides; see img-scan --help).", valueName: "glob"))
    var include: [String] = []

    @Option(parsing: .unconditionalSingleValue, help: ArgumentHelp("Leave out files GLOB matches (repeatable; see img-scan --help for the rules).", valueName: "glob"))
    var exclude: [String] = []

    @Flag(help: "Scan hidden files and folders too (AppleDouble ._* files and @eaDir never).")
    var includeHidden = false

    @Option(parsing: .unconditional, help: ArgumentHelp("The extensions to take (default jpg,jpeg,png,webp,gif,bmp,tiff,tif,heic,heif,avif,jxl).", valueName: "list"))
    var extensions: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("""
        The thumbnails of each image, WxH[.FORMAT][:QUALITY] separated by commas (default 200x300; e.g. \
        200x300,400x600,200x300.webp); see img-scan --help for their keys.
        """, valueName: "list"))
    var thumbnails: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("""
        Add presigned GET URLs, good for DURATION (1s to 7d: 15m, 12h, 7d), to the results and the review page: a \
        private bucket's images can be seen without credentials.
        """, valueName: "duration"))
    var presign: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("""
        stem (default: a.png's thumbnail is a.jpg) or full (a.png.jpg); with stem, images that differ only by \
        extension (a.jpg, a.png) fail instead of sharing a thumbnail.
        """, valueName: "names"), completion: .list(["stem", "full"]))
    var thumbnailNames: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("How a thumbnail is cut from the image: centre (default), attention or entropy.", valueName: "mode"), completion: .list(["centre", "attention", "entropy"]))
    var crop: String?

    @Flag(help: """
        Try again the images an earlier run in this folder found broken (its last results file), even when their \
        file has not changed since; without it they are listed as failed earlier and not tried.
        """)
    var retryFailed = false

    @Flag(help: """
        Instead of a folder, the originals already under PREFIX/original/: make the thumbnails of --thumbnails \
        that are not there yet (all of them with --no-skip-existing), downloading each original to a private \
        folder for the time it takes; no original is ever written.
        """)
    var fromBucket = false

    @Flag(help: "With --from-bucket: also delete the thumbnails whose original is gone (with --dry-run: list them).")
    var pruneOrphans = false

    @Option(parsing: .unconditional, help: ArgumentHelp("With --from-bucket: downloads on disk at once, all workers together (default 256M; K, M, G are 1024s).", valueName: "size"))
    var maxDisk: String?

    @Flag(help: "Scan and decide what would be skipped; print what would be uploaded (JSON lines on stdout); upload nothing.")
    var dryRun = false

    @Flag(help: """
        After the images of DIR, keep running: upload each image that arrives, once it is complete (written and \
        closed, or moved in), until INT or TERM; then the summary.
        """)
    var watch = false

    @Option(parsing: .unconditional, help: ArgumentHelp("Read settings from FILE instead of ./.env.", valueName: "file"), completion: .file())
    var envFile: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Upload these records (a failures file of an earlier run) instead of scanning DIR.", valueName: "file"), completion: .file())
    var fromRecords: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Retries of a failed request: timeouts, dropped connections, 5xx, SlowDown (default 3).", valueName: "n"))
    var retries: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Seconds to wait for a connection (default 10).", valueName: "seconds"))
    var connectTimeout: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Abandon a request that moves no data for this many seconds (default 30).", valueName: "seconds"))
    var stallTimeout: String?

    @Flag(help: """
        Also delete the originals under PREFIX/original/ whose file is gone from DIR, and their thumbnails (with \
        --dry-run: list them).
        """)
    var deleteRemoved = false

    @Option(parsing: .unconditional, help: ArgumentHelp("""
        Refuse the whole run when more than N objects (originals and thumbnails) would be deleted (without it: \
        more than 100, or more than half of those under the prefix; a scan that finds no image never prunes).
        """, valueName: "n"))
    var maxDelete: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("""
        Cap the upload at RATE bytes per second in all, every worker together: 500K, 10M, 1.5G or plain bytes (K, \
        M, G are 1024 multiples, as in curl's --limit-rate).
        """, valueName: "rate"))
    var limitRate: String?

    @Option(parsing: .unconditionalSingleValue, help: ArgumentHelp("""
        Store x-amz-meta-KEY: VALUE with every original and thumbnail (repeatable; KEY: letters, digits and '-', \
        stored lowercase; VALUE: printable US-ASCII).
        """, valueName: "key=value"))
    var meta: [String] = []

    @Option(parsing: .unconditional, help: ArgumentHelp("Content-Disposition for the originals (e.g. attachment).", valueName: "value"))
    var contentDisposition: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Originals larger than SIZE go up in parts, side by side (default 64M).", valueName: "size"))
    var multipartThreshold: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("The size of each part (default 16M; larger when a file would need 10,000 parts).", valueName: "size"))
    var partSize: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Parts of one file in flight at once, each over a connection of its own (default 10, 1-10).", valueName: "n"))
    var partConcurrency: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("""
        First abort the multipart uploads under PREFIX/ that killed runs left, started more than AGE ago (30s, \
        90m, 24h, 7d): their parts are billed until then.
        """, valueName: "age"))
    var abortIncomplete: String?

    @Option(parsing: .unconditionalSingleValue, help: ArgumentHelp("""
        Run the batches on the hosts FILE names, through GNU parallel over ssh: one login a line as parallel takes \
        them, N/HOST for N workers there (without N/, as many as --workers), ':' for this machine (repeatable).
        """, valueName: "file"), completion: .file())
    var hosts: [String] = []

    @Option(parsing: .unconditionalSingleValue, help: ArgumentHelp("The same hosts given as LOGIN,LOGIN (repeatable), as in 4/h1,2/h2,1/:.", valueName: "logins"))
    var sshlogin: [String] = []

    @Flag(help: "Per-request detail in the log file.")
    var debug = false

    /// The options, with the --include/--exclude rules in the order of `words` (the command line).
    func options(words: [String]) -> RunOptions {
        var options = RunOptions()
        options.folder = folder
        options.fromRecords = fromRecords
        options.fromBucket = fromBucket
        options.pruneOrphans = pruneOrphans
        options.maxDisk = maxDisk
        options.workers = workers
        options.batchSize = batchSize
        options.prefix = prefix
        options.skipExisting = !noSkipExisting
        options.dryRun = dryRun
        options.retryFailed = retryFailed
        options.debug = debug
        options.envFile = envFile
        options.rules = PathFilter.orderedRules(in: words, include: include, exclude: exclude)
        options.includeHidden = includeHidden
        options.extensions = extensions
        options.thumbnails = thumbnails
        options.thumbnailNames = thumbnailNames
        options.crop = crop
        options.retries = retries
        options.connectTimeout = connectTimeout
        options.stallTimeout = stallTimeout
        options.deleteRemoved = deleteRemoved
        options.watch = watch
        options.maxDelete = maxDelete
        options.limitRate = limitRate
        options.meta = meta
        options.contentDisposition = contentDisposition
        options.multipartThreshold = multipartThreshold
        options.partSize = partSize
        options.partConcurrency = partConcurrency
        options.abortIncomplete = abortIncomplete
        options.presign = presign
        options.hostFiles = hosts
        options.sshLogins = sshlogin
        return options
    }
}
