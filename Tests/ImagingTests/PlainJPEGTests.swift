import CVips
import Common
import Foundation
@testable import Imaging
import TestSupport
import Testing

/// A plain JPEG's one thumbnail (`Thumbnailer.plainJPEG`: libjpeg's decode, `vips_resize`, the middle cut
/// out) is `vips_thumbnail`'s, pixel for pixel; what is not plain is left to `vips_thumbnail`.
@Suite(.unitTimeLimit) struct PlainJPEGTests {
    init() throws { try Vips.start(threads: 1) }

    static let box = Thumbnailer.Box(width: 200, height: 300)

    /// Every corpus JPEG the plain way takes, scaled down or up, comes out as `vips_thumbnail` makes it.
    @Test func everyPlainCorpusJPEGIsVipsThumbnailsPixelForPixel() throws {
        let thumbnailer = Thumbnailer()
        var plain = 0, shrunk = 0, enlarged = 0
        for rel in ThumbnailQualityTests.jpegs {
            let path = Corpus.file(rel)
            guard let header = try? thumbnailer.header(of: path, type: "image/jpeg"),
                  let made = try thumbnailer.plainJPEG(path, box: Self.box, header: header) else { continue }
            let reference = try thumbnailer.image(path, box: Self.box, header: header)
            #expect(try Pixels(image: made).meanDifference(try Pixels(image: reference)) == 0, "\(rel)")
            plain += 1
            if header.width > Self.box.width && header.height > Self.box.height { shrunk += 1 } else { enlarged += 1 }
        }
        #expect(plain >= 3, "the corpus has plain JPEGs")
        #expect(shrunk >= 1 && enlarged >= 1, "scaled down: \(shrunk), scaled up: \(enlarged)")
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
