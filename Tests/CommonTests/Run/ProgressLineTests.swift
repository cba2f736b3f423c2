@testable import Common
import Testing

/// The progress of the upload: the share done follows the bytes when they are known, else the images.
@Suite(.unitTimeLimit) struct ProgressLineTests {
    @Test func followsTheBytesWhenTheirTotalIsKnown() {
        let line = ProgressLine(done: 1, total: 4, failed: 0, bytes: 3 << 20, totalBytes: 4 << 20, elapsed: 30)
        #expect(line.percent == 75 && line.eta == "0:10")
        #expect(line.bar == "[######################........] 1/4 images, 3.0 MiB of 4.0 MiB (75%), 0.0 img/s 0.1 MB/s ETA 0:10 failed 0")
    }

    @Test func followsTheImagesWithoutSizes() {
        let line = ProgressLine(done: 2, total: 4, failed: 1, bytes: 0, totalBytes: 0, elapsed: 120)
        #expect(line.percent == 50 && line.eta == "2:00")
        #expect(line.plain == "upload-images: progress 2/4 images, 0 bytes (50%), 0.0 img/s, 0.0 MB/s, ETA 2:00, 1 failed")
    }

    @Test func nothingDoneYetHasNoETA() {
        #expect(ProgressLine(done: 0, total: 4, failed: 0, bytes: 0, totalBytes: 100, elapsed: 3).eta == "0:00")
        #expect(ProgressLine(done: 9, total: 4, failed: 0, bytes: 500, totalBytes: 100, elapsed: 3).percent == 100)
    }
}
