import Foundation
@testable import Imaging
import TestSupport
import Testing

@Suite(.unitTimeLimit) struct JPEGRepairTests {
    func bytes(_ rel: String) throws -> [UInt8] {
        [UInt8](try #require(FileManager.default.contents(atPath: Corpus.file(rel))))
    }

    @Test func aCleanFileNeedsNoRepair() throws {
        #expect(JPEGRepair.repaired(try bytes("exif/exif-orient-1.jpg")) == nil)
        #expect(JPEGRepair.repaired(try bytes("jpeg/jpeg-grayscale.jpg")) == nil)
    }

    @Test func junkBetweenSegmentsAndTheJFIFRevisionAreUndoneExactly() throws {
        let clean = try bytes("exif/exif-orient-1.jpg")
        #expect(JPEGRepair.repaired(try bytes("jpeg/jpeg-junk-before-marker.jpg")) == clean)
        #expect(JPEGRepair.repaired(try bytes("jpeg/jpeg-jfif-revision-2.jpg")) == clean)
    }

    @Test func damageInsideTheScanIsNotTouched() throws {
        #expect(JPEGRepair.repaired(try bytes("broken/broken-corrupt-huffman.jpg")) == nil)
        #expect(JPEGRepair.repaired(try bytes("broken/broken-marker-in-scan.jpg")) == nil)
        // Only the junk goes; the scrambled scan stays as it was, for the decoder to refuse.
        #expect(JPEGRepair.repaired(try bytes("broken/broken-junk-and-corrupt-huffman.jpg")) == (try bytes("broken/broken-corrupt-huffman.jpg")))
    }

    @Test func structuresItCannotFollowAreLeftAlone() {
        #expect(JPEGRepair.repaired([]) == nil)
        #expect(JPEGRepair.repaired(Array("not a jpeg at all".utf8)) == nil)
        // A segment whose length runs past the end of the file.
        #expect(JPEGRepair.repaired([0xFF, 0xD8, 0x00, 0x01, 0xFF, 0xDB, 0x10, 0x00, 0x01]) == nil)
    }
}
