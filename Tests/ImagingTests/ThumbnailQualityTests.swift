import CVips
import Common
import Foundation
@testable import Imaging
import TestSupport
import Testing

/// The one thumbnail of a JPEG is decoded at the smallest of libjpeg's scales that still covers its box
/// (1/8 for a 12 MP photo and 200x300), where `vips_thumbnail`, the way it was made before, decodes at 1/4
/// and leaves lanczos3 at least half the reduction. libjpeg's 1/8 scale is each 8x8 block's average (the DC
/// coefficient alone, no inverse DCT), about a fifth less CPU per photo: the Huffman pass is then nearly all
/// of it. The thumbnail may not get worse for it: every JPEG of the corpus that makes a thumbnail is made
/// both ways and compared.
@Suite(.unitTimeLimit) struct ThumbnailQualityTests {
    init() throws { try Vips.start(threads: 1) }

    /// Mean absolute difference per sample (0 to 255) allowed between the thumbnail and `vips_thumbnail`'s.
    /// Measured on the corpus: 0 wherever the scale is the same as `vips_thumbnail`'s, and at 1/8 0.44 to
    /// 0.95 (the 12 MP photos); a picture 4 pixels off differs by 3 and more (`ThumbnailerBoxesTests`).
    /// Against lanczos3 from the whole decoded picture the 1/8 thumbnails are 0.37 to 0.94 off, where
    /// `vips_thumbnail`'s are 0.33 to 0.38: under one level in 255 either way, which no eye sees.
    static let tolerance = 1.2
    /// No sample may be further than this from `vips_thumbnail`'s: block averages could shift an edge, and an
    /// edge that moved would show here even where the mean stays small. Measured: at most 9.
    static let largestDifference = 20

    static let jpegs: [String] = {
        guard let manifest = try? CorpusManifest() else { return [] }
        return manifest.scanned.filter { CorpusManifest.mimeType($0.whatItIs) == "image/jpeg" && !$0.mustBeRejected }.map(\.file)
    }()

    @Test func everyCorpusJPEGsThumbnailStaysWithinTheToleranceOfVipsThumbnails() throws {
        #expect(Self.jpegs.count > 20)
        var compared = 0, atOneEighth = 0
        for rel in Self.jpegs {
            let thumbnailer = Thumbnailer()
            let path = Corpus.file(rel)
            let box = Thumbnailer.Box(width: thumbnailer.width, height: thumbnailer.height)
            guard let type = try? ImageFormat.check(try ImageFormat.head(of: path)), type == "image/jpeg",
                  let header = try? thumbnailer.header(of: path, type: type),
                  let before = try? thumbnailer.image(path, box: box, header: header) else { continue }
            let now = try Pixels(image: try thumbnailer.images(path, type: type, header: header, boxes: [box])[0])
            let old = try Pixels(image: before)
            let difference = try #require(now.meanDifference(old), "\(rel)")
            let largest = zip(now.bytes, old.bytes).map { abs(Int($0) - Int($1)) }.max() ?? 0
            #expect(difference <= Self.tolerance, "\(rel): differs from vips_thumbnail's by \(difference) on average")
            #expect(largest <= Self.largestDifference, "\(rel): a sample differs from vips_thumbnail's by \(largest)")
            compared += 1
            guard header.jpegShrink(covering: header.covering([box])) == 8 else {
                #expect(difference == 0, "\(rel): made as vips_thumbnail makes it")
                continue
            }
            atOneEighth += 1
            // Against the reference, lanczos3 from the whole decoded picture: no further than before.
            let loaded = try #require(cvips_image_new_from_file(path, VIPS_FAIL_ON_ERROR))
            let reference = try Pixels(image: try thumbnailer.thumbnail(box) { out in
                cvips_thumbnail_image(loaded, &out, Int32(box.width), Int32(box.height), VIPS_INTERESTING_CENTRE)
            })
            g_object_unref(loaded)
            let nowOff = try #require(now.meanDifference(reference)), oldOff = try #require(old.meanDifference(reference))
            #expect(nowOff <= Self.tolerance, "\(rel): \(nowOff) from the whole picture's lanczos3 (vips_thumbnail's: \(oldOff))")
        }
        #expect(compared > 20)
        #expect(atOneEighth >= 3, "the corpus has photos large enough to be decoded at 1/8")
    }
}
