import CVips
import FoundationEssentials

/// Thumbnails of images of extreme shapes (a 50000x1 strip): see `CentreCrop`.
extension Thumbnailer {
    /// Rows decoded at a time while passing over those above the part kept.
    static let rowsPerStep = 256

    /// The thumbnail (`spec`) made from `region` of the image at `path`.
    func render(_ path: String, middle region: CentreCrop.Region) throws(ImagingError) -> Data {
        try encode(try image(path, middle: region, box: Box(width: width, height: height)), as: spec)
    }

    /// The part the thumbnail shows, cut out of the image as it is decoded from the top
    /// (`vips_extract_area` on a sequential load: nothing below that part is decoded), then scaled, turned
    /// upright and made sRGB by `vips_thumbnail_image`, as `vips_thumbnail` would have.
    /// https://www.libvips.org/API/current/libvips-conversion.html#vips-extract-area
    func image(_ path: String, middle region: CentreCrop.Region, box: Box) throws(ImagingError) -> VipsImageRef {
        guard let opened = cvips_image_new_from_file_access(path, VIPS_ACCESS_SEQUENTIAL, failOn.vips) else {
            throw .unreadable(Vips.takeError())
        }
        let image = VipsImageRef(opened)
        try skipRows(of: image, above: region.top)
        let middle = try image.apply {
            cvips_extract_area($0, $1, Int32(region.left), Int32(region.top), Int32(region.width), Int32(region.height))
        }
        return try thumbnail(box) { out in
            cvips_thumbnail_image(middle.pointer, &out, Int32(box.width), Int32(box.height), VIPS_INTERESTING_CENTRE)
        }
    }

    /// Decodes the rows above `row` a few at a time and drops them, so that the part below is then read in
    /// order. Asked at once for rows far down, libvips 8.14's sequential reader reads all those above in
    /// one request, in time that grows with the square of their number: half a 1x1000000 PNG took 11 s of
    /// CPU that way, and 0.1 s in steps.
    /// https://www.libvips.org/API/current/VipsRegion.html#vips-region-prepare
    func skipRows(of image: VipsImageRef, above row: Int) throws(ImagingError) {
        guard row > 0 else { return }
        guard let region = vips_region_new(image.pointer) else { throw .decode(Vips.takeError()) }
        defer { g_object_unref(region) }
        for top in stride(from: 0, to: row, by: Self.rowsPerStep) {
            var rows = VipsRect(left: 0, top: Int32(top), width: Int32(image.width),
                                height: Int32(min(Self.rowsPerStep, row - top)))
            guard vips_region_prepare(region, &rows) == 0 else { throw .decode(Vips.takeError()) }
        }
    }
}
