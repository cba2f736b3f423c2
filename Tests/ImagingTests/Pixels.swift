import CVips
import Foundation
@testable import Imaging

/// Decoded 8-bit pixels, row by row, band-interleaved: what a thumbnail looks like, for checks and tests.
struct Pixels: Sendable {
    var width: Int
    var height: Int
    var bands: Int
    var bytes: [UInt8]

    /// Decodes an image file (a thumbnail) fully into memory.
    init(file path: String) throws(ImagingError) {
        Vips.clearErrors()
        guard let opened = cvips_image_new_from_file(path, VIPS_FAIL_ON_ERROR) else { throw .unreadable(Vips.takeError()) }
        try self.init(image: VipsImageRef(opened))
    }

    /// The pixels of an image (a thumbnail before it is encoded).
    init(image input: VipsImageRef) throws(ImagingError) {
        var image = input
        if image.format != VIPS_FORMAT_UCHAR {
            image = try image.apply { cvips_cast($0, $1, VIPS_FORMAT_UCHAR) }
        }
        var length = 0
        guard let memory = vips_image_write_to_memory(image.pointer, &length) else { throw .decode(Vips.takeError()) }
        defer { g_free(memory) }
        width = image.width
        height = image.height
        bands = image.bands
        bytes = Array(UnsafeRawBufferPointer(start: memory, count: length))
    }

    /// The largest absolute difference of one sample with another image's (of the same shape).
    func largestDifference(_ other: Pixels) -> Int {
        zip(bytes, other.bytes).map { abs(Int($0) - Int($1)) }.max() ?? 0
    }

    /// The mean absolute difference per sample with another image of the same shape (0 = identical, 255 = opposite).
    func meanDifference(_ other: Pixels) -> Double? {
        guard width == other.width, height == other.height, bands == other.bands else { return nil }
        var total = 0
        for index in bytes.indices { total += abs(Int(bytes[index]) - Int(other.bytes[index])) }
        return Double(total) / Double(max(1, bytes.count))
    }
}
