import Foundation
import TestSupport
import Testing
@testable import Common

/// One file's record, for `img-scan --watch`: the same as the scan's, in every case the scan has.
@Suite(.unitTimeLimit) struct ImageScannerFileTests {
    @Test func theRecordOfOneFileIsTheScansRecord() throws {
        let folder = try TemporaryDirectory()
        for name in ["a.jpg", "a.png", "a.jpg.jpg", "b.jpg", ".c.jpg", "d.txt", "sub/e.webp", "sub/a.jpg"] { try folder.write(name) }
        #expect(symlink(folder.path + "/nothing.jpg", folder.path + "/dangling.jpg") == 0)
        let bytes = Array(folder.path.utf8) + Array("/caf".utf8) + [0xE9] + Array(".jpg".utf8)
        let fd = (bytes + [0]).withUnsafeBufferPointer { $0.withMemoryRebound(to: CChar.self) { open($0.baseAddress!, O_CREAT | O_WRONLY, 0o644) } }
        #expect(fd >= 0)
        close(fd)
        let scanner = ImageScanner(root: folder.path, prefix: "p", thumbnails: [.standard])
        let scanned = try scanner.scan().records
        var listed: [[UInt8]: [[UInt8]]] = [:]
        for record in scanned where !record.rel.hasPrefix("caf") {
            #expect(scanner.outcome(ofFile: Array(record.rel.utf8), listed: &listed) == .record(record), "\(record.rel)")
        }
        #expect(scanned.filter { $0.status == .failed }.map(\.rel) == ["a.jpg", "a.png", "caf\\xE9.jpg", "dangling.jpg"])
        #expect(scanner.outcome(ofFile: Array("caf".utf8) + [0xE9] + Array(".jpg".utf8), listed: &listed)
                == .record(try #require(scanned.first { $0.rel.hasPrefix("caf") })))
        #expect(scanner.outcome(ofFile: Array(".c.jpg".utf8), listed: &listed) == .notTaken)
        #expect(scanner.outcome(ofFile: Array("d.txt".utf8), listed: &listed) == .notTaken)
        #expect(scanner.outcome(ofFile: Array("sub".utf8), listed: &listed) == .notTaken)
        #expect(scanner.outcome(ofFile: Array("none.jpg".utf8), listed: &listed) == .gone)
    }

    /// With --shard, a file of another part is not taken.
    @Test func aShardTakesItsOwnFilesOnly() throws {
        let folder = try TemporaryDirectory()
        let names = (0..<20).map { "f\($0).jpg" }
        for name in names { try folder.write(name) }
        var listed: [[UInt8]: [[UInt8]]] = [:]
        let shard = try #require(Shard(parsing: "1/2"))
        let scanner = ImageScanner(root: folder.path, prefix: "p", shard: shard)
        let taken = names.filter { if case .record = scanner.outcome(ofFile: Array($0.utf8), listed: &listed) { return true } else { return false } }
        #expect(Set(taken) == Set(try scanner.scan().records.map(\.rel)) && !taken.isEmpty && taken.count < names.count)
    }
}
