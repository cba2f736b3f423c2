import ArgumentParser
import Common
import Imaging

@main
struct ImgThumb: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "img-thumb",
        abstract: "Make a 200x300 center-cropped JPEG thumbnail for each record, with libvips.",
        discussion: """
            Reads JSON records (from img-scan) on stdin; writes each record with thumbnail_path and thumbnail_size \
            added, or with status "failed" and the reason when the file is not a JPEG, PNG, WebP, GIF, BMP or TIFF, \
            is damaged, or is over the pixel limit. Thumbnails fill the box (scaled up or down, then center-cropped), \
            are upright (EXIF orientation applied), sRGB, flattened onto white, from the first frame or page, and \
            carry no metadata. Exit status: 0 all made, 1 some failed, 2 fatal.
            """,
        version: Toolkit.version
    )

    @Option(help: ArgumentHelp("""
        Folder for the thumbnail files (created with mode 0700). Default: img-thumb-UID in $TMPDIR or /tmp, \
        private to you; spaces-put removes each thumbnail once uploaded, keeps those of failed uploads for a \
        retry, and img-thumb removes any left there for over 7 days.
        """, valueName: "dir"))
    var out: String?

    @Option(help: ArgumentHelp("Thumbnail size.", valueName: "WxH"))
    var size = "200x300"

    @Option(help: "JPEG quality, 1-100.")
    var quality = 85

    @Option(help: ArgumentHelp("How damaged an image may be and still get a thumbnail: none, truncated, error, or warning (the strictest).", valueName: "level"))
    var failOn = "warning"

    @Option(help: ArgumentHelp("Refuse images with more pixels than this, before decoding them.", valueName: "pixels"))
    var maxPixels: Int64 = 300_000_000

    @Option(help: "libvips worker threads per process (1 suits several img-thumb processes side by side).")
    var threads = 1

    @Flag(help: "Print details on stderr.")
    var debug = false

    func validate() throws {
        guard parsedSize != nil else { throw ValidationError("--size must look like 200x300") }
        guard (1...100).contains(quality) else { throw ValidationError("--quality must be 1-100") }
        guard Thumbnailer.FailLevel(rawValue: failOn) != nil else {
            throw ValidationError("--fail-on must be one of: \(Thumbnailer.FailLevel.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard maxPixels > 0, threads > 0 else { throw ValidationError("--max-pixels and --threads must be positive") }
    }

    var parsedSize: (width: Int, height: Int)? {
        let parts = size.lowercased().split(separator: "x")
        guard parts.count == 2, let width = Int(parts[0]), let height = Int(parts[1]),
              (1...10_000).contains(width), (1...10_000).contains(height) else { return nil }
        return (width, height)
    }

    func run() throws {
        Console.commandName = "img-thumb"
        Console.debugEnabled = debug
        Console.ignoreSIGPIPE()
        var thumbnailer = Thumbnailer()
        (thumbnailer.width, thumbnailer.height) = parsedSize!
        thumbnailer.quality = quality
        thumbnailer.failOn = Thumbnailer.FailLevel(rawValue: failOn)!
        thumbnailer.maxPixels = maxPixels
        let stage: ThumbnailStage
        do {
            try Vips.start(threads: threads)
            let directory = out ?? ThumbnailFolder.defaultPath()
            if out == nil { try ThumbnailFolder.preparePrivate(directory) }
            stage = try ThumbnailStage(thumbnailer: thumbnailer, directory: directory)
        } catch {
            Console.error("\(error)")
            throw ExitCode(Toolkit.Exit.fatal)
        }
        Console.debug("libvips \(Vips.version), \(threads) thread(s), fail-on \(failOn), thumbnails in \(stage.directory)")
        let reader = LineReader()
        while let line = reader.next() {
            if let output = stage.process(line: line, lineNumber: reader.lineNumber) {
                LineWriter.writeLine(output)
            }
        }
        if stage.failedCount > 0 { throw ExitCode(Toolkit.Exit.someFailed) }
    }
}
