import CVips
import Common
import Foundation
@testable import Imaging
import TestSupport
import Testing

/// libjpeg's own decode (`Thumbnailer.directJPEG`) gives the pixels libvips' JPEG loader gives, at every
/// scale, with the orientation and ICC profile that `vips_thumbnail_image` needs; what it does not take
/// (CMYK, damage) it leaves to libvips.
@Suite(.unitTimeLimit) struct DirectJPEGTests {
    init() throws { try Vips.start(threads: 1) }

    static let clean = [
        "photos/made-12mp-landscape-4000x3000.jpg", "photos/photo-jolla-phone.jpg", "photos/photo-canon-camera-orient6.jpg",
        "exif/exif-orient-6.jpg", "jpeg/jpeg-grayscale.jpg", "jpeg/jpeg-progressive-big-icc.jpg", "photos/photo-nokia-panorama-like.jpg",
    ]

    @Test(arguments: clean)
    func samePixelsAsLibvipsAtEveryScale(_ rel: String) throws {
        let path = Corpus.file(rel)
        let thumbnailer = Thumbnailer()
        for shrink in [1, 2, 4, 8] {
            let direct = try #require(thumbnailer.directJPEG(path, shrink: shrink), "\(rel) at 1/\(shrink)")
            let opened = try #require(cvips_image_new_from_file_shrink(path, Int32(shrink), VIPS_ACCESS_SEQUENTIAL, VIPS_FAIL_ON_WARNING))
            let vips = try VipsImageRef(opened).inMemory()
            #expect(direct.width == vips.width && direct.height == vips.height && direct.bands == vips.bands, "\(rel) at 1/\(shrink)")
            #expect(try Pixels(image: direct).meanDifference(try Pixels(image: vips)) == 0, "\(rel) at 1/\(shrink)")
            #expect(direct.interpretation == vips.interpretation, "\(rel) at 1/\(shrink)")
        }
    }

    /// The thumbnail, EXIF turn and ICC conversion included, is the one libvips' decode gives.
    @Test(arguments: clean)
    func sameThumbnailAsFromLibvipsDecode(_ rel: String) throws {
        let path = Corpus.file(rel)
        let thumbnailer = Thumbnailer()
        let box = Thumbnailer.Box(width: 200, height: 300)
        let direct = try #require(thumbnailer.directJPEG(path, shrink: 2))
        let opened = try #require(cvips_image_new_from_file_shrink(path, 2, VIPS_ACCESS_SEQUENTIAL, VIPS_FAIL_ON_WARNING))
        let vips = try VipsImageRef(opened).inMemory()
        func thumbnail(_ image: VipsImageRef) throws -> Pixels {
            try Pixels(image: try thumbnailer.thumbnail(box) { out in
                cvips_thumbnail_image(image.pointer, &out, Int32(box.width), Int32(box.height), VIPS_INTERESTING_CENTRE)
            })
        }
        #expect(try thumbnail(direct).meanDifference(try thumbnail(vips)) == 0, "\(rel)")
    }

    @Test func cmykAndDamageAreLeftToLibvips() {
        let thumbnailer = Thumbnailer()
        for rel in ["jpeg/jpeg-cmyk-adobe.jpg", "jpeg/jpeg-cmyk-with-icc.jpg", "broken/broken-truncated.jpg",
                    "broken/broken-corrupt-huffman.jpg", "jpeg/jpeg-junk-before-marker.jpg"] {
            #expect(thumbnailer.directJPEG(Corpus.file(rel), shrink: 8) == nil, "\(rel)")
        }
    }
}
