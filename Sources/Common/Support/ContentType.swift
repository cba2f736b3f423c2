import FoundationEssentials

/// The MIME type of an image from its first bytes (its real format), falling back to its extension.
public enum ContentType {
    public static let byExtension: [String: String] = [
        "jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp",
        "gif": "image/gif", "bmp": "image/bmp", "tif": "image/tiff", "tiff": "image/tiff",
        "heic": "image/heic", "heif": "image/heif", "avif": "image/avif", "jxl": "image/jxl",
    ]

    /// HEIF brands (ISO/IEC 23008-12 Annex B) of images coded with HEVC, and of image collections in general.
    static let heicBrands: Set<String> = ["heic", "heix", "heim", "heis", "hevc", "hevx", "hevm", "hevs"]
    static let heifBrands: Set<String> = ["mif1", "msf1"]
    /// AVIF's brands (AV1 Image File Format, section 8).
    static let avifBrands: Set<String> = ["avif", "avis"]

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
        if starts(Array("ftyp".utf8), at: 4) { return isoImage(head) }
        // JPEG XL: a bare codestream, or the ISO BMFF container's signature box (ISO/IEC 18181-2, 9.1).
        if starts([0xFF, 0x0A]) || starts([0x00, 0x00, 0x00, 0x0C] + Array("JXL ".utf8) + [0x0D, 0x0A, 0x87, 0x0A]) {
            return "image/jxl"
        }
        return nil
    }

    /// The image type of an ISO BMFF file by the brands of its `ftyp` box: AVIF, HEIC (HEVC-coded) or another
    /// HEIF; nil for other ISO media (an MP4 video). The major brand decides; a general one (`mif1`) is
    /// narrowed by the compatible brands that follow it.
    static func isoImage(_ head: [UInt8]) -> String? {
        guard head.count >= 12 else { return nil }
        let size = Int(head[0]) << 24 | Int(head[1]) << 16 | Int(head[2]) << 8 | Int(head[3])
        let major = String(decoding: head[8..<12], as: UTF8.self)
        var compatible: Set<String> = []
        for offset in stride(from: 16, to: min(size, head.count) - 3, by: 4) {
            compatible.insert(String(decoding: head[offset..<offset + 4], as: UTF8.self))
        }
        if avifBrands.contains(major) { return "image/avif" }
        if heicBrands.contains(major) { return "image/heic" }
        guard heifBrands.contains(major) else { return nil }
        if !compatible.isDisjoint(with: avifBrands) { return "image/avif" }
        if !compatible.isDisjoint(with: heicBrands) { return "image/heic" }
        return "image/heif"
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
