@testable import Imaging
import TestSupport
import Testing

@Suite(.unitTimeLimit) struct WebPContainerTests {
    func chunk(_ name: String, _ payload: [UInt8]) -> [UInt8] {
        let size = payload.count
        return Array(name.utf8) + [UInt8(size & 0xFF), UInt8(size >> 8 & 0xFF), 0, 0] + payload + (size % 2 == 1 ? [0] : [])
    }

    func riff(_ chunks: [[UInt8]]) -> [UInt8] {
        let body = chunks.flatMap { $0 }
        let size = 4 + body.count
        return Array("RIFF".utf8) + [UInt8(size & 0xFF), UInt8(size >> 8 & 0xFF), 0, 0] + Array("WEBP".utf8) + body
    }

    let picture: [UInt8] = [1, 2, 3, 4, 5]

    @Test func metadataChunksGoAndSoDoesTheHeaderThatOnlyAnnouncedThem() {
        let header = chunk("VP8X", [WebPContainer.exifFlag | WebPContainer.xmpFlag | WebPContainer.iccFlag] + [UInt8](repeating: 0, count: 9))
        let made = riff([header, chunk("ICCP", [9, 9]), chunk("VP8 ", picture), chunk("EXIF", [7, 7, 7]), chunk("XMP ", [8])])
        #expect(WebPContainer.withoutMetadata(made) == riff([chunk("VP8 ", picture)]))
    }

    @Test func anExtendedHeaderStaysForAlphaWithoutItsMetadataFlags() {
        let header = chunk("VP8X", [WebPContainer.alphaFlag | WebPContainer.exifFlag] + [UInt8](repeating: 0, count: 9))
        let kept = chunk("VP8X", [WebPContainer.alphaFlag] + [UInt8](repeating: 0, count: 9))
        let made = riff([header, chunk("ALPH", [1]), chunk("VP8 ", picture), chunk("EXIF", [7])])
        #expect(WebPContainer.withoutMetadata(made) == riff([kept, chunk("ALPH", [1]), chunk("VP8 ", picture)]))
    }

    @Test func aPlainFileIsUnchangedAndABrokenOneIsRefused() {
        let plain = riff([chunk("VP8 ", picture)])
        #expect(WebPContainer.withoutMetadata(plain) == plain)
        #expect(WebPContainer.withoutMetadata(Array(plain.dropLast(2))) == nil)
        #expect(WebPContainer.withoutMetadata(Array("RIFF\0\0\0\0WAVE".utf8)) == nil)
    }
}
