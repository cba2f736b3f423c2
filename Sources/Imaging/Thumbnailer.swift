import CVips
import Common
import FoundationEssentials
import Glibc

/// Makes thumbnails: each scaled to fill its box and cropped (at the centre, or where libvips finds the
/// interesting part), upright, sRGB, flattened onto white, first frame or page only, encoded as JPEG, WebP or
/// AVIF without metadata.
///
/// libvips' `vips_thumbnail` does the heavy part: shrink-on-load (a 40 MP JPEG is decoded at 1/8 scale),
/// the lanczos3 reduction, EXIF auto-rotation, ICC import and export. Several boxes of one image share one
/// decode (`Thumbnailer+Boxes`). Images of extreme shapes (a 50000x1 strip) have their middle cut out before
/// it is scaled, so that the work is bounded by the box (`CentreCrop`).
/// https://www.libvips.org/API/current/libvips-resample.html#vips-thumbnail
public struct Thumbnailer: Sendable {
    /// Which part of the image fills the box when its shape differs from the box's: libvips'
    /// `VipsInteresting` strategies.
    /// https://www.libvips.org/API/current/libvips-conversion.html#vips-smartcrop
    public enum Crop: String, CaseIterable, Sendable {
        /// The middle (the default, as `vips_thumbnail --crop centre`).
        case centre
        /// Where libvips sees edges, skin tones and saturated colour: the subject, mostly.
        case attention
        /// The part with the most entropy (detail).
        case entropy

        var vips: VipsInteresting {
            switch self {
            case .centre: return VIPS_INTERESTING_CENTRE
            case .attention: return VIPS_INTERESTING_ATTENTION
            case .entropy: return VIPS_INTERESTING_ENTROPY
            }
        }
    }

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

    /// The box and quality of the one JPEG thumbnail `render(path:)` makes (`spec`).
    public var width = 200
    public var height = 300
    public var quality = 85
    public var crop = Crop.centre
    public var failOn = FailLevel.warning
    /// Images with more pixels than this are refused before decoding (decompression bombs).
    public var maxPixels: Int64 = 300_000_000
    /// The plain JPEGs' operations, built once for each size (`PlainPipelines`), shared by this value's copies.
    let pipelines = PlainPipelines()

    public init() {}

    /// The one thumbnail `render(path:)` makes: `width` x `height`, JPEG at `quality`.
    public var spec: ThumbnailSpec { ThumbnailSpec(width: width, height: height, format: .jpeg, quality: quality) }

    /// The JPEG bytes of the thumbnail of the image at `path` (`spec`).
    public func render(path: String) throws(ImagingError) -> Data {
        try render(path: path, specs: [spec])[0]
    }

    /// The encoded bytes of each thumbnail of the image at `path`, in the order of `specs`, from one decode
    /// of the image (see `Thumbnailer+Boxes`). A failure of any one fails them all: an image that cannot
    /// give every thumbnail gives none.
    ///
    /// Under `.warning`, a JPEG refused only for a blemish that leaves its pixels intact (see `JPEGRepair`)
    /// is made from a repaired copy, decoded as strictly: its thumbnails are a clean copy's.
    public func render(path: String, specs: [ThumbnailSpec]) throws(ImagingError) -> [Data] {
        guard !specs.isEmpty else { return [] }
        Vips.clearErrors()
        let type = try ImageFormat.check(try ImageFormat.head(of: path))
        do {
            return try render(path, type: type, specs: specs)
        } catch {
            guard failOn == .warning, type == "image/jpeg", error.isDamage,
                  let contents = FileManager.default.contents(atPath: path),
                  let repaired = JPEGRepair.repaired([UInt8](contents)) else { throw error }
            Vips.clearErrors()
            do {
                return try render(bytes: repaired, type: type, specs: specs)
            } catch _ {
                throw error
            }
        }
    }

    /// The thumbnail (`spec`) of the file at `path`, of content `type`, without the JPEG repair.
    func render(_ path: String, type: String) throws(ImagingError) -> Data {
        try render(path, type: type, specs: [spec])[0]
    }

    /// Renders bytes through a private temporary file, by the same path as any other image: libvips reading
    /// from memory logs a damaged tile ("error in tile") and carries on, where from a file it fails.
    func render(bytes: [UInt8], type: String, specs: [ThumbnailSpec]) throws(ImagingError) -> [Data] {
        let base = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array("\(base)/img-thumb-repaired.XXXXXX".utf8CString)
        let fd = mkstemp(&template)
        guard fd >= 0 else { throw .decode("cannot write a repaired copy in \(base): \(String(cString: strerror(errno)))") }
        let path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        defer { unlink(path) }
        let failure = FileWrite.all(Data(bytes), fd: fd)
        close(fd)
        if let failure { throw .decode("cannot write a repaired copy in \(base): \(String(cString: strerror(failure)))") }
        return try render(path, type: type, specs: specs)
    }

    /// Runs a `vips_thumbnail` or `vips_thumbnail_image` call, then makes its output flat sRGB of the exact
    /// size of `box`.
    func thumbnail(_ box: Box, _ make: (inout UnsafeMutablePointer<VipsImage>?) -> Int32) throws(ImagingError) -> VipsImageRef {
        var out: UnsafeMutablePointer<VipsImage>?
        guard make(&out) == 0, let out else { throw .decode(Vips.takeError()) }
        let image = try toFlatSRGB(VipsImageRef(out))
        guard image.width == box.width, image.height == box.height else {
            throw .decode("libvips made a \(image.width)x\(image.height) image, not \(box)")
        }
        return image
    }

    /// The header check of the image at `path`, and how the box (`width` x `height`) is filled from it.
    func shape(of path: String, type: String) throws(ImagingError) -> CentreCrop {
        try header(of: path, type: type).shape(filling: Box(width: width, height: height))
    }

    /// The header check of the image at `path` (`checkHeader`).
    func header(of path: String, type: String) throws(ImagingError) -> Header {
        try checkHeader(type: type) { open(path, type: type) }
    }

    /// Opens the file at `path` lazily (header only): a JPEG with libvips' JPEG loader itself, its content
    /// having been sniffed as one, anything else with the loader libvips finds for it. Finding one asks every
    /// loader, OpenSlide's among them, which opens the file and reads it with SQLite: on a small avatar that
    /// was a tenth of the CPU.
    /// https://www.libvips.org/API/current/VipsForeignLoad.html#vips-jpegload
    func open(_ path: String, type: String) -> UnsafeMutablePointer<VipsImage>? {
        guard type == "image/jpeg" else { return cvips_image_new_from_file(path, failOn.vips) }
        var out: UnsafeMutablePointer<VipsImage>?
        return cvips_jpegload(path, &out, failOn.vips) == 0 ? out : nil
    }

    /// Reads only the header: the loader libvips picked must match the sniffed type, and the size must be
    /// under the limit, before any pixel is decoded. Returns the size and whether EXIF turns it.
    func checkHeader(type: String, open: () -> UnsafeMutablePointer<VipsImage>?) throws(ImagingError) -> Header {
        guard let header = open() else { throw .unreadable(Vips.takeError()) }
        let image = VipsImageRef(header)
        let loader = image.loader ?? "an unknown loader"
        if let family = ImageFormat.loaderFamilies[type], !loader.lowercased().contains(family) {
            throw .unsupported("content starts like \(type) but libvips reads it with \(loader)")
        }
        guard Int64(image.width) * Int64(image.height) <= maxPixels else {
            throw .tooLarge(width: image.width, height: image.height, limit: maxPixels)
        }
        return Header(width: image.width, height: image.height,
                      turned: vips_image_get_orientation_swap(image.pointer) != 0, plain: image.isPlain)
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
}
