import ArgumentParser
import Common
import Glibc
import ToolkitCLI
import Imaging

@main
struct ImgThumb: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "img-thumb",
        abstract: "Make a 200x300 center-cropped JPEG thumbnail for each record, with libvips.",
        discussion: """
            Reads JSON records (from img-scan) on stdin; writes each record with thumbnail_path and thumbnail_size \
            added, or with status "failed" and the reason when the file is not a JPEG, PNG, WebP, GIF, BMP, TIFF, \
            HEIC/HEIF, AVIF or JPEG XL, is damaged, or is over the pixel limit. Thumbnails fill the box (scaled up or \
            down, then cropped: --crop), are upright (EXIF orientation applied), sRGB, flattened onto white, from the \
            first frame or page, and carry no metadata. Exit status: 0 all made, 1 some failed, 2 fatal.

            \(Toolkit.pipelineStatusHelp)
            """,
        version: Toolkit.versionLine(of: "img-thumb")
    )

    @Option(help: ArgumentHelp("""
        Folder for the thumbnail files (created with mode 0700). Default: img-thumb-UID in $TMPDIR or /tmp, \
        private to you; spaces-put removes each thumbnail once uploaded, keeps those of failed uploads for a \
        retry, and img-thumb removes any left there for over 7 days.
        """, valueName: "dir"))
    var out: String?

    @Option(help: ArgumentHelp("Thumbnail size, each side 1-4096.", valueName: "WxH"))
    var size = ThumbnailSize(width: 200, height: 300)

    @Option(help: "JPEG quality, 1-100.")
    var quality = 85

    @Option(help: ArgumentHelp("""
        Which part fills the box when the image's shape differs from it: centre, attention (where libvips \
        sees the subject: edges, skin, saturated colour) or entropy (the most detailed part).
        """, valueName: "mode"))
    var crop = Thumbnailer.Crop.centre

    @Option(help: ArgumentHelp("""
        How damaged an image may be and still get a thumbnail: none, truncated, error, or warning (the \
        strictest; it still accepts JPEG blemishes that leave every pixel intact).
        """, valueName: "level"))
    var failOn = Thumbnailer.FailLevel.warning

    @Option(help: ArgumentHelp("Refuse images with more pixels than this, before decoding them.", valueName: "pixels"))
    var maxPixels: Int64 = 300_000_000

    @Option(help: ArgumentHelp("""
        The thumbnails to make of every record, instead of those it names: WxH[.FORMAT][:QUALITY] items \
        separated by commas, as img-scan's --thumbnails (400x600:webp is 400x600.webp), keyed from the \
        record's key (PREFIX/original/REL).
        """, valueName: "list"))
    var thumbnails: String?

    @Option(help: ArgumentHelp("With --thumbnails: how they are named, stem (a.png: a.jpg) or full (a.png: a.png.jpg).", valueName: "names"))
    var thumbnailNames: KeyMapper.ThumbnailNames = .stem

    @Option(help: "libvips worker threads per process (1 suits several img-thumb processes side by side).")
    var threads = 1

    @OptionGroup var batch: BatchOptions

    @Flag(help: "Write image records only, without the stream's begin and end lines, and exit by this command's own work alone (for a caller that checks every stage's status itself).")
    var recordsOnly = false

    @Flag(help: "Print details on stderr.")
    var debug = false

    func validate() throws {
        guard (1...100).contains(quality) else { throw ValidationError("--quality must be 1-100") }
        guard maxPixels > 0, threads > 0 else { throw ValidationError("--max-pixels and --threads must be positive") }
        if let thumbnails, case .failure(let problem) = ThumbnailSpec.parseList(thumbnails) { throw ValidationError("--thumbnails: \(problem)") }
    }

    func run() throws {
        CommandRun.begin("img-thumb", debug: debug)
        // With --batches, its input is the batch files: nothing in them is no fault of a stage before it.
        StageStream.start("img-thumb", producer: batch.batches != nil, writesMarkers: !recordsOnly)
        var thumbnailer = Thumbnailer()
        (thumbnailer.width, thumbnailer.height) = (size.width, size.height)
        thumbnailer.quality = quality
        thumbnailer.crop = crop
        thumbnailer.failOn = failOn
        thumbnailer.maxPixels = maxPixels
        let stage = try CommandRun.setUp { () throws -> ThumbnailStage in
            try Vips.start(threads: threads)
            let directory = out ?? PrivateFolder.defaultPath(named: "img-thumb")
            if out == nil { try PrivateFolder.preparePrivate(directory) }
            return try ThumbnailStage(thumbnailer: thumbnailer, directory: directory, report: Console.error)
        }
        if let thumbnails, case .success(let specs) = ThumbnailSpec.parseList(thumbnails) {
            stage.replacingThumbnails = (specs, thumbnailNames)
        }
        Console.debug("libvips \(Vips.version), \(threads) thread(s), fail-on \(failOn), crop \(crop), thumbnails in \(stage.directory)")
        let queue = batch.queue
        let reader = LineReader(output: STDOUT_FILENO)
        while let line = queue.map({ $0.next() }) ?? reader.next() {
            let number = queue?.lineNumber ?? reader.lineNumber
            let processed = stage.process(line: line, lineNumber: number)
            StageStream.current?.tally = stage.stream
            guard let output = processed else { continue }
            try CommandRun.output { () throws(LineWriter.Failure) in try LineWriter.writeLine(output) }
        }
        StageStream.current?.tally = stage.stream
        try CommandRun.finish(own: stage.failedCount > 0 ? Toolkit.Exit.someFailed : 0)
    }
}

extension ThumbnailSize: ExpressibleByArgument {
    public init?(argument: String) { self.init(parsing: argument) }
    public var defaultValueDescription: String { description }
}

extension Thumbnailer.FailLevel: ExpressibleByArgument {}
extension Thumbnailer.Crop: ExpressibleByArgument {}
