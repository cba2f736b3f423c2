import Crypto
import Foundation
import Testing
import TestSupport
@testable import Common

/// Parts hashed ahead by their own thread and by the senders, whichever comes first: every part gets the hashes of
/// its own range, once.
@Suite(.unitTimeLimit) struct PartHashesTests {
    @Test func everyPartGetsTheHashesOfItsRangeWhoeverHashesIt() throws {
        let folder = try TemporaryDirectory()
        let mebibyte = Int(MultipartSettings.mebibyte)
        let random = try #require(FileHandle(forReadingAtPath: "/dev/urandom"))
        let bytes = try #require(try random.read(upToCount: 23 * mebibyte + 5))
        let path = try folder.write("scan.tif", bytes)
        let plan = try MultipartPlan(size: Int64(bytes.count), partSize: 5 * Int64(mebibyte))
        let hashes = PartHashes(plan: plan, file: path)
        hashes.hashAhead()
        // Senders ask from the end while the thread hashing ahead goes from the start: they meet in the middle.
        for number in (1...plan.partCount).reversed() {
            let part = plan.part(number)
            let range = Int(part.offset)..<Int(part.offset + part.length)
            let got = try hashes.hashes(of: number)
            #expect(got.md5 == Data(Insecure.MD5.hash(data: bytes[range])), "part \(number)")
            #expect(got.sha256 == Data(SHA256.hash(data: bytes[range])), "part \(number)")
        }
        hashes.stop()
        hashes.stop()  // twice is fine
    }

    @Test func aFileThatIsGoneFailsThePartThatNeedsIt() throws {
        let plan = try MultipartPlan(size: 6 << 20, partSize: 5 << 20)
        let hashes = PartHashes(plan: plan, file: "/nonexistent/scan.tif")
        hashes.hashAhead()
        defer { hashes.stop() }
        #expect(throws: FileError.self) { try hashes.hashes(of: 2) }
        #expect(throws: FileError.self) { try hashes.hashes(of: 1) }
    }

    /// Stopped, the thread takes no new part; a sender still gets every hash, made by itself.
    @Test func afterStopTheSendersHashWhatIsLeft() throws {
        let folder = try TemporaryDirectory()
        let path = try folder.write("a.bin", Data(repeating: 0x5A, count: 11 << 20))
        let plan = try MultipartPlan(size: 11 << 20, partSize: 5 << 20)
        let hashes = PartHashes(plan: plan, file: path)
        hashes.stop()
        let last = try hashes.hashes(of: 3)
        #expect(last.md5 == Data(Insecure.MD5.hash(data: Data(repeating: 0x5A, count: 1 << 20))))
    }
}
