import Foundation
import TestSupport
import Testing
@testable import Common

@Suite(.unitTimeLimit) struct LineReaderTests {
    /// A pipe whose writing end `feed` writes to, on a thread of its own.
    static func pipe(_ feed: @escaping @Sendable (Int32) -> Void) -> Int32 {
        var ends: [Int32] = [0, 0]
        _ = Glibc.pipe(&ends)
        let writer = ends[1]
        Thread.detachNewThread {
            feed(writer)
            close(writer)
        }
        return ends[0]
    }

    static func say(_ text: String, _ fd: Int32) { _ = FileWrite.all(Data(text.utf8), fd: fd) }

    @Test func linesAndTheWaitForTheNext() throws {
        let fd = Self.pipe { fd in
            Self.say("a\nb\n", fd)
            usleep(400_000)
            Self.say("c", fd)
        }
        defer { close(fd) }
        let reader = LineReader(fd: fd)
        #expect(reader.next() == Data("a".utf8))
        #expect(reader.waitForLine(timeout: 0), "b is buffered")
        #expect(reader.next() == Data("b".utf8))
        #expect(!reader.waitForLine(timeout: 0.1), "nothing comes within 0.1 s")
        #expect(reader.waitForLine(timeout: 2))
        #expect(reader.next() == Data("c".utf8), "a last line without its newline")
        #expect(reader.next() == nil && reader.waitForLine(timeout: 0))
    }

    /// A stage whose output's reader is gone stops reading, even while no input comes.
    @Test func aClosedOutputEndsTheInput() throws {
        var input: [Int32] = [0, 0], output: [Int32] = [0, 0]
        _ = Glibc.pipe(&input)
        _ = Glibc.pipe(&output)
        defer { close(input[0]); close(input[1]); close(output[1]) }
        Self.say("a\n", input[1])
        let reader = LineReader(fd: input[0], output: output[1])
        #expect(reader.next() == Data("a".utf8))
        #expect(!LineReader.readerGone(output[1]))
        Thread.detachNewThread { [reader = output[0]] in
            usleep(200_000)
            close(reader)
        }
        #expect(reader.next() == nil && reader.outputClosed, "no more input came, and the output's reader went")
        #expect(LineReader.readerGone(output[1]))
    }
}
