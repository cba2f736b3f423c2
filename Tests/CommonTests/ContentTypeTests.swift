import Foundation
import Testing
@testable import Common
import TestSupport

@Suite(.unitTimeLimit) struct ContentTypeTests {
    @Test(arguments: [
        ([0xFF, 0xD8, 0xFF, 0xE1], "image/jpeg"),
        ([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "image/png"),
        (Array("GIF89a".utf8), "image/gif"),
        (Array("RIFF\u{0}\u{0}\u{0}\u{0}WEBPVP8 ".utf8), "image/webp"),
        (Array("BM6".utf8), "image/bmp"),
        ([0x49, 0x49, 0x2A, 0x00], "image/tiff"),
        ([0x4D, 0x4D, 0x00, 0x2A], "image/tiff"),
    ] as [([UInt8], String)])
    func sniffsRealFormats(head: [UInt8], type: String) {
        #expect(ContentType.sniff(head) == type)
    }

    @Test func contentWinsOverTheName() throws {
        #expect(ContentType.of(head: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0], path: "really-a-png.jpg") == "image/png")
        #expect(ContentType.of(head: Array("hello".utf8), path: "text.gif") == "image/gif")
        #expect(ContentType.of(head: [], path: "empty.xyz") == "application/octet-stream")
    }

    @Test func signaturesMatchOnlyWhereTheyAre() {
        #expect(ContentType.starts(Array("RIFF....WEBP".utf8), with: Array("WEBP".utf8), at: 8))
        #expect(!ContentType.starts(Array("RIFF....WEB".utf8), with: Array("WEBP".utf8), at: 8))
        #expect(!ContentType.starts([0xFF, 0xD8], with: [0xFF, 0xD8, 0xFF]))
    }
}
