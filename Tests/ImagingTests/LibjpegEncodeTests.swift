import CVips
import Common
import Foundation
@testable import Imaging
import TestSupport
import Testing

/// A thumbnail computed into memory (`VipsImageRef.computedHere`) is encoded by libjpeg straight
/// (`Thumbnailer.libjpegEncode`): the bytes `vips_jpegsave_buffer` writes of the same pixels, at any quality.
@Suite(.unitTimeLimit) struct LibjpegEncodeTests {
    init() throws { try Vips.start(threads: 1) }

    @Test(arguments: ["photos/made-12mp-landscape-4000x3000.jpg", "jpeg/jpeg-grayscale.jpg", "png/png-rgba-transparent.png"])
    func sameBytesAsJpegsave(_ rel: String) throws {
        let thumbnailer = Thumbnailer()
        let path = Corpus.file(rel)
        let header = try thumbnailer.header(of: path, type: try ImageFormat.check(try ImageFormat.head(of: path)))
        let image = try thumbnailer.image(path, box: Thumbnailer.Box(width: 200, height: 300), header: header)
        let computed = try image.computedHere()
        #expect(computed.isComputed && !image.isComputed)
        #expect(try Pixels(image: computed).meanDifference(try Pixels(image: image)) == 0, "\(rel)")
        for quality: Int32 in [85, 40, 95] {
            let encoded = try #require(thumbnailer.libjpegEncode(computed, quality: quality), "\(rel)")
            var buffer: UnsafeMutableRawPointer?
            var length = 0
            #expect(cvips_jpegsave_buffer(computed.pointer, &buffer, &length, quality, 1) == 0)
            defer { g_free(buffer) }
            #expect(encoded == Data(bytes: try #require(buffer), count: length), "\(rel) at Q\(quality)")
        }
    }

    /// An image still to be computed goes to libvips' jpegsave, as does anything not 3-band 8-bit sRGB.
    @Test func onlyComputedSRGBIsEncodedByLibjpeg() throws {
        var black: UnsafeMutablePointer<VipsImage>?
        #expect(cvips_black(&black, 8, 8, 3) == 0)
        let pipeline = try VipsImageRef(try #require(black)).apply { cvips_cast($0, $1, VIPS_FORMAT_UCHAR) }
        #expect(Thumbnailer().libjpegEncode(pipeline, quality: 85) == nil)
        #expect(Thumbnailer().libjpegEncode(try pipeline.computedHere(), quality: 85) == nil, "black is not sRGB")
    }
}
