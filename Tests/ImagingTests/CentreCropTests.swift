@testable import Imaging
import TestSupport
import Testing

/// When a thumbnail's middle is cut out before scaling, and which part that is.
@Suite(.unitTimeLimit) struct CentreCropTests {
    func crop(_ width: Int, _ height: Int, box: (Int, Int) = (200, 300)) -> CentreCrop {
        CentreCrop(width: width, height: height, boxWidth: box.0, boxHeight: box.1)
    }

    /// Photos, panoramas and the corpus's 284x25 banner keep `vips_thumbnail`'s own way (shrink-on-load):
    /// their thumbnails stay as they were.
    @Test(arguments: [(1800, 1200), (4608, 1976), (4160, 870), (284, 25), (1, 1), (200, 300), (65536, 65536), (1, 10)])
    func ordinaryShapesAreScaledWhole(_ size: (Int, Int)) {
        #expect(!crop(size.0, size.1).cutsFirst, "\(size)")
    }

    @Test(arguments: [(50000, 1), (1, 50000), (1_000_000, 1), (1, 1_000_000), (1, 150), (60000, 100)])
    func stripsHaveTheirMiddleCutOutFirst(_ size: (Int, Int)) {
        #expect(crop(size.0, size.1).cutsFirst, "\(size)")
    }

    @Test func theRegionIsTheMiddleOfTheBoxsShapePlusAMarginAlongTheLongSide() {
        // One row: the box's shape is 2/3 of a pixel wide; 3 pixels of margin either side.
        #expect(crop(50000, 1).region == .init(left: 24996, top: 0, width: 8, height: 1))
        // One column: 1.5 pixels high, rounded up to 2, plus the margins.
        #expect(crop(1, 50000).region == .init(left: 0, top: 24996, width: 1, height: 8))
        // As many pixels are left out above as below, whatever the parities.
        let odd = crop(1, 50001).region
        #expect(odd.top * 2 + odd.height == 50001)
        // Scaled down (a 60000x100 strip at 3x), the margin is 3 pixels of the box, in source pixels.
        let wide = crop(60000, 100).region
        #expect(wide.height == 100 && wide.width >= 67 + 6 && wide.left * 2 + wide.width == 60000)
        let reduced = crop(90000, 1000).region  // scale 0.3: 667 shown, 10 either side
        #expect(reduced == .init(left: 44656, top: 0, width: 688, height: 1000))
    }

    /// Scaled to fill the box, the region has the whole image's scale: the thumbnail is the same part of it.
    @Test(arguments: [(50000, 1), (1, 50000), (7, 40000), (90000, 1000), (123_457, 3)])
    func theRegionFillsTheBoxAtTheWholeImagesScale(_ size: (Int, Int)) {
        let whole = crop(size.0, size.1)
        let region = whole.region
        let part = crop(region.width, region.height)
        #expect(abs(part.fillScale - whole.fillScale) < 1e-9, "\(size): \(region)")
        #expect(!part.cutsFirst, "\(size): the part is cheap to scale")
    }

    @Test func aTurnedImageIsCutAcrossItsStoredPixels() {
        // A 50000x1 strip stored on its side (EXIF 6) is 1x50000 upright: the box lies across it turned too.
        #expect(crop(50000, 1, box: (300, 200)).region == .init(left: 24996, top: 0, width: 8, height: 1))
        #expect(crop(1, 50000, box: (300, 200)).region == .init(left: 0, top: 24996, width: 1, height: 8))
    }
}
