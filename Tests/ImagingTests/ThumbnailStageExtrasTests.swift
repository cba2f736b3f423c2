import Common
import Foundation
@testable import Imaging
import TestSupport
import Testing

/// A record's list of thumbnails (`thumbnail_spec`, `extra_thumbnails`): all made from one decode, each written
/// in its format and recorded.
@Suite(.unitTimeLimit) struct ThumbnailStageExtrasTests {
    init() throws { try Vips.start(threads: 1) }

    func process(_ line: String, in dir: TemporaryDirectory) throws -> ImageRecord {
        let stage = try ThumbnailStage(thumbnailer: Thumbnailer(), directory: dir.path + "/t", report: { _ in })
        let output = try #require(stage.process(line: Data(line.utf8), lineNumber: 1))
        return try RecordCoding.decode(output)
    }

    @Test func eachThumbnailIsWrittenInItsFormatAndRecorded() throws {
        let dir = try TemporaryDirectory()
        let path = Corpus.file("exif/exif-orient-6.jpg")
        let line = #"{"path":"\#(path)","rel":"a.jpg","thumbnail_key":"thumbnail-100x150/a.avif","thumbnail_spec":"100x150.avif","extra_thumbnails":"#
            + #"[{"key":"thumbnail-400x600/a.jpg","spec":"400x600"},{"key":"thumbnail/a.webp","spec":"200x300.webp:60"}]}"#
        let record = try process(line, in: dir)
        #expect(record.status == nil, "\(record.error ?? "")")
        let first = try #require(record.thumbnailPath)
        #expect(first.hasSuffix(".avif"))
        let extras = try #require(record.extraThumbnails)
        #expect(extras.count == 2)
        let files = [(first, record.thumbnailSize)] + extras.map { ($0.path ?? "", $0.size) }
        for ((file, size), (width, height, suffix)) in zip(files, [(100, 150, ".avif"), (400, 600, ".jpg"), (200, 300, ".webp")]) {
            #expect(file.hasSuffix(suffix))
            let pixels = try Pixels(file: file)
            #expect(pixels.width == width && pixels.height == height, "\(file)")
            #expect(size == (try FileManager.default.attributesOfItem(atPath: file)[.size] as? Int).map(Int64.init))
        }
        #expect(Set(files.map(\.0)).count == 3)
    }

    @Test func aBadItemFailsTheRecordAndLeavesNoFile() throws {
        let dir = try TemporaryDirectory()
        let line = #"{"path":"\#(Corpus.file("exif/exif-orient-6.jpg"))","rel":"a.jpg","thumbnail_key":"t","extra_thumbnails":[{"key":"k","spec":"40.gif"}]}"#
        let record = try process(line, in: dir)
        #expect(record.status == .failed && record.error?.hasPrefix("extra_thumbnails: ") == true, "\(record)")
        #expect((try? FileManager.default.contentsOfDirectory(atPath: dir.path + "/t"))?.isEmpty ?? true)
    }
}
