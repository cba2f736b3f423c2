import CVips
import Common
import Foundation
@testable import Imaging
import TestSupport
import Testing

/// Several thumbnails from one decode, against a `vips_thumbnail` call of their own for each.
@Suite(.unitTimeLimit) struct ThumbnailerBoxesTests {
    init() throws { try Vips.start(threads: 1) }

    /// Photos (JPEG with shrink-on-load, turned by EXIF, CMYK with a profile, WebP, HEIC, AVIF, JPEG XL), an
    /// alpha PNG, 16 bits, a panorama, an animated GIF and images smaller than the boxes.
    static let images = [
        "photos/photo-jolla-phone.jpg", "photos/photo-canon-camera-orient6.jpg", "exif/exif-orient-5.jpg",
        "jpeg/jpeg-cmyk-with-icc.jpg", "photos/webp-lossy-photo.webp", "heif/heic-iphone-rotated-arrow.heic",
        "heif/avif-photo-1800x1200.avif", "jxl/jxl-photo-1800x1200.jxl", "photos/blackbug-rgba-2048x1536.png",
        "png/png-16bit-rgb.png", "photos/photo-nokia-panorama-like.jpg", "gif/gif-animated.gif",
        "jpeg/jpeg-progressive-big-icc.jpg", "jpeg/jpeg-1x1.jpg", "exif/webp-exif-orient-6.webp",
    ]
    static let boxes = [Thumbnailer.Box(width: 200, height: 300), Thumbnailer.Box(width: 400, height: 600),
                        Thumbnailer.Box(width: 100, height: 100), Thumbnailer.Box(width: 320, height: 180)]

    /// Mean absolute difference per sample allowed between a box cut from the one decode and the same box
    /// made by its own `vips_thumbnail` call. A JPEG is decoded once at the smallest of libjpeg's scales that
    /// still covers the largest box; a box whose own call decodes at that scale too comes out the same
    /// (measured: 0, the 200x300 and 320x180 boxes of the camera photos), the largest box is reduced less by
    /// lanczos3 and more by libjpeg than in its own call (0.55 to 1.38, the most where its own call decodes
    /// the whole image and ours half of it), and smaller ones a little more (0.25 to 0.61). Other formats are
    /// scaled once to fill the largest box: that box matches its own call exactly, the smaller ones are
    /// scaled twice (0.28 to 0.68), and images smaller than a box are kept whole (0). Another picture, or this
    /// one 4 pixels off, differs by 10 and more.
    static let tolerance = 1.5
    /// Where `vips_thumbnail` itself takes a shortcut for a small box that the one decode for a larger box
    /// cannot take: libwebp's scale-on-load (measured 2.7 to 4.1; the one decode is the closer of the two to
    /// a reduction of the full picture, `theOneDecodeIsCloserToTheFullPictureThanWebPShrinkOnLoad`) and a
    /// HEIC's embedded 320x240 thumbnail, used for boxes it covers (2.9 and 3.4).
    static let shortcutTolerance = 5.0

    static func tolerance(for rel: String) -> Double {
        rel.hasSuffix(".webp") || rel.hasSuffix(".heic") ? shortcutTolerance : tolerance
    }

    /// Each box from the one decode, and the same box from its own `vips_thumbnail` call, as pixels (a
    /// box alone is not always made that way: `ThumbnailQualityTests`).
    func bothWays(_ rel: String, crop: Thumbnailer.Crop = .centre) throws -> [(once: Pixels, own: Pixels)] {
        var thumbnailer = Thumbnailer()
        thumbnailer.crop = crop
        let path = Corpus.file(rel)
        let type = try ImageFormat.check(try ImageFormat.head(of: path))
        let header = try thumbnailer.header(of: path, type: type)
        let once = try thumbnailer.images(path, type: type, header: header, boxes: Self.boxes)
        return try zip(Self.boxes, once).map { box, image in
            (try Pixels(image: image), try Pixels(image: try thumbnailer.image(path, box: box, header: header)))
        }
    }

    @Test(arguments: images)
    func everyBoxMatchesItsOwnThumbnailCall(_ rel: String) throws {
        let pairs = try bothWays(rel)
        for (box, pair) in zip(Self.boxes, pairs) {
            #expect(pair.once.width == box.width && pair.once.height == box.height && pair.once.bands == 3, "\(rel) \(box)")
            let difference = try #require(pair.once.meanDifference(pair.own), "\(rel) \(box)")
            #expect(difference < Self.tolerance(for: rel), "\(rel) \(box): differs from its own vips_thumbnail by \(difference)")
        }
    }

    /// A box whose own call decodes the JPEG at the same scale is its own call's, pixel for pixel; so is the
    /// largest box of an image of another format, which sets the one scaling.
    @Test func boxesMadeTheWayTheirOwnCallMakesThemAreExact() throws {
        let photo = try bothWays("photos/photo-jolla-phone.jpg")
        #expect(photo[0].once.meanDifference(photo[0].own) == 0)
        let png = try bothWays("photos/blackbug-rgba-2048x1536.png")
        #expect(png[1].once.meanDifference(png[1].own) == 0)
    }

    /// The comparison tells pictures apart: the next box's picture, or the same box a few pixels off, differs
    /// by far more than the tolerance.
    @Test func theToleranceTellsPicturesApart() throws {
        let pairs = try bothWays("photos/photo-jolla-phone.jpg")
        let shifted = pairs[0].own.shifted(by: 4)
        #expect(try #require(pairs[0].once.meanDifference(shifted)) > 3 * Self.tolerance)
        let other = try bothWays("photos/photo-nokia-panorama-like.jpg")
        #expect(try #require(pairs[0].once.meanDifference(other[0].once)) > 10 * Self.tolerance)
    }

    /// The WebP loader's shrink-on-load (libwebp scaling while decoding) is what differs: against lanczos3
    /// from the whole picture, the one decode is closer than the WebP's own `vips_thumbnail` call.
    @Test func theOneDecodeIsCloserToTheFullPictureThanWebPShrinkOnLoad() throws {
        let rel = "photos/webp-lossy-photo.webp"
        let pairs = try bothWays(rel)
        let thumbnailer = Thumbnailer()
        let path = Corpus.file(rel)
        let loaded = try #require(cvips_image_new_from_file(path, VIPS_FAIL_ON_ERROR))
        let whole = VipsImageRef(loaded)
        let box = Self.boxes[0]
        let full = try Pixels(image: try thumbnailer.thumbnail(box) { out in
            cvips_thumbnail_image(whole.pointer, &out, Int32(box.width), Int32(box.height), VIPS_INTERESTING_CENTRE)
        })
        let once = try #require(pairs[0].once.meanDifference(full)), own = try #require(pairs[0].own.meanDifference(full))
        #expect(once < own, "from the full picture: one decode \(once), its own call \(own)")
    }

    @Test func attentionCropsMatchTheirOwnCallsToo() throws {
        for rel in ["crop/attention-subject-left-1200x800.png", "photos/photo-jolla-phone.jpg"] {
            for (box, pair) in zip(Self.boxes, try bothWays(rel, crop: .attention)) {
                let difference = try #require(pair.once.meanDifference(pair.own))
                #expect(difference < Self.tolerance, "\(rel) \(box): \(difference)")
            }
        }
    }

    /// Strips are made box by box from their middle (each costs about its box); the result is each box's
    /// own thumbnail, exactly.
    @Test func stripsGiveEachBoxFromTheirMiddle() throws {
        for rel in ["aspect/shape-bomb-50000x1.png", "aspect/shape-bomb-1x50000-q90.jpg"] {
            for (box, pair) in zip(Self.boxes, try bothWays(rel)) {
                #expect(pair.once.meanDifference(pair.own) == 0, "\(rel) \(box)")
            }
        }
    }

    /// The JPEG repair and the failure levels apply to the one decode as to one thumbnail.
    @Test func repairedJPEGsGiveTheCleanPhotosThumbnailsAndDamageFailsThemAll() throws {
        let specs = [ThumbnailSpec.standard, ThumbnailSpec(width: 400, height: 600), ThumbnailSpec(width: 200, height: 300, format: .webp)]
        let clean = try Thumbnailer().render(path: Corpus.file("exif/exif-orient-1.jpg"), specs: specs)
        #expect(try Thumbnailer().render(path: Corpus.file("jpeg/jpeg-junk-before-marker.jpg"), specs: specs) == clean)
        #expect(throws: ImagingError.self) { try Thumbnailer().render(path: Corpus.file("broken/broken-corrupt-huffman.jpg"), specs: specs) }
        #expect(throws: ImagingError.self) { try Thumbnailer().render(path: Corpus.file("broken/broken-truncated.jpg"), specs: specs) }
        _ = try Thumbnailer.with { $0.failOn = .none }.render(path: Corpus.file("broken/broken-truncated.jpg"), specs: specs)
        #expect(throws: ImagingError.tooLarge(width: 2048, height: 1536, limit: 1_000_000)) {
            try Thumbnailer.with { $0.maxPixels = 1_000_000 }.render(path: Corpus.file("photos/blackbug-rgba-2048x1536.png"), specs: specs)
        }
    }

    @Test func theCoveringSizeFillsEveryBoxAndNoMore() {
        let photo = Thumbnailer.Header(width: 4000, height: 3000, turned: false)
        let boxes = Self.boxes
        #expect(photo.covering(boxes) == Thumbnailer.Box(width: 800, height: 600))
        #expect(Thumbnailer.Header(width: 4000, height: 3000, turned: true).covering(boxes) == Thumbnailer.Box(width: 450, height: 600))
        #expect(photo.covering([Thumbnailer.Box(width: 320, height: 180), Thumbnailer.Box(width: 100, height: 100)])
                == Thumbnailer.Box(width: 320, height: 240))
        #expect(photo.jpegShrink(covering: Thumbnailer.Box(width: 800, height: 600)) == 4)
        #expect(photo.jpegShrink(covering: Thumbnailer.Box(width: 1001, height: 600)) == 2)
        #expect(Thumbnailer.Header(width: 3000, height: 4000, turned: true).jpegShrink(covering: Thumbnailer.Box(width: 500, height: 375)) == 8)
        #expect(Thumbnailer.Header(width: 1, height: 1, turned: false).jpegShrink(covering: Thumbnailer.Box(width: 1, height: 1)) == 1)
        // Smaller than a box: kept at its size, and every box scaled from that.
        #expect(Thumbnailer.Header(width: 245, height: 245, turned: false).covering(boxes) == Thumbnailer.Box(width: 245, height: 245))
    }
}

extension Pixels {
    /// The picture moved `offset` pixels to the left, the right edge repeated.
    func shifted(by offset: Int) -> Pixels {
        var copy = self
        for y in 0..<height {
            for x in 0..<width {
                let from = (y * width + min(width - 1, x + offset)) * bands
                for band in 0..<bands { copy.bytes[(y * width + x) * bands + band] = bytes[from + band] }
            }
        }
        return copy
    }
}
