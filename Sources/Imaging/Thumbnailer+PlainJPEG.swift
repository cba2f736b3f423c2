import CVips
import FoundationEssentials

/// The one thumbnail of a plain JPEG that `vips_thumbnail` would decode whole (a 400x400 avatar, a 16x16
/// icon), made by the two steps `vips_thumbnail` comes down to for it, so that it is the same, pixel for pixel
/// (`PlainJPEGTests`): the whole image scaled to fill the box (`vips_resize`, lanczos3 down, bicubic up), then
/// its middle cut out (`vips_extract_area`, as `vips_smartcrop` with `centre`).
///
/// On such an image much of `vips_thumbnail`'s CPU is not the pixels': finding the loader (OpenSlide's
/// sniffing among it), its sequential line cache, the operations around the scaling, the worker thread that
/// jpegsave hands each strip to. Here the header is read once, by the JPEG loader itself (`open`, which also
/// tells whether the image is plain), the pixels are libjpeg's straight into memory (`libjpegPixels`), libvips
/// computes only the part the crop keeps, on this thread (`computedHere`), and libjpeg encodes that memory
/// (`libjpegEncode`). Measured on 300 avatars in one process (bench/avatars): 6.9 to 4.5 ms of CPU per
/// 400x400 avatar and 6.4 to 3.8 ms per 16x16 icon with libjpeg's decode; 4.6 to 4.3 and 4.1 to 3.9 ms
/// without jpegsave's pipeline and the second header read; the thumbnails' bytes unchanged throughout. The
/// operations are built once for each size of image and box and run again over each image's pixels
/// (`PlainPipelines`): 3.7 to 3.0 ms per 400x400 avatar, the bytes unchanged again.
///
/// Not libjpeg's DCT scaling, which would skip most of what is left (a 400x400 avatar decoded at 6/8 needs no
/// `vips_resize`): its block-wise filter is softer than lanczos3, and on avatars cut from photos it lands
/// outside `ThumbnailQualityTests`' tolerance. Where the time goes: docs/benchmarks.md, *Avatars*.
///
/// Plain means: 3-band YCbCr or RGB (no CMYK, no grey), no EXIF turn or flip, no ICC profile, centre crop,
/// and small enough that `vips_thumbnail` would not shrink it on load (each side less than 4 times the box's,
/// where it would ask libjpeg for 1/2). Anything else, and any JPEG libjpeg warns about, goes the way it
/// always went.
/// https://www.libvips.org/API/current/libvips-resample.html#vips-resize
extension Thumbnailer {
    /// `vips_thumbnail` asks libjpeg for a smaller decode from this shrink on (libvips' thumbnail.c,
    /// `vips_thumbnail_find_jpegshrink`).
    static let shrinkOnLoadFrom = 4.0

    /// The thumbnail, flat sRGB of the box's size, computed into memory (`computedHere`), or nil when the
    /// image is not plain.
    func plainJPEG(_ path: String, box: Box, header: Header) throws(ImagingError) -> VipsImageRef? {
        guard let shrink = plainShrink(of: header, box: box) else { return nil }
        return try libjpegPixels(path, shrink: 1) { (pixels, width, height, bands) throws(ImagingError) -> VipsImageRef? in
            guard bands == 3 else { return nil }
            let shape = PlainPipeline.Shape(width: width, height: height, bands: bands, box: box)
            guard let pipeline = pipelines.take(shape) ?? PlainPipeline(shape, make: { source throws(ImagingError) in
                try plainThumbnail(of: source, shrink: shrink, box: box)
            }) else { return nil }
            defer { pipelines.giveBack(pipeline) }
            return try pipeline.run(over: pixels)
        }
    }

    /// The operations of a plain JPEG's thumbnail from its decoded pixels (`source`), or nil when the scaled
    /// image would not fill the box.
    func plainThumbnail(of source: VipsImageRef, shrink: Double, box: Box) throws(ImagingError) -> VipsImageRef? {
        let resized = try source.apply { cvips_resize($0, $1, 1.0 / shrink) }
        guard resized.width >= box.width, resized.height >= box.height else { return nil }
        let middle = try resized.apply {
            cvips_extract_area($0, $1, Int32((resized.width - box.width) / 2), Int32((resized.height - box.height) / 2),
                               Int32(box.width), Int32(box.height))
        }
        return try toFlatSRGB(middle)
    }

    /// `vips_thumbnail`'s shrink of a plain JPEG for `box`, or nil when it is not plain: turned, with an ICC
    /// profile, not a centre crop, or large enough for `vips_thumbnail` to shrink it on load.
    func plainShrink(of header: Header, box: Box) -> Double? {
        guard crop == .centre, header.plain else { return nil }  // plain: upright, so never turned
        // As vips_thumbnail works it out (crop: the axis shrunk least sets the scale), for the same doubles.
        let shrink = min(Double(header.width) / Double(box.width), Double(header.height) / Double(box.height))
        return shrink < Self.shrinkOnLoadFrom ? shrink : nil
    }
}

extension VipsImageRef {
    /// No EXIF orientation other than upright, and no ICC profile: nothing `vips_thumbnail` would turn or
    /// colour-manage.
    var isPlain: Bool {
        var orientation: Int32 = 1
        if vips_image_get_typeof(pointer, "orientation") != 0 {
            guard vips_image_get_int(pointer, "orientation", &orientation) == 0 else { return false }
        }
        return orientation <= 1 && vips_image_get_typeof(pointer, "icc-profile-data") == 0
    }
}
