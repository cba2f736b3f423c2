/// Takes the metadata out of a WebP file: its EXIF, XMP and ICC chunks, and the extended header (`VP8X`)
/// when nothing that needs one is left, which gives the simple format libwebp writes for a picture alone.
/// https://developers.google.com/speed/webp/docs/riff_container
enum WebPContainer {
    static let metadataChunks: Set<String> = ["EXIF", "XMP ", "ICCP"]
    /// `VP8X` flags: ICC profile, alpha, EXIF, XMP, animation.
    static let iccFlag: UInt8 = 0x20, alphaFlag: UInt8 = 0x10, exifFlag: UInt8 = 0x08, xmpFlag: UInt8 = 0x04, animationFlag: UInt8 = 0x02

    /// The file without metadata chunks; nil when it is not a RIFF WebP whose chunks add up.
    static func withoutMetadata(_ bytes: [UInt8]) -> [UInt8]? {
        guard bytes.count >= 12, bytes[0..<4].elementsEqual("RIFF".utf8), bytes[8..<12].elementsEqual("WEBP".utf8) else { return nil }
        var chunks: [(name: String, bytes: ArraySlice<UInt8>)] = []
        var index = 12
        while index < bytes.count {
            guard index + 8 <= bytes.count else { return nil }
            let size = Int(bytes[index + 4]) | Int(bytes[index + 5]) << 8 | Int(bytes[index + 6]) << 16 | Int(bytes[index + 7]) << 24
            let end = index + 8 + size + size % 2
            guard end <= bytes.count else { return nil }
            chunks.append((String(decoding: bytes[index..<index + 4], as: UTF8.self), bytes[index..<end]))
            index = end
        }
        var kept = chunks.filter { !metadataChunks.contains($0.name) }
        if let header = kept.firstIndex(where: { $0.name == "VP8X" }) {
            var extended = Array(kept[header].bytes)
            guard extended.count >= 9 else { return nil }
            extended[8] &= ~(iccFlag | exifFlag | xmpFlag)
            if extended[8] & (alphaFlag | animationFlag) == 0 {
                kept.remove(at: header)
            } else {
                kept[header].bytes = extended[...]
            }
        }
        let body = kept.flatMap { Array($0.bytes) }
        let size = UInt32(4 + body.count)
        return Array("RIFF".utf8) + [UInt8(size & 0xFF), UInt8(size >> 8 & 0xFF), UInt8(size >> 16 & 0xFF), UInt8(size >> 24)]
            + Array("WEBP".utf8) + body
    }
}
