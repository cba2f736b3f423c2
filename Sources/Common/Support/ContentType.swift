import FoundationEssentials

/// The MIME type of an image from its first bytes (its real format), falling back to its extension.
public enum ContentType {
    public static let byExtension: [String: String] = [
        "jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp",
        "gif": "image/gif", "bmp": "image/bmp", "tif": "image/tiff", "tiff": "image/tiff",
    ]

    /// The type the bytes say, or nil when they are no format we know.
    public static func sniff(_ head: [UInt8]) -> String? {
        func starts(_ magic: [UInt8], at offset: Int = 0) -> Bool { Self.starts(head, with: magic, at: offset) }
        if starts([0xFF, 0xD8, 0xFF]) { return "image/jpeg" }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return "image/png" }
        if starts(Array("GIF87a".utf8)) || starts(Array("GIF89a".utf8)) { return "image/gif" }
        if starts(Array("RIFF".utf8)) && starts(Array("WEBP".utf8), at: 8) { return "image/webp" }
        if starts(Array("BM".utf8)) { return "image/bmp" }
        if starts([0x49, 0x49, 0x2A, 0x00]) || starts([0x4D, 0x4D, 0x00, 0x2A]) { return "image/tiff" }
        if starts([0x49, 0x49, 0x2B, 0x00]) || starts([0x4D, 0x4D, 0x00, 0x2B]) { return "image/tiff" }
        return nil
    }

    /// Whether `head` holds `magic` at `offset`: the one matcher of file signatures in the toolkit.
    public static func starts(_ head: [UInt8], with magic: [UInt8], at offset: Int = 0) -> Bool {
        head.count >= offset + magic.count && head[offset..<offset + magic.count].elementsEqual(magic)
    }

    /// The type of a file whose first bytes are known (`FileDigest.head`, from the pass that hashes it):
    /// unknown content falls back to the extension, then to octet-stream.
    public static func of(head: [UInt8], path: String) -> String {
        if let sniffed = sniff(head) { return sniffed }
        let name = path.split(separator: "/").last ?? ""
        let ext = name.lastIndex(of: ".").map { name[name.index(after: $0)...].lowercased() } ?? ""
        return byExtension[ext] ?? "application/octet-stream"
    }
}
