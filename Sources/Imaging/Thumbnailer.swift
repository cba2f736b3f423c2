import CVips
import Common
import FoundationEssentials
import Glibc

/// Makes one thumbnail: scaled to fill `width` x `height` and center-cropped, upright, sRGB, flattened onto
/// white, first frame or page only, JPEG without metadata.
///
/// libvips' `vips_thumbnail` does the heavy part: shrink-on-load (a 40 MP JPEG is decoded at 1/8 scale),
/// the lanczos3 reduction, EXIF auto-rotation, ICC import and export. Images of extreme shapes (a 50000x1
/// strip) have their middle cut out before it is scaled, so that the work is bounded by the box (`CentreCrop`).
/// https://www.libvips.org/API/current/libvips-resample.html#vips-thumbnail
public struct Thumbnailer: Sendable {
    public enum FailLevel: String, CaseIterable, Sendable {
        /// Accept anything libvips can decode, even truncated data (which it pads with grey).
        case none
        /// Refuse truncated files.
        case truncated
        /// Refuse truncated files and decoding errors.
        case error
        /// Refuse also what decoders only warn about, such as corrupt JPEG scan data (the default), except
        /// JPEG blemishes that leave every pixel intact (junk between markers, an unknown JFIF revision).
        case warning

        var vips: VipsFailOn {
            switch self {
            case .none: return VIPS_FAIL_ON_NONE
            case .truncated: return VIPS_FAIL_ON_TRUNCATED
            case .error: return VIPS_FAIL_ON_ERROR
            case .warning: return VIPS_FAIL_ON_WARNING
            }
        }
    }

    public var width = 200
    public var height = 300
    public var quality = 85
    public var failOn = FailLevel.warning
    /// Images with more pixels than this are refused before decoding (decompression bombs).
    public var maxPixels: Int64 = 300_000_000

    public init() {}

    /// The JPEG bytes of the thumbnail of the image at `path`.
    ///
    /// Under `.warning`, a JPEG refused only for a blemish that leaves its pixels intact (see `JPEGRepair`)
    /// is made from a repaired copy, decoded as strictly: its thumbnail is a clean copy's.
    public func render(path: String) throws(ImagingError) -> Data {
        Vips.clearErrors()
        let type = try ImageFormat.check(try ImageFormat.head(of: path))
        do {
            return try render(path, type: type)
        } catch {
            guard failOn == .warning, type == "image/jpeg", error.isDamage,
                  let contents = FileManager.default.contents(atPath: path),
                  let repaired = JPEGRepair.repaired([UInt8](contents)) else { throw error }
            Vips.clearErrors()
            do {
                return try render(bytes: repaired, type: type)
            } catch _ {
                throw error
            }
        }
    }

    /// The thumbnail of the file at `path`, of content `type`: scaled whole with shrink-on-load, or, for an
    /// extreme shape, from its middle cut out first.
    func render(_ path: String, type: String) throws(ImagingError) -> Data {
        let shape = try shape(of: path, type: type)
        if shape.cutsFirst { return try render(path, middle: shape.region) }
        return try thumbnail { out in
            cvips_thumbnail(path, &out, Int32(width), Int32(height), VIPS_INTERESTING_CENTRE, failOn.vips)
        }
    }

    /// Renders bytes through a private temporary file, by the same path as any other image: libvips reading
    /// from memory logs a damaged tile ("error in tile") and carries on, where from a file it fails.
    func render(bytes: [UInt8], type: String) throws(ImagingError) -> Data {
        let base = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array("\(base)/img-thumb-repaired.XXXXXX".utf8CString)
        let fd = mkstemp(&template)
        guard fd >= 0 else { throw .decode("cannot write a repaired copy in \(base): \(String(cString: strerror(errno)))") }
        let path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        defer { unlink(path) }
        let failure = FileWrite.all(Data(bytes), fd: fd)
        close(fd)
        if let failure { throw .decode("cannot write a repaired copy in \(base): \(String(cString: strerror(failure)))") }
        return try render(path, type: type)
    }

    /// Runs a `vips_thumbnail` or `vips_thumbnail_image` call, then makes its output flat sRGB of the exact
    /// size, as JPEG.
    func thumbnail(_ make: (inout UnsafeMutablePointer<VipsImage>?) -> Int32) throws(ImagingError) -> Data {
        var out: UnsafeMutablePointer<VipsImage>?
        guard make(&out) == 0, let out else { throw .decode(Vips.takeError()) }
        let image = try toFlatSRGB(VipsImageRef(out))
        guard image.width == width, image.height == height else {
            throw .decode("libvips made a \(image.width)x\(image.height) image, not \(width)x\(height)")
        }
        return try encodeJPEG(image)
    }

    /// The header check of the image at `path`, and how the box is filled from it.
    func shape(of path: String, type: String) throws(ImagingError) -> CentreCrop {
        try checkHeader(type: type) { cvips_image_new_from_file(path, failOn.vips) }
    }

    /// Reads only the header: the loader libvips picked must match the sniffed type, and the size must be
    /// under the limit, before any pixel is decoded. Returns how the box is filled from this image.
    func checkHeader(type: String, open: () -> UnsafeMutablePointer<VipsImage>?) throws(ImagingError) -> CentreCrop {
        guard let header = open() else { throw .unreadable(Vips.takeError()) }
        let image = VipsImageRef(header)
        let loader = image.loader ?? "an unknown loader"
        if let family = ImageFormat.loaderFamilies[type], !loader.lowercased().contains(family) {
            throw .unsupported("content starts like \(type) but libvips reads it with \(loader)")
        }
        guard Int64(image.width) * Int64(image.height) <= maxPixels else {
            throw .tooLarge(width: image.width, height: image.height, limit: maxPixels)
        }
        // EXIF orientations 5 to 8 turn the image by 90 degrees: the box then lies across the stored pixels.
        let turned = vips_image_get_orientation_swap(image.pointer) != 0
        return CentreCrop(width: image.width, height: image.height,
                          boxWidth: turned ? height : width, boxHeight: turned ? width : height)
    }

    /// 8-bit sRGB with no alpha: CMYK, grey, 16-bit and alpha images all end up alike.
    func toFlatSRGB(_ input: VipsImageRef) throws(ImagingError) -> VipsImageRef {
        var image = input
        if image.interpretation != VIPS_INTERPRETATION_sRGB || image.format != VIPS_FORMAT_UCHAR {
            image = try image.apply { cvips_colourspace($0, $1, VIPS_INTERPRETATION_sRGB) }
        }
        if image.hasAlpha {
            var white = [255.0]
            guard let background = vips_array_double_new(&white, 1) else { throw .decode(Vips.takeError()) }
            defer { vips_area_unref(UnsafeMutableRawPointer(background).assumingMemoryBound(to: VipsArea.self)) }
            image = try image.apply { cvips_flatten($0, $1, background) }
        }
        if image.format != VIPS_FORMAT_UCHAR {
            image = try image.apply { cvips_cast($0, $1, VIPS_FORMAT_UCHAR) }
        }
        return image
    }

    /// JPEG at `quality`, metadata stripped (no EXIF, GPS, XMP or ICC: sRGB is assumed).
    func encodeJPEG(_ image: VipsImageRef) throws(ImagingError) -> Data {
        var buffer: UnsafeMutableRawPointer?
        var length = 0
        guard cvips_jpegsave_buffer(image.pointer, &buffer, &length, Int32(quality), 1) == 0, let buffer else {
            throw .decode(Vips.takeError())
        }
        defer { g_free(buffer) }
        return Data(bytes: buffer, count: length)
    }
}
