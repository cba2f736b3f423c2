import CVips
import Common
import Foundation
@testable import Imaging
import TestSupport
import Testing

/// A plain JPEG's one thumbnail (`Thumbnailer.plainJPEG`: libjpeg's decode, `vips_resize`, the middle cut out,
/// computed on the calling thread) is `vips_thumbnail`'s: within the tolerance of `ThumbnailQualityTests`, in
/// fact pixel for pixel, and nearer to it than the same crop moved by one pixel; what is not plain is left to
/// `vips_thumbnail`.
@Suite(.unitTimeLimit) struct PlainJPEGTests {
    init() throws { try Vips.start(threads: 1) }

    static let box = Thumbnailer.Box(width: 200, height: 300)

    /// Every corpus JPEG the plain way takes, scaled down or up, comes out within the tolerance of
    /// `vips_thumbnail`'s (and the same); each crop moved by one pixel is further off, and on the detailed
    /// ones further than the tolerance: a crop one pixel off would show.
    @Test func everyPlainCorpusJPEGStaysWithinTheToleranceOfVipsThumbnail() throws {
        let thumbnailer = Thumbnailer()
        var plain = 0, shrunk = 0, enlarged = 0, movesOverTolerance = 0
        for rel in ThumbnailQualityTests.jpegs {
            let path = Corpus.file(rel)
            guard let header = try? thumbnailer.header(of: path, type: "image/jpeg"),
                  let shrink = thumbnailer.plainShrink(of: header, box: Self.box),
                  let made = try thumbnailer.plainJPEG(path, box: Self.box, header: header) else { continue }
            let now = try Pixels(image: made)
            let reference = try Pixels(image: try thumbnailer.image(path, box: Self.box, header: header))
            let difference = try #require(now.meanDifference(reference), "\(rel)")
            #expect(difference <= ThumbnailQualityTests.tolerance, "\(rel): \(difference) from vips_thumbnail's")
            #expect(now.largestDifference(reference) <= ThumbnailQualityTests.largestDifference, "\(rel)")
            #expect(difference == 0, "\(rel): made as vips_thumbnail makes it")
            for (dx, dy) in [(-1, 0), (1, 0), (0, -1), (0, 1)] {
                guard let movedCrop = try Self.vipsThumbnail(path, shrink: shrink, movedBy: (dx, dy)) else { continue }
                let moved = try Pixels(image: movedCrop)
                let off = try #require(now.meanDifference(moved))
                // Moved or not, a crop of a picture all of one colour is the same.
                #expect(off > difference || moved.bytes == reference.bytes, "\(rel): the crop moved by (\(dx), \(dy)) is as near")
                if off > ThumbnailQualityTests.tolerance { movesOverTolerance += 1 }
            }
            plain += 1
            if header.width > Self.box.width && header.height > Self.box.height { shrunk += 1 } else { enlarged += 1 }
        }
        #expect(plain >= 3, "the corpus has plain JPEGs")
        #expect(shrunk >= 1 && enlarged >= 1, "scaled down: \(shrunk), scaled up: \(enlarged)")
        #expect(movesOverTolerance >= 2, "a crop one pixel off exceeds the tolerance somewhere")
    }

    /// `vips_thumbnail`'s own two steps for a JPEG it decodes whole (`vips_resize` at 1/`shrink`, the middle
    /// cut out), with the cut moved by `movedBy` pixels; nil when that leaves the image.
    static func vipsThumbnail(_ path: String, shrink: Double, movedBy: (Int, Int)) throws -> VipsImageRef? {
        let loaded = VipsImageRef(try #require(cvips_image_new_from_file(path, VIPS_FAIL_ON_ERROR)))
        let whole = try loaded.apply { cvips_resize($0, $1, 1.0 / shrink) }
        let left = (whole.width - box.width) / 2 + movedBy.0, top = (whole.height - box.height) / 2 + movedBy.1
        guard left >= 0, top >= 0, left + box.width <= whole.width, top + box.height <= whole.height else { return nil }
        return try Thumbnailer().toFlatSRGB(try whole.apply {
            cvips_extract_area($0, $1, Int32(left), Int32(top), Int32(box.width), Int32(box.height))
        })
    }

    /// EXIF turns, ICC profiles, CMYK, grey, damage and photos `vips_thumbnail` decodes at a smaller scale go
    /// the way they always went.
    @Test(arguments: ["exif/exif-orient-6.jpg", "jpeg/jpeg-progressive-big-icc.jpg", "jpeg/jpeg-cmyk-adobe.jpg",
                      "jpeg/jpeg-grayscale.jpg", "broken/broken-truncated.jpg", "photos/made-12mp-landscape-4000x3000.jpg"])
    func whatIsNotPlainIsLeftToVipsThumbnail(_ rel: String) throws {
        let thumbnailer = Thumbnailer()
        let path = Corpus.file(rel)
        let header = try thumbnailer.header(of: path, type: "image/jpeg")
        #expect(try thumbnailer.plainJPEG(path, box: Self.box, header: header) == nil, "\(rel)")
    }

    /// Attention and entropy crops are `vips_smartcrop`'s to place.
    @Test func onlyTheCentreCropIsPlain() throws {
        var thumbnailer = Thumbnailer()
        let rel = try #require(ThumbnailQualityTests.jpegs.first { rel in
            let header = try? Thumbnailer().header(of: Corpus.file(rel), type: "image/jpeg")
            return header.flatMap { try? Thumbnailer().plainJPEG(Corpus.file(rel), box: Self.box, header: $0) } != nil
        })
        let header = try thumbnailer.header(of: Corpus.file(rel), type: "image/jpeg")
        thumbnailer.crop = .attention
        #expect(try thumbnailer.plainJPEG(Corpus.file(rel), box: Self.box, header: header) == nil)
    }
}
