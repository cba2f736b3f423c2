import Common
import FoundationEssentials
import Glibc

/// What a file's first bytes say it is, and whether that is a format we make thumbnails from.
public enum ImageFormat {
    /// A word in the name of the libvips loader expected for each accepted type (`gifload` for GIF);
    /// BMP goes through ImageMagick (`magickload`), HEIC, HEIF and AVIF through libheif (`heifload`).
    static let loaderFamilies: [String: String] = [
        "image/jpeg": "jpeg", "image/png": "png", "image/webp": "webp", "image/gif": "gif",
        "image/tiff": "tiff", "image/bmp": "magick",
        "image/heic": "heif", "image/heif": "heif", "image/avif": "heif", "image/jxl": "jxl",
    ]

    /// Reads the first bytes of `path`, which must be a regular file: a FIFO, say, is refused at once
    /// instead of blocking the run on a writer that never comes.
    static func head(of path: String, count: Int = 64) throws(ImagingError) -> [UInt8] {
        let fd: Int32
        do {
            fd = try RegularFile.open(path).fd
        } catch {
            switch error {
            case .system: throw .unreadable(error.description)
            case .notRegular(let kind): throw .notRegularFile(kind)
            }
        }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: count)
        let got = read(fd, &bytes, count)
        guard got >= 0 else { throw .unreadable(String(cString: strerror(errno)).lowercased()) }
        return Array(bytes[0..<got])
    }

    /// The accepted MIME type of the content, or an error naming what it looks like instead.
    public static func check(_ head: [UInt8]) throws(ImagingError) -> String {
        guard !head.isEmpty else { throw .empty }
        if let type = ContentType.sniff(head) { return type }
        throw .unsupported(describe(head))
    }

    /// A short guess at an unsupported format, for the error message.
    public static func describe(_ head: [UInt8]) -> String {
        func has(_ text: String, at offset: Int = 0) -> Bool { ContentType.starts(head, with: Array(text.utf8), at: offset) }
        if has("ftyp", at: 4) {
            // HEIC, HEIF and AVIF are sniffed before this: another brand is some other ISO media (MP4 video).
            return "ISO media (\(String(decoding: head[8..<min(12, head.count)], as: UTF8.self)))"
        }
        if has("%PDF") { return "PDF" }
        if ContentType.starts(head, with: [0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20])
            || ContentType.starts(head, with: [0xFF, 0x4F, 0xFF, 0x51]) { return "JPEG 2000" }
        let text = String(decoding: head, as: UTF8.self).lowercased()
        let trimmed = text.drop(while: { $0.isWhitespace || $0 == "\u{FEFF}" })
        if trimmed.hasPrefix("<svg") || (trimmed.hasPrefix("<?xml") && text.contains("<svg")) { return "SVG" }
        if trimmed.hasPrefix("<!doctype html") || trimmed.hasPrefix("<html") { return "HTML" }
        if trimmed.hasPrefix("<") { return "XML or HTML" }
        if head.allSatisfy({ $0 == 0x09 || $0 == 0x0A || $0 == 0x0D || (0x20..<0x7F).contains($0) || $0 >= 0x80 }) {
            return "text"
        }
        return "unknown content"
    }
}
