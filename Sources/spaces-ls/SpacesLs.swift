import ArgumentParser
import Common
import ToolkitCLI
import FoundationEssentials

@main
struct SpacesLs: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spaces-ls",
        abstract: "List the objects under a prefix of the bucket as JSON lines: originals, thumbnails and the rest.",
        discussion: """
            Lists PREFIX/ (default avatar) with ListObjectsV2, 1,000 keys a request, as the listing comes, and \
            writes one line per object, in the bucket's key order: key, size, etag, mtime (seconds since 1970) and \
            kind. An original (an image name under PREFIX/original/, by img-scan's rules) is an image record that \
            spaces-get, img-thumb and spaces-put take: from_bucket, path (s3://BUCKET/KEY), rel, its \
            thumbnail_key and, with --thumbnails, the thumbnails it needs, named as img-scan names them. Under \
            stem names, originals that would share a thumbnail (a.jpg, a.png) are failed records naming each \
            other. A thumbnail (PREFIX/thumbnail/ or PREFIX/thumbnail-WxH/, with a .jpg, .webp or .avif name) has \
            spec (its box and format) and of (its image's path under original/, without the extension under \
            stem names). Anything else is kind other. --originals writes the originals only.

            Example: spaces-ls photos | spaces-get | img-thumb --thumbnails 400x600:webp | spaces-put --prefix photos

            Exit status: 0, 1 when some originals share a thumbnail name, 2 fatal (configuration, credentials, \
            missing bucket, a listing that failed).

            \(Toolkit.pipelineStatusHelp)
            """,
        version: Toolkit.versionLine(of: "spaces-ls")
    )

    @Argument(help: "The prefix: its originals are under PREFIX/original/, its thumbnails under PREFIX/thumbnail*/.")
    var prefix = KeyMapper.defaultPrefix

    @Flag(help: "Write the originals only (list PREFIX/original/).")
    var originals = false

    @Option(help: ArgumentHelp("The thumbnails each original needs, as img-scan's --thumbnails (200x300,400x600:webp).", valueName: "list"))
    var thumbnails = "200x300"

    @Option(help: ArgumentHelp("How thumbnails are named: stem (a.png: a.jpg) or full (a.png: a.png.jpg).", valueName: "names"))
    var thumbnailNames: KeyMapper.ThumbnailNames = .stem

    @Option(help: ArgumentHelp("The extensions of originals, separated by commas (any case), as img-scan's.", valueName: "list"))
    var extensions: String?

    @Flag(help: "Originals with hidden names (a dot first) are originals too, as with img-scan --include-hidden.")
    var includeHidden = false

    @Option(help: ArgumentHelp("Read configuration from this file instead of ./.env.", valueName: "path"))
    var envFile: String?

    @OptionGroup var request: RequestOptions

    @Option(help: ArgumentHelp("Keys per listing request, 1-1000.", valueName: "n", visibility: .hidden))
    var pageSize = 1000

    @Flag(help: "Write image records only, without the stream's begin and end lines, and exit by this command's own work alone (for a caller that checks every stage's status itself).")
    var recordsOnly = false

    @Flag(help: "Log every request on stderr. Never logs secrets.")
    var debug = false

    func validate() throws {
        if let problem = KeyMapper.problem(withPrefix: prefix) { throw ValidationError(problem) }
        if let folder = KeyMapper.insideFolders(prefix) {
            throw ValidationError("PREFIX is the prefix the images were uploaded under (avatar), not one of its folders (\(folder)/): spaces-ls --originals PREFIX lists the originals")
        }
        if case .failure(let problem) = ThumbnailSpec.parseList(thumbnails) { throw ValidationError("--thumbnails: \(problem)") }
        if let extensions, case .failure(let problem) = ScanRules.extensions(from: extensions) { throw ValidationError(problem.description) }
        guard (1...1000).contains(pageSize) else { throw ValidationError("--page-size must be 1-1000") }
    }

    func run() throws {
        CommandRun.begin("spaces-ls", debug: debug)
        let stream = StageStream.start("spaces-ls", producer: true, writesMarkers: !recordsOnly)
        var rules = ScanRules(includeHidden: includeHidden)
        if let extensions, case .success(let names) = ScanRules.extensions(from: extensions) { rules.extensions = names }
        let settings = request.settings
        let client = try CommandRun.setUp { () throws -> S3Client in
            let config = try CommandRun.loadConfig(envFile: envFile)
            let client = try S3Client(config: config, retryPolicy: settings.retryPolicy, http: settings.curlOptions)
            if debug { client.debugLog = { Console.debug($0) } }
            return client
        }
        var listing = BucketListing(bucket: client.config.bucket, prefix: prefix, rules: rules,
                                    thumbnails: (try? ThumbnailSpec.parseList(thumbnails).get()) ?? [.standard], names: thumbnailNames)
        listing.originalsOnly = originals
        var failure: LineWriter.Failure?
        func write(_ lines: [Data]) -> Bool {
            do throws(LineWriter.Failure) { try LineWriter.writeLines(lines) } catch {
                failure = error
                return false
            }
            return true
        }
        try CommandRun.setUp {
            try client.walkPages(prefix: listing.listedPrefix, pageSize: pageSize) { page in write(listing.lines(for: page.objects)) }
        }
        if failure == nil { _ = write(listing.finish()) }
        if let failure { try CommandRun.output { () throws(LineWriter.Failure) in throw failure } }
        let counts = listing.counts
        stream.tally.wrote(failed: false, count: (counts[.original] ?? 0) - listing.failedCount)
        stream.tally.wrote(failed: true, count: listing.failedCount)
        Console.debug("\(listing.listedPrefix): \(counts[.original] ?? 0) originals, \(counts[.thumbnail] ?? 0) thumbnails, \(counts[.other] ?? 0) other, \(Console.count(client.requestCount, "request"))")
        try CommandRun.finish(own: listing.failedCount > 0 ? Toolkit.Exit.someFailed : 0)
    }
}
