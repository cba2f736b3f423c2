import Foundation
import TestSupport
import Testing
@testable import Common

/// `img-scan --watch`'s turns on a real folder: a file is taken once complete, once; new folders and rescans.
@Suite(.unitTimeLimit) struct WatchScanTests {
    /// Turns until `seconds` passed, every record they gave.
    static func records(_ watch: WatchScan, for seconds: Double) -> [String] {
        let end = WatchScan.clock() + seconds
        var rels: [String] = []
        while WatchScan.clock() < end { rels += watch.turn(timeout: 0.05).records.map(\.rel) }
        return rels
    }

    @Test func aFileIsTakenOnceAfterItsWriterClosedItAndItSettled() throws {
        let folder = try TemporaryDirectory()
        try folder.write("old.jpg")
        let watch = try WatchScan(scanner: ImageScanner(root: folder.path, prefix: "p"))
        // old.jpg was just written: it waits to settle rather than go out with the first scan.
        #expect(try watch.firstScan().records.isEmpty)
        #expect(Self.records(watch, for: WatchScan.settle + 0.3) == ["old.jpg"])
        // Written through one descriptor over 1 s: nothing until it is closed, then once.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: try folder.write("slow.jpg", Data())))
        var seen: [String] = []
        for _ in 0..<5 {
            try handle.write(contentsOf: Data([0xFF, 0xD8, 0xFF, 0xE0]))
            seen += Self.records(watch, for: 0.2)
        }
        #expect(seen.isEmpty, "not while it is written")
        try handle.close()
        #expect(Self.records(watch, for: WatchScan.settle + 0.4) == ["slow.jpg"])
        // Closed, then written again before it settled: taken once, as it is at the end.
        try folder.write("twice.jpg")
        usleep(100_000)
        try folder.write("twice.jpg", Data(repeating: 0xFF, count: 10))
        let twice = Self.records(watch, for: WatchScan.settle + 0.4)
        #expect(twice == ["twice.jpg"])
    }

    @Test func newFoldersRemovedFilesAndRescans() throws {
        let folder = try TemporaryDirectory()
        let watch = try WatchScan(scanner: ImageScanner(root: folder.path, prefix: "p"))
        #expect(try watch.firstScan().records.isEmpty)
        // A folder moved in with images already in it: they predate any watch on it.
        let outside = try TemporaryDirectory()
        try outside.write("album/a.jpg")
        try outside.write("album/deep/b.png")
        #expect(rename(outside.path + "/album", folder.path + "/album") == 0)
        // Gone before it was looked at: not an error, no record.
        try folder.write("brief.jpg")
        #expect(unlink(folder.path + "/brief.jpg") == 0)
        #expect(Set(Self.records(watch, for: WatchScan.settle + 0.4)) == ["album/a.jpg", "album/deep/b.png"])
        try folder.write("album/deep/c.jpg")
        #expect(Self.records(watch, for: WatchScan.settle + 0.4) == ["album/deep/c.jpg"])
        // A rescan takes everything again (what is uploaded is skipped further on).
        watch.rescanRequested = true
        #expect(Set(Self.records(watch, for: WatchScan.settle + 0.4)) == ["album/a.jpg", "album/deep/b.png", "album/deep/c.jpg"])
    }

    /// The folders watched are those the scan enters: each real folder once (a link loop is not followed round),
    /// hidden ones left out.
    @Test func theWatchFollowsTheScansWalk() throws {
        let folder = try TemporaryDirectory()
        try folder.write("a/x.jpg")
        try folder.write(".hidden/y.jpg")
        #expect(symlink(folder.path, folder.path + "/a/loop") == 0)
        let watch = try WatchScan(scanner: ImageScanner(root: folder.path, prefix: "p"))
        #expect(watch.watchedCount == 2, "the root and a")
        _ = try watch.firstScan()
        #expect(Self.records(watch, for: WatchScan.settle + 0.3) == ["a/x.jpg"], "recent: it waited to settle")
        try folder.write(".hidden/z.jpg")
        try folder.write("a/w.jpg")
        #expect(Self.records(watch, for: WatchScan.settle + 0.4) == ["a/w.jpg"])
    }

    /// A folder that arrives holding a link back into the tree (`up -> ..`): its own image is taken, and the
    /// tree's are not sent again under `album/up/...`; a folder renamed in the tree is watched under its new name.
    @Test func aLinkBackIntoTheTreeInAnArrivingFolderIsNotFollowed() throws {
        let folder = try TemporaryDirectory()
        try folder.write("old/a.jpg")
        let watch = try WatchScan(scanner: ImageScanner(root: folder.path, prefix: "p"))
        _ = try watch.firstScan()
        _ = Self.records(watch, for: WatchScan.settle + 0.3)
        let outside = try TemporaryDirectory()
        try outside.write("album/b.jpg")
        #expect(symlink("..", outside.path + "/album/up") == 0)
        #expect(rename(outside.path + "/album", folder.path + "/album") == 0)
        #expect(Self.records(watch, for: WatchScan.settle + 0.4) == ["album/b.jpg"])
        // Renamed, its images have new paths, so new keys, as a scan would give them.
        #expect(rename(folder.path + "/old", folder.path + "/new") == 0)
        #expect(Self.records(watch, for: WatchScan.settle + 0.4) == ["new/a.jpg"])
        try folder.write("new/c.jpg")
        #expect(Self.records(watch, for: WatchScan.settle + 0.4) == ["new/c.jpg"])
    }
}
