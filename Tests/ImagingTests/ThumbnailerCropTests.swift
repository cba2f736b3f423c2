import CVips
import Common
import Foundation
@testable import Imaging
import TestSupport
import Testing

/// `--crop attention|entropy` on an image made for it (`Tests/Fixtures/make-attention-target.py`): a detailed
/// red and yellow disc left of centre on a flat slate-blue field. At 200x300 the disc covers about 9% of
/// the thumbnail when kept, and the centre crop keeps only its edge.
@Suite(.unitTimeLimit) struct ThumbnailerCropTests {
    init() throws { try Vips.start(threads: 1) }

    static let target = "crop/attention-subject-left-1200x800.png"
    static let specs = [ThumbnailSpec.standard, ThumbnailSpec(width: 400, height: 600), ThumbnailSpec(width: 200, height: 300, format: .webp)]

    /// The share of a thumbnail's pixels that are not the field (RGB 96,120,140, give or take encoding noise).
    func subjectShare(_ crop: Thumbnailer.Crop, spec: ThumbnailSpec) throws -> Double {
        var thumbnailer = Thumbnailer()
        thumbnailer.crop = crop
        let made = try thumbnailer.render(path: Corpus.file(Self.target), specs: Self.specs)
        let index = try #require(Self.specs.firstIndex(of: spec))
        let dir = try TemporaryDirectory()
        let pixels = try Pixels(file: try dir.write("t.\(spec.format.fileExtension)", made[index]))
        var subject = 0
        for pixel in 0..<pixels.width * pixels.height {
            let rgb = pixels.bytes[pixel * 3..<pixel * 3 + 3].map(Int.init)
            if abs(rgb[0] - 96) + abs(rgb[1] - 120) + abs(rgb[2] - 140) > 60 { subject += 1 }
        }
        return Double(subject) / Double(pixels.width * pixels.height)
    }

    @Test(arguments: specs)
    func attentionAndEntropyKeepTheSubjectTheCentreMisses(_ spec: ThumbnailSpec) throws {
        let centre = try subjectShare(.centre, spec: spec)
        #expect(centre < 0.01, "\(spec): the centre crop shows \(centre) of the disc")
        for crop in [Thumbnailer.Crop.attention, .entropy] {
            let share = try subjectShare(crop, spec: spec)
            #expect(share > 0.07, "\(spec) \(crop): the subject covers only \(share) of the thumbnail")
        }
    }

    /// On a photo whose shape is the box's, there is nothing to choose: every mode gives the same thumbnail.
    @Test func aBoxOfTheImagesShapeLeavesNothingToCrop() throws {
        let path = Corpus.file(Self.target)
        let spec = ThumbnailSpec(width: 300, height: 200)
        let made = try Thumbnailer.Crop.allCases.map { crop in
            try Thumbnailer.with { $0.crop = crop }.render(path: path, specs: [spec])[0]
        }
        #expect(made[1] == made[0] && made[2] == made[0])
    }

    @Test func theModesAreLibvipsStrategies() {
        #expect(Thumbnailer.Crop.allCases.map(\.rawValue) == ["centre", "attention", "entropy"])
        #expect(Thumbnailer.Crop.attention.vips == VIPS_INTERESTING_ATTENTION)
        #expect(Thumbnailer().crop == .centre)
    }
}
