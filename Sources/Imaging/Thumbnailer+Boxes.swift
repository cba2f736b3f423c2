import CVips
import Common
import FoundationEssentials
import Glibc

/// Several thumbnails of one image from one decode.
///
/// Decoding is most of the work (libjpeg's Huffman pass, which shrink-on-load cannot skip), so the image is
/// decoded once into memory and each box is made from that copy by `vips_thumbnail_image` (the same
/// scaling, EXIF rotation, colour handling and crop as `vips_thumbnail`):
///
/// - a JPEG at the smallest of libjpeg's scales (1/8, 1/4, 1/2) that still covers the largest box: for a
///   12 MP photo and boxes of 200x300 and 400x600, 1/4, as `vips_thumbnail` decodes it for 200x300 alone
///   (that box comes out the same); for 400x600 alone `vips_thumbnail` would decode at 1/2, to leave lanczos3
///   at least half the reduction, which costs a third more: here libjpeg does more of it;
/// - any other image by `vips_thumbnail` to the smallest size that fills every box (the loader's own
///   shrink-on-load, not cropped, not yet turned upright): the largest box comes out as its own call makes
///   it, smaller ones are scaled twice.
///
/// A JPEG's one box goes this way too when libjpeg can decode it at 1/8 (a 12 MP photo for 200x300):
/// `vips_thumbnail` would decode it at 1/4, and 1/8 is the 8x8 blocks' averages, with no inverse DCT, about
/// a fifth less CPU per photo (BENCHMARKS.md, "Client CPU per photo"). Other single boxes are made by
/// `vips_thumbnail` straight from the file.
///
/// Each box is within a small mean difference of its own `vips_thumbnail` call (`ThumbnailerBoxesTests`,
/// `ThumbnailQualityTests`).
/// Thumbnails of one box in several formats are made once and encoded per format.
/// https://www.libvips.org/API/current/libvips-resample.html#vips-thumbnail-image
extension Thumbnailer {
    /// A thumbnail's size in pixels, as the viewer sees it (upright).
    struct Box: Hashable, CustomStringConvertible {
        var width: Int
        var height: Int

        init(width: Int, height: Int) {
            self.width = width
            self.height = height
        }

        init(_ spec: ThumbnailSpec) { self.init(width: spec.width, height: spec.height) }

        var description: String { "\(width)x\(height)" }
    }

    /// What the header says: the size as stored, whether EXIF turns the image by 90 degrees, and whether it is
    /// plain (`plain`: the small-JPEG path may take it).
    struct Header: Equatable {
        var width: Int
        var height: Int
        /// EXIF orientations 5 to 8: a box then lies across the stored pixels.
        var turned: Bool
        /// No EXIF orientation other than upright and no ICC profile: nothing to turn or colour-manage.
        var plain = false

        /// The size as the viewer sees it.
        var upright: Box { turned ? Box(width: height, height: width) : Box(width: width, height: height) }

        /// How `box` is filled from this image.
        func shape(filling box: Box) -> CentreCrop {
            CentreCrop(width: width, height: height,
                       boxWidth: turned ? box.height : box.width, boxHeight: turned ? box.width : box.height)
        }

        /// The upright size to scale the whole image to so that it fills every box (no side shorter than a
        /// box's), and no larger: the box needing the largest scale sets it, exactly along its side. An image
        /// smaller than a box is kept at its size; each box is then scaled up from it, as from the original.
        func covering(_ boxes: [Box]) -> Box {
            let whole = upright
            var size = whole
            var largest = 0.0
            for box in boxes {
                let across = Double(box.width) / Double(whole.width), down = Double(box.height) / Double(whole.height)
                guard max(across, down) > largest else { continue }
                largest = max(across, down)
                // The other side rounded up, in whole numbers: 3000 * (600 / 4000) is 450.00000000000006.
                size = across >= down
                    ? Box(width: box.width, height: (whole.height * box.width + whole.width - 1) / whole.width)
                    : Box(width: (whole.width * box.height + whole.height - 1) / whole.height, height: box.height)
            }
            return largest >= 1 ? whole : size
        }

        /// The largest of libjpeg's scales (1/8, 1/4, 1/2) at which the stored image still covers `size`
        /// (upright), or 1. Sides are rounded down, so that no side can come out 0 (libjpeg rounds up, and
        /// libvips 8.14 aborts on a 1x1 JPEG loaded at 1/8).
        func jpegShrink(covering size: Box) -> Int {
            let stored = turned ? Box(width: size.height, height: size.width) : size
            return [8, 4, 2].first { shrink in width / shrink >= stored.width && height / shrink >= stored.height } ?? 1
        }
    }

    /// The thumbnails of the file at `path`, of content `type`, one per spec, in order.
    func render(_ path: String, type: String, specs: [ThumbnailSpec]) throws(ImagingError) -> [Data] {
        let header = try header(of: path, type: type)
        var boxes: [Box] = []
        for spec in specs where !boxes.contains(Box(spec)) { boxes.append(Box(spec)) }
        var images = try images(path, type: type, header: header, boxes: boxes)
        for (index, box) in boxes.enumerated() where specs.count(where: { Box($0) == box }) > 1 {
            // Encoded more than once: computed once into memory, not once per encoding.
            images[index] = try images[index].inMemory()
        }
        var encoded: [Data] = []
        for spec in specs {
            encoded.append(try encode(images[boxes.firstIndex(of: Box(spec)) ?? 0], as: spec))
        }
        return encoded
    }

    /// One image per box, flat sRGB of the box's size: from one decode into memory when there are several
    /// boxes or one of a JPEG decoded at 1/8; straight from the file when there is one other box, or when the
    /// image is a strip (each box is then cut from the strip's middle, which costs about the box, whatever
    /// the crop mode).
    func images(_ path: String, type: String, header: Header, boxes: [Box]) throws(ImagingError) -> [VipsImageRef] {
        var images: [VipsImageRef] = []
        let size = header.covering(boxes)
        let atOneEighth = type == "image/jpeg" && header.jpegShrink(covering: size) == 8
        let cutsFirst = boxes.contains(where: { header.shape(filling: $0).cutsFirst })
        if type == "image/jpeg", boxes.count == 1, !atOneEighth, !cutsFirst,
           let plain = try plainJPEG(path, box: boxes[0], header: header) {
            return [plain]
        }
        if cutsFirst || (boxes.count == 1 && !atOneEighth) {
            for box in boxes { images.append(try image(path, box: box, header: header)) }
            return images
        }
        let whole = type == "image/jpeg"
            ? try jpeg(path, shrink: header.jpegShrink(covering: size))
            : try covering(path, size: header.turned ? Box(width: size.height, height: size.width) : size)
        for box in boxes {
            images.append(try thumbnail(box) { out in
                cvips_thumbnail_image(whole.pointer, &out, Int32(box.width), Int32(box.height), crop.vips)
            })
        }
        return images
    }

    /// One box straight from the file: scaled whole with shrink-on-load, or, for an extreme shape, from its
    /// middle cut out first.
    func image(_ path: String, box: Box, header: Header) throws(ImagingError) -> VipsImageRef {
        let shape = header.shape(filling: box)
        if shape.cutsFirst { return try image(path, middle: shape.region, box: box) }
        return try thumbnail(box) { out in
            cvips_thumbnail(path, &out, Int32(box.width), Int32(box.height), crop.vips, failOn.vips)
        }
    }

    /// A JPEG decoded into memory at 1/`shrink` of its size, as stored (EXIF orientation and colour are left
    /// to `vips_thumbnail_image`, box by box).
    func jpeg(_ path: String, shrink: Int) throws(ImagingError) -> VipsImageRef {
        if let decoded = directJPEG(path, shrink: shrink) { return decoded }
        guard let opened = cvips_image_new_from_file_shrink(path, Int32(shrink), VIPS_ACCESS_SEQUENTIAL, failOn.vips) else {
            throw .unreadable(Vips.takeError())
        }
        return try VipsImageRef(opened).inMemory()
    }

    /// Any other image scaled to `size` (as stored, with the loader's shrink-on-load, not cropped), decoded
    /// into memory: every box is cut from this one decode. Each box is turned upright after it is scaled, as
    /// its own `vips_thumbnail` call would (turned first, a 128x128 WebP scaled up 2.3 times lands a fraction
    /// of a pixel elsewhere: a mean difference of 6).
    func covering(_ path: String, size: Box) throws(ImagingError) -> VipsImageRef {
        var out: UnsafeMutablePointer<VipsImage>?
        guard cvips_thumbnail_unrotated(path, &out, Int32(size.width), Int32(size.height), failOn.vips) == 0,
              let out else { throw .decode(Vips.takeError()) }
        return try VipsImageRef(out).inMemory()
    }
}
