import CJpeg
import CVips
import FoundationEssentials
import Glibc

/// A JPEG decoded into memory at 1/`shrink` by libjpeg itself (`CJpeg`), where libvips' loader costs a
/// fifth more CPU around the same libjpeg calls (its pipeline, threads and regions): on a 12 MP photo at 1/8
/// the Huffman pass is nearly all that is left. The pixels are libjpeg's with the same settings as libvips
/// uses, so the thumbnail is the same (`DirectJPEGTests`). And a thumbnail already in memory encoded by
/// libjpeg as jpegsave would (`LibjpegEncodeTests`).
extension Thumbnailer {
    /// The decoded image, as stored, with the header's EXIF orientation and ICC profile carried over for
    /// `vips_thumbnail_image`; nil for what it does not take (CMYK and YCCK, any libjpeg warning or error):
    /// libvips then decodes it, and fails or repairs it as it always does.
    func directJPEG(_ path: String, shrink: Int) -> VipsImageRef? {
        guard var image = libjpegDecode(path, shrink: shrink) else { return nil }
        guard let opened = open(path, type: "image/jpeg") else { return nil }
        let header = VipsImageRef(opened)
        // libjpeg rounds a scaled side up, libvips down (its loader drops the last, partial column or row).
        let keep = (width: header.width / shrink, height: header.height / shrink)
        guard keep.width > 0, keep.height > 0, keep.width <= image.width, keep.height <= image.height else { return nil }
        if keep.width < image.width || keep.height < image.height {
            guard let cut = try? image.apply({ cvips_extract_area($0, $1, 0, 0, Int32(keep.width), Int32(keep.height)) }) else { return nil }
            image = cut
        }
        var orientation: Int32 = 1
        if vips_image_get_typeof(header.pointer, "orientation") != 0,
           vips_image_get_int(header.pointer, "orientation", &orientation) == 0 {
            vips_image_set_int(image.pointer, "orientation", orientation)
        }
        var profile: UnsafeRawPointer?
        var length = 0
        if vips_image_get_typeof(header.pointer, "icc-profile-data") != 0,
           vips_image_get_blob(header.pointer, "icc-profile-data", &profile, &length) == 0, let profile {
            vips_image_set_blob_copy(image.pointer, "icc-profile-data", profile, length)
        }
        return image
    }

    /// The JPEG at `path` decoded by libjpeg at 1/`shrink` (each side rounded up), 8-bit sRGB or grey, with
    /// no metadata; nil for what `cjpeg_decode_scaled` refuses.
    func libjpegDecode(_ path: String, shrink: Int) -> VipsImageRef? {
        libjpegPixels(path, shrink: shrink) { pixels, width, height, bands in
            guard let made = vips_image_new_from_memory_copy(pixels, width * height * bands,
                                                             Int32(width), Int32(height), Int32(bands), VIPS_FORMAT_UCHAR) else { return nil }
            made.pointee.Type = bands == 1 ? VIPS_INTERPRETATION_B_W : VIPS_INTERPRETATION_sRGB
            return VipsImageRef(made)
        }
    }

    /// `body` over the pixels of the JPEG at `path` decoded by libjpeg at 1/`shrink` (rows top first, `bands`
    /// bytes a pixel: 3, RGB, or 1, grey), which are freed after it; nil for what `cjpeg_decode_scaled` refuses.
    func libjpegPixels<T, Failure: Error>(_ path: String, shrink: Int,
                                          _ body: (UnsafeRawPointer, _ width: Int, _ height: Int, _ bands: Int) throws(Failure) -> T?)
        throws(Failure) -> T? {
        guard let contents = FileManager.default.contents(atPath: path), !contents.isEmpty else { return nil }
        var width: Int32 = 0, height: Int32 = 0, bands: Int32 = 0
        let decoded = contents.withUnsafeBytes { raw in
            cjpeg_decode_scaled(raw.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt(raw.count), Int32(shrink),
                                &width, &height, &bands)
        }
        guard let decoded else { return nil }
        defer { free(decoded) }
        return try body(decoded, Int(width), Int(height), Int(bands))
    }

    /// An sRGB image computed on this thread (`computedHere()`) encoded by libjpeg straight from its memory
    /// (`cjpeg_encode`), with the settings `vips_jpegsave_buffer` gives libjpeg, so the same bytes
    /// (`LibjpegEncodeTests`), without jpegsave's pipeline and its worker thread; nil for any other image.
    func libjpegEncode(_ image: VipsImageRef, quality: Int32) -> Data? {
        guard image.isComputed, image.bands == 3, image.format == VIPS_FORMAT_UCHAR,
              image.interpretation == VIPS_INTERPRETATION_sRGB, let pixels = vips_image_get_data(image.pointer) else { return nil }
        var length: UInt = 0
        // jpegsave's chroma subsampling by default ("auto"): half size below quality 90, full from 90 on.
        guard let encoded = cjpeg_encode(pixels.assumingMemoryBound(to: UInt8.self), Int32(image.width), Int32(image.height),
                                         3, image.width * 3, quality, quality < 90 ? 1 : 0, &length) else { return nil }
        defer { free(encoded) }
        return Data(bytes: encoded, count: Int(length))
    }
}
