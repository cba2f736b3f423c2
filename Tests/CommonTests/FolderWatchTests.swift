import Foundation
import TestSupport
import Testing
@testable import Common

/// inotify events read from the kernel's layout, and a real watch on a real folder.
@Suite(.unitTimeLimit) struct FolderWatchTests {
    /// One struct inotify_event: wd, mask, cookie, len, then the name padded with NULs to `len`.
    static func event(wd: Int32, mask: Int32, name: String = "") -> [UInt8] {
        var bytes: [UInt8] = []
        let padded = name.isEmpty ? [] : Array(name.utf8) + [UInt8](repeating: 0, count: 16 - name.utf8.count % 16)
        for value in [UInt32(bitPattern: wd), UInt32(bitPattern: mask), 0, UInt32(padded.count)] {
            bytes += withUnsafeBytes(of: value.littleEndian, Array.init)
        }
        return bytes + padded
    }

    @Test func eventsAreReadAsFilesFoldersAndOverflow() throws {
        let folder = try TemporaryDirectory()
        let watch = try FolderWatch(root: folder.path, rules: ScanRules())
        watch.pretendWatching(1, folder: [])
        watch.pretendWatching(2, folder: Array("trip".utf8))
        let bytes = Self.event(wd: 1, mask: Int32(IN_CLOSE_WRITE), name: "a.jpg")
            + Self.event(wd: 2, mask: Int32(IN_MOVED_TO), name: "b.png")
            + Self.event(wd: 1, mask: Int32(IN_CREATE | IN_ISDIR), name: "new")
            + Self.event(wd: 1, mask: Int32(IN_CREATE | IN_ISDIR), name: ".hidden")
            + Self.event(wd: 1, mask: Int32(IN_CREATE), name: "c.jpg")          // created: not complete yet
            + Self.event(wd: 9, mask: Int32(IN_CLOSE_WRITE), name: "gone.jpg")  // a watch no longer known
            + Self.event(wd: -1, mask: Int32(IN_Q_OVERFLOW))
            + Self.event(wd: 2, mask: Int32(IN_IGNORED))
            + Self.event(wd: 2, mask: Int32(IN_CLOSE_WRITE), name: "after.jpg")  // its watch was removed
        #expect(watch.parse(bytes[...]) == [.file(Array("a.jpg".utf8)), .file(Array("trip/b.png".utf8)), .folder(Array("new".utf8)), .overflow])
    }

    @Test func aRealFolderReportsWhatIsClosedAfterWritingAndWhatIsMovedIn() throws {
        let folder = try TemporaryDirectory()
        try folder.write("sub/old.jpg")
        try folder.write(".hidden/x.jpg")
        let watch = try FolderWatch(root: folder.path, rules: ScanRules())
        watch.watch([])
        watch.watch(Array("sub".utf8))
        watch.watch(Array("no-such".utf8))
        #expect(watch.count == 2 && watch.takeProblems().isEmpty, "a folder gone before its watch is no problem")
        try folder.write("sub/new.jpg")
        #expect(link(folder.path + "/sub/old.jpg", folder.path + "/hard.jpg") == 0, "a hard link comes whole")
        #expect(symlink(folder.path + "/sub/old.jpg", folder.path + "/soft.jpg") == 0, "so does a symbolic link")
        let opened = open(folder.path + "/opened.jpg", O_CREAT | O_WRONLY, 0o644)  // created, not closed yet: not yet
        defer { close(opened) }
        try folder.write("tmp.part")
        #expect(rename(folder.path + "/tmp.part", folder.path + "/moved.png") == 0)
        try FileManager.default.createDirectory(atPath: folder.path + "/added", withIntermediateDirectories: false)
        let events = watch.next(timeout: 2)
        #expect(events.contains(.file(Array("sub/new.jpg".utf8))))
        #expect(events.contains(.file(Array("moved.png".utf8))))
        #expect(events.contains(.file(Array("tmp.part".utf8))), "closed after writing: the scan's rules decide later")
        #expect(events.contains(.folder(Array("added".utf8))))
        #expect(events.contains(.file(Array("hard.jpg".utf8))) && events.contains(.file(Array("soft.jpg".utf8))))
        #expect(!events.contains(.file(Array("opened.jpg".utf8))))
        #expect(watch.next(timeout: 0.05).isEmpty, "nothing more, and no wait beyond the timeout")
    }
}
