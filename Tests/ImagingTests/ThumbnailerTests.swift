import Common
import Foundation
@testable import Imaging
import TestSupport
import Testing

/// Every file of the shared corpus, against the outcome its MANIFEST.tsv gives.
@Suite(.unitTimeLimit) struct ThumbnailerTests {
    init() throws { try Vips.start(threads: 1) }

    func render(_ rel: String, _ configure: (inout Thumbnailer) -> Void = { _ in }) throws -> Pixels {
        var thumbnailer = Thumbnailer()
        configure(&thumbnailer)
        let jpeg = try thumbnailer.render(path: Corpus.file(rel))
        let dir = try TemporaryDirectory()
        let file = try dir.write("t.jpg", jpeg)
        return try Pixels(file: file)
    }

    @Test(arguments: try CorpusManifest().entries.map(\.file))
    func corpusFileHasItsExpectedOutcome(_ rel: String) throws {
        let entry = try #require(try CorpusManifest().entries.first { $0.file == rel })
        if entry.mustBeRejected {
            #expect(throws: ImagingError.self, "\(rel) should be refused: \(entry.expected)") {
                try Thumbnailer().render(path: Corpus.file(rel))
            }
        } else {
            let jpeg = try Thumbnailer().render(path: Corpus.file(rel))
            #expect(jpeg.starts(with: [0xFF, 0xD8, 0xFF]))
            #expect(!JPEGMarkers.hasMetadata(jpeg), "\(rel): the thumbnail carries metadata")
            let dir = try TemporaryDirectory()
            let pixels = try Pixels(file: try dir.write("t.jpg", jpeg))
            #expect(pixels.width == 200 && pixels.height == 300 && pixels.bands == 3, "\(rel)")
        }
    }

    @Test(arguments: 2...8)
    func everyExifOrientationComesOutUpright(_ orientation: Int) throws {
        let upright = try render("exif/exif-orient-1.jpg")
        let rotated = try render("exif/exif-orient-\(orientation).jpg")
        let difference = try #require(upright.meanDifference(rotated))
        // The eight files are one picture stored eight ways; only the digit drawn on each differs.
        #expect(difference < 12, "orientation \(orientation) differs from 1 by \(difference)")
        let unrotated = try render("exif/exif-orient-3.jpg").flippedUpsideDown()
        #expect(try #require(upright.meanDifference(unrotated)) > 3 * difference, "the comparison cannot tell orientations apart")
    }

    @Test func transparencyIsFlattenedOntoWhite() throws {
        let clear = try render("png/png-1x1-rgba.png")  // one fully transparent pixel
        #expect(clear.bytes.allSatisfy { $0 >= 250 })
        // Its corners are transparent black: flattened onto white they are white, give or take JPEG noise.
        let partly = try render("png/png-rgba-transparent.png")
        let cornerPixels: [Int] = [0, 199, 59_800, 59_999]
        let corners: [UInt8] = cornerPixels.flatMap { (pixel: Int) -> [UInt8] in Array(partly.bytes[pixel * 3..<pixel * 3 + 3]) }
        #expect(corners.allSatisfy { $0 >= 240 }, "the transparent corners should be white: \(corners)")
    }

    @Test func cmykAndSixteenBitBecomeEightBitSRGB() throws {
        for rel in ["jpeg/jpeg-cmyk-adobe.jpg", "jpeg/jpeg-cmyk-with-icc.jpg", "tiff/tiff-cmyk.tif", "png/png-16bit-rgb.png"] {
            let pixels = try render(rel)
            #expect(pixels.bands == 3, "\(rel)")
        }
        // The Adobe CMYK file shows red lettering: red must dominate somewhere, as it would after a correct conversion.
        let red = try render("jpeg/jpeg-cmyk-adobe.jpg")
        let reddish = stride(from: 0, to: red.bytes.count, by: 3).filter { i in
            Int(red.bytes[i]) > 150 && Int(red.bytes[i + 1]) < 90 && Int(red.bytes[i + 2]) < 90
        }
        #expect(reddish.count > 1000)
    }

    @Test func smallAndExtremeImagesAreScaledUpToFillTheBox() throws {
        for rel in ["aspect/extreme-wide-284x25.jpg", "jpeg/jpeg-1x1.jpg", "png/png-wide-scan-4160x870.png"] {
            let pixels = try render(rel)
            #expect(pixels.width == 200 && pixels.height == 300, "\(rel)")
            // Filled, not letterboxed: the top and bottom rows hold picture, not one flat padding colour.
            let top = Array(pixels.bytes.prefix(600)), bottom = Array(pixels.bytes.suffix(600))
            #expect(top != bottom || Set(top).count > 1 || rel.contains("1x1"), "\(rel)")
        }
    }

    /// The way taken for strips gives the picture the ordinary way gives. Forced onto ordinary images
    /// (turned by EXIF, CMYK with a profile, transparent, wide), the two thumbnails differ by resampling
    /// and by rounding, which can move the picture by up to a pixel: compared by 10x10 blocks, they match.
    @Test(arguments: ["exif/exif-orient-1.jpg", "exif/exif-orient-5.jpg", "exif/exif-orient-6.jpg", "exif/exif-orient-8.jpg",
                      "photos/photo-canon-camera-orient6.jpg", "jpeg/jpeg-cmyk-with-icc.jpg", "photos/blackbug-rgba-2048x1536.png", "png/png-wide-scan-4160x870.png",
                      "aspect/extreme-wide-284x25.jpg", "gif/gif-static-photo.gif"])
    func cuttingTheMiddleFirstGivesTheSamePicture(_ rel: String) throws {
        let thumbnailer = Thumbnailer()
        let path = Corpus.file(rel)
        let type = try ImageFormat.check(try ImageFormat.head(of: path))
        let shape = try thumbnailer.shape(of: path, type: type)
        #expect(!shape.cutsFirst, "\(rel) is made the ordinary way")
        let dir = try TemporaryDirectory()
        let whole = try Pixels(file: try dir.write("whole.jpg", try thumbnailer.render(path, type: type)))
        let cut = try Pixels(file: try dir.write("cut.jpg", try thumbnailer.render(path, middle: shape.region)))
        let difference = try #require(whole.blockMeans(10).meanDifference(cut.blockMeans(10)),
                                      "\(rel): \(cut.width)x\(cut.height)x\(cut.bands)")
        #expect(difference < 2, "\(rel): the two ways differ by \(difference)")
    }

    /// The comparison above tells pictures apart: a camera photo stored landscape and turned upright by EXIF
    /// (orientation 6), cut as if it were not turned, is another picture.
    @Test func cuttingAcrossTheWrongSideOfATurnedPhotoGivesAnotherPicture() throws {
        let path = Corpus.file("photos/photo-canon-camera-orient6.jpg")
        let thumbnailer = Thumbnailer()
        let shape = try thumbnailer.shape(of: path, type: "image/jpeg")
        #expect(shape.width == 2048 && shape.boxWidth == 300 && shape.boxHeight == 200, "the box lies across the stored pixels")
        let unturned = CentreCrop(width: shape.width, height: shape.height, boxWidth: 200, boxHeight: 300)
        let dir = try TemporaryDirectory()
        let whole = try Pixels(file: try dir.write("whole.jpg", try thumbnailer.render(path, type: "image/jpeg")))
        let wrong = try Pixels(file: try dir.write("wrong.jpg", try thumbnailer.render(path, middle: unturned.region)))
        let difference = try #require(whole.blockMeans(10).meanDifference(wrong.blockMeans(10)))
        #expect(difference > 10, "cut the wrong way, the thumbnail differs by \(difference) only")
    }

    /// The strips of the corpus (see `Tests/Fixtures/make-shape-bombs.py`) are grey ramps: a thumbnail of
    /// their middle is mid-grey, one of an end would be black or white.
    @Test(arguments: try CorpusManifest().entries.map(\.file).filter { $0.contains("shape-bomb") })
    func stripsGiveTheThumbnailOfTheirMiddle(_ rel: String) throws {
        let path = Corpus.file(rel)
        #expect(try Thumbnailer().shape(of: path, type: try ImageFormat.check(try ImageFormat.head(of: path))).cutsFirst)
        let pixels = try render(rel)
        let mean = Double(pixels.bytes.reduce(0) { $0 + Int($1) }) / Double(pixels.bytes.count)
        #expect(abs(mean - 127.5) < 8, "\(rel): mean grey \(mean)")
    }

    @Test func otherSizesAndQualities() throws {
        let small = try render("exif/exif-orient-1.jpg") { $0.width = 64; $0.height = 64 }
        #expect(small.width == 64 && small.height == 64)
        let low = try Thumbnailer.with { $0.quality = 20 }.render(path: Corpus.file("exif/exif-orient-1.jpg"))
        let high = try Thumbnailer.with { $0.quality = 95 }.render(path: Corpus.file("exif/exif-orient-1.jpg"))
        #expect(low.count < high.count)
    }

    @Test func failOnLevelsDecideWhatDamageIsAccepted() throws {
        let truncated = Corpus.file("broken/broken-truncated.jpg")
        #expect(throws: ImagingError.self) { try Thumbnailer().render(path: truncated) }
        #expect(throws: ImagingError.self) { try Thumbnailer.with { $0.failOn = .truncated }.render(path: truncated) }
        _ = try Thumbnailer.with { $0.failOn = .none }.render(path: truncated)
        let corruptScan = Corpus.file("broken/broken-corrupt-scan-bad-exif.jpg")
        _ = try Thumbnailer.with { $0.failOn = .error }.render(path: corruptScan)
        #expect(throws: ImagingError.self) { try Thumbnailer().render(path: corruptScan) }
    }

    /// libjpeg only warns about these, and every pixel decodes: the default accepts them, and each thumbnail
    /// is the clean photo's, byte for byte.
    @Test(arguments: ["jpeg/jpeg-junk-before-marker.jpg", "jpeg/jpeg-jfif-revision-2.jpg", "jpeg/jpeg-junk-before-eoi.jpg"])
    func harmlessJPEGWarningsAreAcceptedAndChangeNoPixel(_ rel: String) throws {
        let clean = try Thumbnailer().render(path: Corpus.file("exif/exif-orient-1.jpg"))
        let blemished = try Thumbnailer().render(path: Corpus.file(rel))
        #expect(blemished == clean, "\(rel): its thumbnail differs from the clean photo's")
    }

    /// The repair is what accepts them: libvips alone, at the same level, refuses the two with a warning.
    @Test func withoutTheRepairTheStrictestLevelRefusesHarmlessWarnings() throws {
        for rel in ["jpeg/jpeg-junk-before-marker.jpg", "jpeg/jpeg-jfif-revision-2.jpg"] {
            #expect(throws: ImagingError.self, "\(rel)") {
                try Thumbnailer().render(Corpus.file(rel), type: "image/jpeg")
            }
        }
    }

    /// Damage to the picture itself is refused under the default, also when a harmless warning comes first.
    @Test(arguments: ["broken/broken-corrupt-huffman.jpg", "broken/broken-junk-and-corrupt-huffman.jpg",
                      "broken/broken-marker-in-scan.jpg", "broken/broken-cut-in-scan.jpg"])
    func damagedPicturesAreStillRefused(_ rel: String) throws {
        #expect(throws: ImagingError.self, "\(rel) must be refused") { try Thumbnailer().render(path: Corpus.file(rel)) }
        // Looser levels let libvips make something of them: the refusal is the default's doing.
        if !rel.contains("cut") { _ = try Thumbnailer.with { $0.failOn = .error }.render(path: Corpus.file(rel)) }
    }

    @Test func decompressionBombsAreRefusedQuicklyByTheirHeader() throws {
        let started = Date()
        #expect(throws: ImagingError.tooLarge(width: 65536, height: 65536, limit: 300_000_000)) {
            try Thumbnailer().render(path: Corpus.file("png/png-bomb-65536x65536.png"))
        }
        #expect(Date().timeIntervalSince(started) < 1)
        #expect(throws: ImagingError.self) {
            try Thumbnailer.with { $0.maxPixels = 1_000_000 }.render(path: Corpus.file("photos/blackbug-rgba-2048x1536.png"))
        }
    }

    @Test func refusalsNameWhatTheContentIs() {
        #expect(ImageFormat.describe(Array("<svg xmlns=".utf8)) == "SVG")
        #expect(ImageFormat.describe(Array("%PDF-1.4".utf8)) == "PDF")
        #expect(ImageFormat.describe([0, 0, 0, 0x18] + Array("ftypmp42".utf8)) == "ISO media (mp42)")
        #expect(ImageFormat.describe([0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20, 0x0D, 0x0A]) == "JPEG 2000")
        #expect(ImageFormat.describe(Array("<!DOCTYPE html><html>".utf8)) == "HTML")
        #expect(ImagingError.unsupported("SVG").description
                == "not a supported image (SVG); accepted: JPEG, PNG, WebP, GIF, BMP, TIFF, HEIC/HEIF, AVIF, JPEG XL")
    }
}

extension Thumbnailer {
    static func with(_ configure: (inout Thumbnailer) -> Void) -> Thumbnailer {
        var thumbnailer = Thumbnailer()
        configure(&thumbnailer)
        return thumbnailer
    }
}

extension Pixels {
    /// The mean of each `size`x`size` block, band by band: pictures a pixel apart come out nearly the same.
    func blockMeans(_ size: Int) -> Pixels {
        var means = self
        (means.width, means.height, means.bytes) = (width / size, height / size, [])
        for blockY in 0..<means.height {
            for blockX in 0..<means.width {
                for band in 0..<bands {
                    var total = 0
                    for y in blockY * size..<(blockY + 1) * size {
                        for x in blockX * size..<(blockX + 1) * size { total += Int(bytes[(y * width + x) * bands + band]) }
                    }
                    means.bytes.append(UInt8(total / (size * size)))
                }
            }
        }
        return means
    }

    func flippedUpsideDown() -> Pixels {
        var copy = self
        let row = width * bands
        for y in 0..<height {
            copy.bytes.replaceSubrange(y * row..<(y + 1) * row, with: bytes[(height - 1 - y) * row..<(height - y) * row])
        }
        return copy
    }
}

/// Reads a JPEG's marker segments, to check that a thumbnail carries no metadata.
enum JPEGMarkers {
    /// True when any APP1 (EXIF, XMP), APP2 (ICC), APP13 (IPTC) or COM segment is present.
    static func hasMetadata(_ jpeg: Data) -> Bool {
        let bytes = [UInt8](jpeg)
        var index = 2
        while index + 4 <= bytes.count, bytes[index] == 0xFF {
            let marker = bytes[index + 1]
            if marker == 0xDA { return false }  // start of scan: no more headers
            if [0xE1, 0xE2, 0xED, 0xFE].contains(marker) { return true }
            index += 2 + Int(bytes[index + 2]) << 8 + Int(bytes[index + 3])
        }
        return false
    }
}
