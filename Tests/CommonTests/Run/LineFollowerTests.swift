@testable import Common
import Foundation
import TestSupport
import Testing

/// Following a file that others append to: only what was added is read, and only whole lines count.
@Suite(.unitTimeLimit) struct LineFollowerTests {
    @Test func countsWholeNewLinesAndFailures() throws {
        let folder = try TemporaryDirectory()
        let path = try folder.write("results.jsonl", Data("{\"old\":1}\n".utf8))
        var follower = LineFollower(path: path, offset: 10)
        follower.update()
        #expect(follower.lines == 0)
        WorkFile.append(Data("{\"status\":\"uploaded\"}\n{\"status\":\"failed\"}\n{\"status\":\"fai".utf8), to: path)
        follower.update()
        #expect(follower.lines == 2 && follower.failed == 1)
        WorkFile.append(Data("led\"}\n".utf8), to: path)
        follower.update()
        #expect(follower.lines == 3 && follower.failed == 2)
        WorkFile.append(Data("{\"status\":\"skipped\"}\n".utf8), to: path)
        follower.update()
        #expect(follower.lines == 4 && follower.failed == 2 && follower.skipped == 1)
    }
}
