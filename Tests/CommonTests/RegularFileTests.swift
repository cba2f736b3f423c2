import Foundation
import Testing
@testable import Common
import TestSupport

/// Only regular files are opened for reading, and nothing else can make the open wait.
@Suite(.unitTimeLimit) struct RegularFileTests {
    @Test func aRegularFileOpensBlockingAsUsual() throws {
        let dir = try TemporaryDirectory()
        let file = try dir.write("a.jpg")
        let (fd, info) = try RegularFile.open(file)
        defer { close(fd) }
        #expect(info.st_size == 4)
        #expect(fcntl(fd, F_GETFL) & O_NONBLOCK == 0)
    }

    /// A FIFO with no writer would block a plain open(2) forever: this returns at once with the reason, and
    /// so does FileDigest, which spaces-put hashes every file with.
    @Test func otherKindsOfFilesAreRefusedWithWhatTheyAre() throws {
        let dir = try TemporaryDirectory()
        let fifo = dir.path + "/pipe.jpg"
        try #require(mkfifo(fifo, 0o600) == 0)
        for (path, reason) in [(fifo, "not a regular file (a FIFO)"), (dir.path, "not a regular file (a folder)"),
                               ("/dev/null", "not a regular file (a character device)")] {
            #expect(throws: RegularFile.Failure.self, "\(path)") { try RegularFile.open(path) }
            do {
                _ = try FileDigest.compute(path: path)
                Issue.record("\(path) was hashed")
            } catch {
                #expect(error.reason == reason && error.path == path)
            }
        }
        do {
            _ = try RegularFile.open(dir.path + "/missing.jpg")
            Issue.record("a missing file was opened")
        } catch {
            #expect(error.description == "no such file or directory")
        }
    }
}
