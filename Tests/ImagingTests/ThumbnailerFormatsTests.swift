import Common
import Foundation
@testable import Imaging
import TestSupport
import Testing

/// Thumbnails as JPEG, WebP and AVIF from one call: exact sizes, formats that decode back, no metadata.
@Suite(.unitTimeLimit) struct ThumbnailerFormatsTests {
    init() throws { try Vips.start(threads: 1) }

    static let specs = [ThumbnailSpec.standard, ThumbnailSpec(width: 400, height: 600),
                        ThumbnailSpec(width: 200, height: 300, format: .webp), ThumbnailSpec(width: 120, height: 80, format: .avif, quality: 60)]

    /// Photos with EXIF, GPS and ICC profiles, transparency, a turned camera photo and a HEIC.
    @Test(arguments: ["photos/photo-canon-camera-orient6.jpg", "jpeg/jpeg-progressive-big-icc.jpg", "sub/日本語 画像.webp",
                      "photos/blackbug-rgba-2048x1536.png", "heif/heic-iphone-rotated-arrow.heic"])
    func everyFormatComesOutAtItsSizeDecodesBackAndCarriesNoMetadata(_ rel: String) throws {
        let made = try Thumbnailer().render(path: Corpus.file(rel), specs: Self.specs)
        #expect(made.count == Self.specs.count)
        let dir = try TemporaryDirectory()
        for (spec, bytes) in zip(Self.specs, made) {
            let pixels = try Pixels(file: try dir.write("t.\(spec.format.fileExtension)", bytes))
            #expect(pixels.width == spec.width && pixels.height == spec.height && pixels.bands == 3, "\(rel) \(spec)")
            #expect(ImageMetadata.format(of: bytes) == spec.format, "\(rel) \(spec)")
            #expect(!ImageMetadata.carriesMetadata(bytes), "\(rel) \(spec): the thumbnail carries metadata")
        }
    }

    /// One picture in three formats: each decodes to nearly the same pixels (lossy encoders differ a little).
    @Test func theFormatsShowTheSamePicture() throws {
        let specs = [ThumbnailSpec(width: 200, height: 300, format: .jpeg, quality: 95), ThumbnailSpec(width: 200, height: 300, format: .webp, quality: 95),
                     ThumbnailSpec(width: 200, height: 300, format: .avif, quality: 90)]
        let made = try Thumbnailer().render(path: Corpus.file("photos/photo-jolla-phone.jpg"), specs: specs)
        let dir = try TemporaryDirectory()
        let pixels = try zip(specs, made).map { spec, bytes in try Pixels(file: try dir.write("t.\(spec.format.fileExtension)", bytes)) }
        for other in pixels.dropFirst() {
            let difference = try #require(pixels[0].meanDifference(other))
            #expect(difference < 4, "the formats differ by \(difference)")
        }
    }

    /// The metadata checks find what they look for: the corpus's WebP with EXIF, its AVIF (EXIF copied from
    /// its JPEG) and a camera JPEG all carry some.
    @Test func theMetadataCheckFindsMetadata() throws {
        for rel in ["sub/日本語 画像.webp", "heif/avif-photo-1800x1200.avif", "photos/photo-canon-camera-orient6.jpg"] {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: Corpus.file(rel)))
            #expect(ImageMetadata.carriesMetadata(bytes), "\(rel)")
        }
    }

    /// Each quality is its spec's own.
    @Test func eachFormatHasItsOwnQuality() throws {
        let path = Corpus.file("photos/photo-jolla-phone.jpg")
        for format in ThumbnailSpec.Format.allCases {
            let made = try Thumbnailer().render(path: path, specs: [ThumbnailSpec(width: 200, height: 300, format: format, quality: 20),
                                                                   ThumbnailSpec(width: 201, height: 300, format: format, quality: 90)])
            #expect(made[0].count < made[1].count, "\(format): quality 20 gives \(made[0].count) bytes, 90 gives \(made[1].count)")
        }
    }

    /// The single thumbnail of old is the one-spec case, byte for byte, and the same box twice in one list
    /// is made once and encoded twice.
    @Test func theOneThumbnailIsTheFirstOfAList() throws {
        let path = Corpus.file("photos/photo-canon-camera-orient6.jpg")
        let alone = try Thumbnailer().render(path: path)
        let listed = try Thumbnailer().render(path: path, specs: [.standard, ThumbnailSpec(width: 200, height: 300, format: .webp)])
        #expect(listed[0] == alone)
        #expect(try Thumbnailer().render(path: path, specs: []).isEmpty)
    }

    @Test func thisLibvipsEncodesEveryFormat() throws {
        for format in ThumbnailSpec.Format.allCases { try Thumbnailer.checkEncoder(for: format) }
        #expect(ImagingError.encode(format: "AVIF", why: "heifsave: Unsupported compression").description
                == "cannot encode the thumbnail as AVIF: heifsave: Unsupported compression")
    }
}

/// What an encoded thumbnail is, and whether it carries metadata, read from its bytes.
enum ImageMetadata {
    static func format(of bytes: Data) -> ThumbnailSpec.Format? {
        switch ContentType.sniff(Array(bytes.prefix(64))) {
        case "image/jpeg": return .jpeg
        case "image/webp": return .webp
        case "image/avif": return .avif
        default: return nil
        }
    }

    /// JPEG: EXIF, XMP, ICC, IPTC or comment segments; WebP: EXIF, XMP or ICC chunks; AVIF: an Exif or XMP
    /// (`mime`) item or an ICC colour box (`prof`, `rICC`) in its `meta` box.
    static func carriesMetadata(_ data: Data) -> Bool {
        let bytes = [UInt8](data)
        switch format(of: data) {
        case .jpeg: return JPEGMarkers.hasMetadata(data)
        case .webp:
            var index = 12
            while index + 8 <= bytes.count {
                let name = String(decoding: bytes[index..<index + 4], as: UTF8.self)
                if ["EXIF", "XMP ", "ICCP"].contains(name) { return true }
                let size = Int(bytes[index + 4]) | Int(bytes[index + 5]) << 8 | Int(bytes[index + 6]) << 16 | Int(bytes[index + 7]) << 24
                index += 8 + size + size % 2
            }
            return false
        case .avif:
            var index = 0
            while index + 8 <= bytes.count {
                let size = Int(bytes[index]) << 24 | Int(bytes[index + 1]) << 16 | Int(bytes[index + 2]) << 8 | Int(bytes[index + 3])
                guard size >= 8 else { return false }
                if String(decoding: bytes[index + 4..<index + 8], as: UTF8.self) == "meta" {
                    let meta = bytes[index..<min(bytes.count, index + size)]
                    return ["Exif", "mime", "prof", "rICC"].contains { name in
                        let needle = Array(name.utf8)
                        return meta.indices.dropLast(3).contains { meta[$0..<$0 + 4].elementsEqual(needle) }
                    }
                }
                index += size
            }
            return false
        case nil: return true
        }
    }
}
