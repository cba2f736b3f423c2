import Foundation
import TestSupport
import Testing
@testable import Common

@Suite(.unitTimeLimit) struct ExistenceStageTests {
    /// A stage whose server is not there: `checking: false` asks it nothing.
    static func stage() throws -> ExistenceStage {
        let config = try SpacesConfig.resolve(["SPACES_ACCESS_KEY": "k", "SPACES_SECRET_KEY": "s", "SPACES_BUCKET": "b",
                                               "SPACES_ENDPOINT": "http://127.0.0.1:9"])
        return ExistenceStage(checker: ExistenceChecker(client: try S3Client(config: config), strategy: .auto, checksum: false, warn: { _ in }),
                              report: { _ in })
    }

    static func record(_ rel: String) -> String {
        #"{"path":"/p/\#(rel)","rel":"\#(rel)","key":"k/\#(rel)","thumbnail_key":"t/\#(rel)"}"# + "\n"
    }

    /// `spaces-exists --stream --no-skip`: what came before each pause goes out then, in order, without waiting
    /// for the end of the input.
    @Test func aStreamIsWrittenAtEachPause() throws {
        let stage = try Self.stage()
        let fd = LineReaderTests.pipe { fd in
            LineReaderTests.say(Self.record("a.jpg") + Self.record("b.jpg"), fd)
            usleep(600_000)
            LineReaderTests.say("not json\n" + Self.record("c.jpg"), fd)
        }
        defer { close(fd) }
        var chunks: [[String]] = []
        let output = try stage.stream(reading: LineReader(fd: fd), idle: 0.2, checking: false) { lines in
            chunks.append(lines.map { (try? RecordCoding.decode($0).rel) ?? "?" })
            return true
        }
        // Two parts: the first left in the pause, before the rest of the input came.
        #expect(chunks.count == 2 && chunks[0] == ["a.jpg", "b.jpg"], "\(chunks)")
        #expect(chunks.last?.last == "c.jpg" && chunks.last?.count == 2, "a line that is not a record goes out as a failed one")
        #expect(output.malformed == 1 && output.checked == 3)
    }

    /// A steady trickle, a record every 50 ms for a second, never pauses for 0.2 s: each part still leaves
    /// within about 0.2 s of its first record.
    @Test func aTrickleIsWrittenWithinTheIdleTimeOfItsFirstRecord() throws {
        let stage = try Self.stage()
        let fd = LineReaderTests.pipe { fd in
            for number in 0..<20 {
                LineReaderTests.say(Self.record("\(number).jpg"), fd)
                usleep(50_000)
            }
        }
        defer { close(fd) }
        var parts = 0
        _ = try stage.stream(reading: LineReader(fd: fd), idle: 0.2, checking: false) { lines in
            parts += 1
            return true
        }
        #expect(parts >= 4, "\(parts) parts in 1 s")
    }
}
