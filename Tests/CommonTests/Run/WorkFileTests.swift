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

    /// A new results file begun with the finished records: the file renamed to it (its mode the one a new file
    /// gets), its last line ended; copied after what is there when it is not empty; a missing file, an empty one.
    @Test func aNewFileIsBegunWithTheLinesOfAnother() throws {
        let folder = try TemporaryDirectory()
        let lines = Data((0..<3_000).map { "{\"n\":\($0)}\n" }.joined().utf8) + Data("{\"last\":1}".utf8)
        let source = try folder.write("finished", lines)
        chmod(source, 0o604)  // no umask makes this of 0666
        var before = stat()
        #expect(stat(source, &before) == 0)
        // The umask as it is (setting it would change it for the tests running beside this one).
        let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        let mask = try #require(status.split(separator: "\n").first { $0.hasPrefix("Umask:") }
            .flatMap { mode_t($0.dropFirst("Umask:".count).trimmingCharacters(in: .whitespaces), radix: 8) })
        let results = folder.path + "/results"
        #expect(WorkFile.begin(results, withLinesOf: source, mode: 0o666) == nil)
        #expect(WorkFile.read(results) == lines + Data("\n".utf8) && !WorkFile.exists(source))
        var info = stat()
        #expect(stat(results, &info) == 0 && info.st_mode & 0o777 == 0o666 & ~mask, "the source's 0604 was not kept")
        #expect(info.st_ino == before.st_ino, "renamed, not copied")
        // Not empty: appended, and the source removed all the same.
        let second = try folder.write("finished2", Data("{\"b\":2}\n".utf8))
        let other = try folder.write("other", Data("{\"a\":1}\n".utf8))
        #expect(WorkFile.begin(other, withLinesOf: second, mode: 0o600) == nil)
        #expect(WorkFile.read(other) == Data("{\"a\":1}\n{\"b\":2}\n".utf8) && !WorkFile.exists(second))
        #expect(WorkFile.begin(folder.path + "/empty", withLinesOf: folder.path + "/none", mode: 0o600) == nil)
        #expect(WorkFile.read(folder.path + "/empty") == Data())
        #expect(WorkFile.begin(folder.path + "/no/such", withLinesOf: other, mode: 0o600) != nil)
    }

    /// The lines read in place are the file's non-empty lines, as `eachLine` gives them: across the buffer's edges, one longer than the buffer, empty
    /// lines left out, a last line without its newline; a missing file gives none.
    @Test func linesReadInPlaceAreTheLinesOfTheFile() throws {
        let folder = try TemporaryDirectory()
        var text = (0..<40_000).map { "{\"n\":\($0),\"pad\":\"\(String(repeating: "y", count: $0 % 97))\"}\n" }.joined()
        text += "\n\n" + String(repeating: "z", count: (5 << 20) / 2) + "\n" + "{\"last\":true}"
        let path = try folder.write("lines", Data(text.utf8))
        var inPlace: [Data] = [], copied: [Data] = []
        WorkFile.eachLineBytes(of: path) { inPlace.append(Data($0)) }
        WorkFile.eachLine(of: path) { copied.append($0) }
        #expect(copied == text.split(separator: "\n").map { Data($0.utf8) }, "the file's non-empty lines")
        #expect(inPlace.count == 40_002 && inPlace == copied)
        #expect(inPlace.last == Data("{\"last\":true}".utf8) && inPlace[40_000].count == (5 << 20) / 2)
        var none = 0
        WorkFile.eachLineBytes(of: folder.path + "/none") { _ in none += 1 }
        #expect(none == 0)
    }

    @Test func aNumberInAFile() throws {
        let folder = try TemporaryDirectory()
        #expect(WorkFile.number(try folder.write("count", Data(" 42\n".utf8))) == 42)
        #expect(WorkFile.number(try folder.write("bad", Data("4 2x\n".utf8))) == nil)
        #expect(WorkFile.number(folder.path + "/none") == nil)
    }
}
