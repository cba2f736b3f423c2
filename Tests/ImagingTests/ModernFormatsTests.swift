import Common
import Foundation
@testable import Imaging
import TestSupport
import Testing

/// HEIC, HEIF, AVIF and JPEG XL originals: sniffed by their signatures, decoded by libheif and libjxl, upright.
@Suite(.unitTimeLimit) struct ModernFormatsTests {
    init() throws { try Vips.start(threads: 1) }

    func ftyp(_ major: String, _ compatible: [String]) -> [UInt8] {
        let size = 16 + 4 * compatible.count
        return [0, 0, 0, UInt8(size)] + Array(("ftyp" + major + "\0\0\0\0" + compatible.joined()).utf8) + [0, 0, 0, 8] + Array("meta".utf8)
    }

    @Test func brandsAndSignaturesGiveTheType() {
        #expect(ContentType.sniff(ftyp("heic", ["mif1", "heic"])) == "image/heic")
        #expect(ContentType.sniff(ftyp("heix", ["mif1"])) == "image/heic")
        #expect(ContentType.sniff(ftyp("mif1", ["mif1", "heic"])) == "image/heic")
        #expect(ContentType.sniff(ftyp("msf1", ["msf1", "hevc"])) == "image/heic")
        #expect(ContentType.sniff(ftyp("mif1", ["mif1", "miaf"])) == "image/heif")
        #expect(ContentType.sniff(ftyp("avif", ["avif", "mif1", "miaf"])) == "image/avif")
        #expect(ContentType.sniff(ftyp("avis", ["avis", "msf1"])) == "image/avif")
        #expect(ContentType.sniff(ftyp("mif1", ["mif1", "avif"])) == "image/avif")
        #expect(ContentType.sniff(ftyp("isom", ["isom", "mp41"])) == nil)
        #expect(ContentType.sniff([0xFF, 0x0A, 0x7A, 0x25]) == "image/jxl")
        #expect(ContentType.sniff([0, 0, 0, 0x0C] + Array("JXL ".utf8) + [0x0D, 0x0A, 0x87, 0x0A, 0, 0, 0, 0x14]) == "image/jxl")
        #expect(ContentType.sniff([0, 0, 0, 0x0C] + Array("jP  ".utf8) + [0x0D, 0x0A, 0x87, 0x0A]) == nil)
        for (ext, type) in ["heic": "image/heic", "heif": "image/heif", "avif": "image/avif", "jxl": "image/jxl"] {
            #expect(ContentType.of(head: [], path: "a/b.\(ext.uppercased())") == type)
        }
    }

    @Test func otherISOMediaIsStillRefusedByName() {
        #expect(ImageFormat.describe(ftyp("isom", ["isom"])) == "ISO media (isom)")
        #expect(throws: ImagingError.unsupported("ISO media (qt  )")) { try ImageFormat.check(ftyp("qt  ", [])) }
    }

    @Test(arguments: [("heif/heic-iphone-rotated-arrow.heic", "image/heic"), ("heif/heic-still-640x426.heif", "image/heic"),
                      ("heif/avif-photo-1800x1200.avif", "image/avif"), ("jxl/jxl-photo-1800x1200.jxl", "image/jxl")])
    func theCorpusFilesAreSniffedAndDecoded(_ rel: String, _ type: String) throws {
        let path = Corpus.file(rel)
        #expect(try ImageFormat.check(try ImageFormat.head(of: path)) == type)
        let jpeg = try Thumbnailer().render(path: path)
        let dir = try TemporaryDirectory()
        let pixels = try Pixels(file: try dir.write("t.jpg", jpeg))
        #expect(pixels.width == 200 && pixels.height == 300 && pixels.bands == 3)
    }

    /// The AVIF and JPEG XL photos are exif/exif-orient-1.jpg re-encoded: their thumbnails show its picture.
    @Test(arguments: ["heif/avif-photo-1800x1200.avif", "jxl/jxl-photo-1800x1200.jxl"])
    func modernCopiesShowThePhotoTheyWereMadeFrom(_ rel: String) throws {
        let dir = try TemporaryDirectory()
        let original = try Pixels(file: try dir.write("a.jpg", try Thumbnailer().render(path: Corpus.file("exif/exif-orient-1.jpg"))))
        let copy = try Pixels(file: try dir.write("b.jpg", try Thumbnailer().render(path: Corpus.file(rel))))
        let difference = try #require(original.meanDifference(copy))
        #expect(difference < 5, "\(rel) differs from its source by \(difference)")
    }

    /// Where the arrow's tip is: the first row from the top with dark (ink) pixels, and how wide the ink is
    /// over the ten rows from there. Upright, the tip is a narrow point near the top middle; upside down the
    /// top ink is the shaft's wide end, lower down; turned, the head's slanted side.
    func tip(_ pixels: Pixels) -> (row: Int, middle: Double, spread: Int)? {
        var ink: [(x: Int, y: Int)] = []
        for pixel in 0..<pixels.width * pixels.height where (pixels.bytes[pixel * 3..<pixel * 3 + 3].max() ?? 255) < 90 {
            ink.append((pixel % pixels.width, pixel / pixels.width))
        }
        guard let top = ink.map(\.y).min() else { return nil }
        let near = ink.filter { $0.y < top + 10 }.map(\.x)
        guard let left = near.min(), let right = near.max() else { return nil }
        return (top, Double(near.reduce(0, +)) / Double(near.count), right - left)
    }

    /// An iPhone photo stored on its side with an `irot` of 270 degrees and EXIF orientation 6: libheif turns
    /// it upright, and the EXIF orientation must not turn it again. The one decode of several boxes is upright too.
    @Test func aRotatedHEICComesOutUpright() throws {
        let path = Corpus.file("heif/heic-iphone-rotated-arrow.heic")
        let specs = [ThumbnailSpec.standard, ThumbnailSpec(width: 400, height: 600), ThumbnailSpec(width: 200, height: 300, format: .webp)]
        let made = try Thumbnailer().render(path: path, specs: specs)
        let dir = try TemporaryDirectory()
        for (spec, bytes) in zip(specs, made) {
            let pixels = try Pixels(file: try dir.write("t.\(spec.format.fileExtension)", bytes))
            let scale = Double(spec.height) / 300
            let found = try #require(tip(pixels), "\(spec): no ink")
            #expect(Double(found.row) < 50 * scale && abs(found.middle - Double(spec.width) / 2) < 20 * scale
                    && Double(found.spread) < 30 * scale, "\(spec): the arrow is not upright: \(found)")
            // The check tells orientations apart: the same thumbnail upside down fails it.
            let flipped = try #require(tip(pixels.flippedUpsideDown()))
            #expect(Double(flipped.row) > 50 * scale || Double(flipped.spread) > 30 * scale, "\(spec): upside down passes: \(flipped)")
        }
    }
}
