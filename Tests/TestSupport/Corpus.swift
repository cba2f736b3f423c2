import Foundation

/// Where the corpus of real-world test images is: `S3TEST_CORPUS` when set, else the project's own copy in
/// `Tests/Fixtures/corpus` (each file's source, licence and expected outcome in its `MANIFEST.tsv`).
public enum Corpus {
    public static var path: String {
        ProcessInfo.processInfo.environment["S3TEST_CORPUS"] ?? packageRoot + "/Tests/Fixtures/corpus"
    }

    public static var packageRoot: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }

    public static func file(_ rel: String) -> String { path + "/" + rel }
}

/// Expected outcomes and formats from the corpus's MANIFEST.tsv.
public struct CorpusManifest {
    public struct Entry {
        public var file: String
        public var whatItIs: String
        public var expected: String

        /// The manifest says the tool must refuse this file.
        public var mustBeRejected: Bool { expected.hasPrefix("should be rejected") }
        /// img-scan leaves it out (junk/: an AppleDouble file, a NAS cache, a hidden file or folder).
        public var ignoredByScan: Bool { expected.contains("ignored by img-scan") }
    }

    public let entries: [Entry]

    /// The entries img-scan finds in the whole corpus: image names that it does not leave out as junk.
    public var scanned: [Entry] {
        let extensions: Set<String> = ["jpg", "jpeg", "png", "webp", "gif", "bmp", "tiff", "tif", "heic", "heif", "avif", "jxl"]
        return entries.filter { !$0.ignoredByScan && extensions.contains(($0.file as NSString).pathExtension.lowercased()) }
    }

    public init() throws {
        let text = try String(contentsOfFile: Corpus.path + "/MANIFEST.tsv", encoding: .utf8)
        entries = text.split(separator: "\n").dropFirst().map { line in
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            return Entry(file: fields[0], whatItIs: fields[4], expected: fields[5])
        }
    }

    /// The MIME type of the format the manifest names first ("JPEG 1800x1200; ..."), if any.
    public static func mimeType(_ whatItIs: String) -> String? {
        let formats = ["JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WebP": "image/webp",
                       "BMP": "image/bmp", "TIFF": "image/tiff", "HEIC": "image/heic", "HEIF": "image/heif",
                       "AVIF": "image/avif", "JXL": "image/jxl"]
        return whatItIs.split(separator: " ").first.flatMap { formats[String($0)] }
    }
}

