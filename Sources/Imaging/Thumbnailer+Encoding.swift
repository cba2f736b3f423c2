import CVips
import Common
import FoundationEssentials
import Glibc

/// Thumbnails as JPEG, WebP or AVIF, each at its spec's quality, with no metadata (no EXIF, GPS, XMP, IPTC or
/// ICC: the pixels are 8-bit sRGB, which is what a browser assumes of an image without a profile).
extension Thumbnailer {
    /// libheif's AV1 encoder (aom) effort, 0-9: libvips' default, 4, spends about 70 ms of CPU on a 200x300
    /// AVIF, as much as decoding a 12 MP JPEG; effort 2 takes about a quarter of that for files 9% larger.
    static let avifEffort: Int32 = 4

    /// The image, flat 8-bit sRGB, encoded as `spec` says.
    /// https://www.libvips.org/API/current/VipsForeignSave.html (jpegsave, webpsave, heifsave)
    func encode(_ image: VipsImageRef, as spec: ThumbnailSpec) throws(ImagingError) -> Data {
        var buffer: UnsafeMutableRawPointer?
        var length = 0
        let quality = Int32(spec.quality)
        let status: Int32
        switch spec.format {
        case .jpeg:
            if let encoded = libjpegEncode(image, quality: quality) { return encoded }
            status = cvips_jpegsave_buffer(image.pointer, &buffer, &length, quality, 1)
        case .webp:
            status = cvips_webpsave_buffer(image.pointer, &buffer, &length, quality, 1)
        case .avif:
            // 8 bits: libvips would otherwise pick 12, which some decoders refuse.
            status = cvips_heifsave_buffer(image.pointer, &buffer, &length, quality, VIPS_FOREIGN_HEIF_COMPRESSION_AV1,
                                           8, Self.avifEffort, 1)
        }
        guard status == 0, let buffer else { throw .encode(format: spec.format.name, why: Vips.takeError()) }
        defer { g_free(buffer) }
        let bytes = UnsafeRawBufferPointer(start: buffer, count: length)
        guard spec.format == .webp else { return Data(bytes) }
        // libvips 8.14's webpsave writes an EXIF chunk (and the source's XMP and ICC) despite `strip`.
        guard let stripped = WebPContainer.withoutMetadata([UInt8](bytes)) else {
            throw .encode(format: spec.format.name, why: "webpsave wrote a RIFF container that cannot be followed")
        }
        return Data(stripped)
    }

    /// Throws, saying why, when this libvips cannot encode `format` (an AVIF needs libheif built with an AV1
    /// encoder): a command can check once, before its first image, instead of failing every record.
    public static func checkEncoder(for format: ThumbnailSpec.Format) throws(ImagingError) {
        Vips.clearErrors()
        var black: UnsafeMutablePointer<VipsImage>?
        guard cvips_black(&black, 8, 8, 3) == 0, let black else { throw .setup(Vips.takeError()) }
        let image = try VipsImageRef(black).apply { cvips_cast($0, $1, VIPS_FORMAT_UCHAR) }
        _ = try Thumbnailer().encode(image, as: ThumbnailSpec(width: 8, height: 8, format: format))
    }
}

extension ThumbnailSpec.Format {
    /// The format's name in messages: JPEG, WebP, AVIF.
    var name: String {
        switch self {
        case .jpeg: return "JPEG"
        case .webp: return "WebP"
        case .avif: return "AVIF"
        }
    }
}
