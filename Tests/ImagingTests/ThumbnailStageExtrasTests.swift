import Common
import Foundation
@testable import Imaging
import TestSupport
import Testing

/// The stopgap `extra_thumbnails` field: more thumbnails of a record from the same decode.
@Suite struct ThumbnailStageExtrasTests {
    init() throws { try Vips.start(threads: 1) }

    struct Output: Decodable {
        var thumbnail_path: String?
        var status: String?
        var error: String?
        var extra_thumbnails: [ThumbnailStage.ExtraThumbnail]?
    }

    func process(_ line: String, in dir: TemporaryDirectory) throws -> Output {
        let stage = try ThumbnailStage(thumbnailer: Thumbnailer(), directory: dir.path + "/t", report: { _ in })
        let output = try #require(stage.process(line: Data(line.utf8), lineNumber: 1))
        return try JSONDecoder().decode(Output.self, from: output)
    }

    @Test func eachExtraIsWrittenInItsFormatAndRecorded() throws {
        let dir = try TemporaryDirectory()
        let path = Corpus.file("exif/exif-orient-6.jpg")
        let line = #"{"path":"\#(path)","rel":"a.jpg","thumbnail_key":"thumbnail/a.jpg","extra_thumbnails":"#
            + #"[{"key":"thumbnail-400x600/a.jpg","box":"400x600","format":"jpeg","quality":85},{"key":"thumbnail/a.webp","box":"200x300","format":"webp"}]}"#
        let output = try process(line, in: dir)
        let extras = try #require(output.extra_thumbnails)
        #expect(extras.count == 2 && output.status == nil)
        for (extra, (width, height, suffix)) in zip(extras, [(400, 600, ".jpg"), (200, 300, ".webp")]) {
            let file = try #require(extra.path)
            #expect(file.hasSuffix(suffix) && file != output.thumbnail_path)
            let pixels = try Pixels(file: file)
            #expect(pixels.width == width && pixels.height == height)
            #expect(extra.size == (try FileManager.default.attributesOfItem(atPath: file)[.size] as? Int).map(Int64.init))
        }
    }

    @Test func aBadExtraFailsTheRecord() throws {
        let dir = try TemporaryDirectory()
        let line = #"{"path":"\#(Corpus.file("exif/exif-orient-6.jpg"))","rel":"a.jpg","thumbnail_key":"t","extra_thumbnails":[{"key":"k","box":"40","format":"gif"}]}"#
        let output = try process(line, in: dir)
        #expect(output.status == "failed" && output.error?.hasPrefix("extra_thumbnails: ") == true, "\(output)")
    }
}
