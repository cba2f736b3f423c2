@testable import Common
import Foundation
import TestSupport
import Testing

/// Batch files taken one at a time from a shared queue folder, as upload-images' workers take them.
@Suite(.unitTimeLimit) struct BatchQueueTests {
    func queue(_ batches: [String: String]) throws -> (TemporaryDirectory, String) {
        let folder = try TemporaryDirectory()
        let queue = folder.path + "/batches"
        try FileManager.default.createDirectory(atPath: queue, withIntermediateDirectories: false)
        for (name, text) in batches { try Data(text.utf8).write(to: URL(fileURLWithPath: queue + "/" + name)) }
        return (folder, queue)
    }

    func lines(_ taker: BatchQueue) -> [String] {
        var all: [String] = []
        while let line = taker.next() { all.append(String(decoding: line, as: UTF8.self)) }
        return all
    }

    @Test func takesTheBatchesInNameOrderAndMovesEachIntoItsFolder() throws {
        let (folder, queue) = try queue(["batch.000001": "c\nd\n", "batch.000000": "a\nb\n", ".hidden": "x\n"])
        let claimed = folder.path + "/lane"
        try FileManager.default.createDirectory(atPath: claimed, withIntermediateDirectories: false)
        let taker = BatchQueue(queue: queue, claimed: claimed)
        #expect(lines(taker) == ["a", "b", "c", "d"])
        #expect(taker.lineNumber == 4)
        #expect(try FileManager.default.contentsOfDirectory(atPath: claimed).sorted() == ["batch.000000", "batch.000001"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: queue) == [".hidden"])
    }

    /// Two takers share one queue: every line reaches exactly one of them, and the next batch is taken only
    /// once the one in hand has been read to its end.
    @Test func twoTakersShareTheQueueWithoutTakingABatchTwice() throws {
        var batches: [String: String] = [:]
        for index in 0..<10 { batches[String(format: "batch.%06d", index)] = "\(index)a\n\(index)b\n" }
        let (folder, queue) = try queue(batches)
        let lanes = [folder.path + "/1", folder.path + "/2"]
        for lane in lanes { try FileManager.default.createDirectory(atPath: lane, withIntermediateDirectories: false) }
        let first = BatchQueue(queue: queue, claimed: lanes[0]), second = BatchQueue(queue: queue, claimed: lanes[1])
        var seen: [String] = []
        for _ in 0..<10 {
            if let line = first.next() { seen.append(String(decoding: line, as: UTF8.self)) }
            if let line = second.next() { seen.append(String(decoding: line, as: UTF8.self)) }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: lanes[0]).count == 5)
        #expect(try FileManager.default.contentsOfDirectory(atPath: lanes[1]).count == 5)
        #expect(seen.sorted() == (0..<10).flatMap { ["\($0)a", "\($0)b"] }.sorted())
    }

    /// Renaming the queue folder away (a stop) ends every taker after its batch in hand.
    @Test func aQueueRenamedAwayEndsAfterTheBatchInHand() throws {
        let (folder, queue) = try queue(["batch.000000": "a\nb\n", "batch.000001": "c\n"])
        let claimed = folder.path + "/lane"
        try FileManager.default.createDirectory(atPath: claimed, withIntermediateDirectories: false)
        let taker = BatchQueue(queue: queue, claimed: claimed)
        #expect(taker.next().map { String(decoding: $0, as: UTF8.self) } == "a")
        #expect(rename(queue, folder.path + "/unstarted") == 0)
        #expect(taker.next().map { String(decoding: $0, as: UTF8.self) } == "b")
        #expect(taker.next() == nil)
        #expect(FileManager.default.fileExists(atPath: folder.path + "/unstarted/batch.000001"))
    }

    /// A claim folder that is not there fails every rename: the queue ends instead of trying forever.
    @Test func aMissingClaimFolderEndsTheQueueInsteadOfSpinning() throws {
        let (folder, queue) = try queue(["batch.000000": "a\n"])
        let taker = BatchQueue(queue: queue, claimed: folder.path + "/no-such-folder")
        #expect(taker.next() == nil)
        #expect(FileManager.default.fileExists(atPath: queue + "/batch.000000"))
    }
}
