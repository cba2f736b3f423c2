import Common
import Foundation
import TestSupport
import Testing

/// The img-scan binary, run as a user runs it.
@Suite(.integrationTimeLimit) struct ImgScanTests {
    @Test func aMissingFolderIsFatal() throws {
        let run = try Shell.run("img-scan /no/such/folder")
        #expect(run.status == 2)
        #expect(run.stderr == "img-scan: error: Directory not found: /no/such/folder\n")
        #expect(run.lines.isEmpty)
        #expect(run.markers == [StreamMarker(.begin, by: "img-scan"),
                                StreamMarker(.end, by: "img-scan", exit: 2, records: 0, failed: 0, error: "Directory not found: /no/such/folder")])
    }

    @Test func outputEndsQuietlyWhenThePipeCloses() throws {
        let photos = try TemporaryDirectory()
        for index in 0..<3000 { try photos.write("p\(index).jpg") }
        let run = try Shell.run("img-scan \(photos.path) | head -2")
        #expect(run.status == 0)
        #expect(run.stderr.isEmpty, "\(run.stderr)")
        #expect(run.lines.count == 1 && run.markers == [StreamMarker(.begin, by: "img-scan")])
    }

    @Test func unreadableFilesAndFoldersAreReportedAndTheScanGoesOn() throws {
        let photos = try TemporaryDirectory()
        try photos.write("ok.jpg")
        try photos.write("locked/inside.jpg")
        try photos.write("secret.jpg")
        chmod(photos.path + "/locked", 0)
        chmod(photos.path + "/secret.jpg", 0)
        // Run as an unprivileged user when the tests run as root, or root would read everything.
        let asUser = getuid() == 0 ? "setpriv --reuid=65534 --regid=65534 --clear-groups " : ""
        chmod(photos.path, 0o755)
        let run = try Shell.run("\(asUser)\(Harness.binDirectory)/img-scan \(photos.path)")
        #expect(run.status == 1)
        let records = try run.records()
        // The folder it could not read is a failed record of its own, so that a run counts and reports it.
        #expect(records.map(\.rel) == ["locked", "ok.jpg", "secret.jpg"])
        #expect(records[0].status == .failed && records[0].error == "cannot read folder: permission denied; the images in it were not scanned")
        #expect(records[2].status == .failed && records[2].error == "permission denied")
        #expect(run.stderr.contains("img-scan: error: \(photos.path)/locked: cannot read folder: permission denied"))
        #expect(run.stderr.contains("img-scan: error: \(photos.path)/secret.jpg: permission denied"))
    }

    /// Whether an image's thumbnail key is shared does not depend on whether the other file can be read today:
    /// `a.png` fails beside an unreadable `a.jpg`, and `--thumbnail-names full` takes it.
    @Test func anUnreadableNameStillTakesPartInACollision() throws {
        let photos = try TemporaryDirectory()
        try photos.write("a.jpg")
        try photos.write("a.png")
        chmod(photos.path + "/a.jpg", 0)
        chmod(photos.path, 0o755)
        let asUser = getuid() == 0 ? "setpriv --reuid=65534 --regid=65534 --clear-groups " : ""
        let run = try Shell.run("\(asUser)\(Harness.binDirectory)/img-scan \(photos.path)")
        #expect(run.status == 1)
        let records = try run.records()
        #expect(records.map(\.rel) == ["a.jpg", "a.png"])
        #expect(records.first?.error == "permission denied")
        #expect(records.last?.status == .failed && records.last?.thumbnailKey == nil)
        #expect(run.stderr.contains("img-scan: error: \(photos.path)/a.png: its thumbnail key avatar/thumbnail/a.jpg is also that of a.jpg, so none of them is uploaded"), "\(run.stderr)")
        let full = try Shell.run("\(asUser)\(Harness.binDirectory)/img-scan --thumbnail-names full \(photos.path)")
        #expect(try full.records().last?.thumbnailKey == "avatar/thumbnail/a.png.jpg")
        #expect(try full.records().last?.status == nil)
    }
}
