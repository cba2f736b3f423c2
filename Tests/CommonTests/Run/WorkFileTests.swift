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

    @Test func aNumberInAFile() throws {
        let folder = try TemporaryDirectory()
        #expect(WorkFile.number(try folder.write("count", Data(" 42\n".utf8))) == 42)
        #expect(WorkFile.number(try folder.write("bad", Data("4 2x\n".utf8))) == nil)
        #expect(WorkFile.number(folder.path + "/none") == nil)
    }
}
