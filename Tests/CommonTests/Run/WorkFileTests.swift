@testable import Common
import Foundation
import TestSupport
import Testing

/// The small whole-file reads and writes of a run's work folder.
@Suite(.unitTimeLimit) struct WorkFileTests {
    @Test func wordsAreNULTerminatedAsTheShellReadsThem() throws {
        let folder = try TemporaryDirectory()
        try WorkFile.writeWords(["--prefix", "a b", "", "-x\n"], to: folder.path + "/put.args")
        #expect(WorkFile.read(folder.path + "/put.args") == Data("--prefix\0a b\0\0-x\n\0".utf8))
        #expect(WorkFile.words(folder.path + "/put.args") == ["--prefix", "a b", "", "-x\n"])
        #expect(WorkFile.words(folder.path + "/none.args") == [])
    }

    @Test func appendAndLines() throws {
        let folder = try TemporaryDirectory()
        let path = folder.path + "/f"
        #expect(WorkFile.append(Data("a\n\nb".utf8), to: path) == nil)
        #expect(WorkFile.lines(path) == [Data("a".utf8), Data("b".utf8)])
        #expect(WorkFile.exists(path) && !WorkFile.exists(path + "x"))
        #expect(WorkFile.append(Data("x".utf8), to: folder.path + "/no/such") != nil)
    }

    /// A file of lines appended to another as it is, more than a buffer's worth; a last line without its newline
    /// gets one, so that the next line appended stands alone; a missing file adds nothing.
    @Test func aFileOfLinesIsAppendedWhole() throws {
        let folder = try TemporaryDirectory()
        let long = Data((0..<30_000).map { "{\"n\":\($0),\"pad\":\"\(String(repeating: "x", count: 40))\"}\n" }.joined().utf8)
        let source = try folder.write("finished", long + Data("{\"last\":1}".utf8))
        let path = try folder.write("results", Data("first\n".utf8))
        #expect(long.count > 1 << 20)
        #expect(WorkFile.append(fileAt: source, to: path) == nil)
        #expect(WorkFile.append(Data("next\n".utf8), to: path) == nil)
        #expect(WorkFile.read(path) == Data("first\n".utf8) + long + Data("{\"last\":1}\nnext\n".utf8))
        #expect(WorkFile.append(fileAt: folder.path + "/none", to: path) == nil)
        #expect(WorkFile.append(fileAt: source, to: folder.path + "/no/such") != nil)
    }

    @Test func aNumberInAFile() throws {
        let folder = try TemporaryDirectory()
        #expect(WorkFile.number(try folder.write("count", Data(" 42\n".utf8))) == 42)
        #expect(WorkFile.number(try folder.write("bad", Data("4 2x\n".utf8))) == nil)
        #expect(WorkFile.number(folder.path + "/none") == nil)
    }
}
