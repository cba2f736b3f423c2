@testable import Common
import Foundation
import Glibc
import TestSupport
import Testing

/// Work folders of runs that were killed are removed by the next run; a live run's never.
@Suite(.unitTimeLimit) struct WorkFolderTests {
    @Test func removesOnlyTheFoldersWhoseOwnerIsGone() throws {
        let temp = try TemporaryDirectory()
        let mine = temp.path + "/upload-images.mine"
        let live = temp.path + "/upload-images.live"
        let dead = temp.path + "/upload-images.dead"
        let reused = temp.path + "/upload-images.reused"
        for folder in [mine, live, dead, reused] { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false) }
        let pid = getpid()
        let start = try #require(WorkFolder.startTime(of: pid))
        try Data("\(pid) \(start)\n".utf8).write(to: URL(fileURLWithPath: live + "/owner"))
        try Data("999999999 1\n".utf8).write(to: URL(fileURLWithPath: dead + "/owner"))
        try Data("\(pid) 1\n".utf8).write(to: URL(fileURLWithPath: reused + "/owner"))  // the PID of another process now
        WorkFolder.removeStale(besides: mine)
        #expect(FileManager.default.fileExists(atPath: mine) && FileManager.default.fileExists(atPath: live))
        #expect(!FileManager.default.fileExists(atPath: dead) && !FileManager.default.fileExists(atPath: reused))
    }
}
