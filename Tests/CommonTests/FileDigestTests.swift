import Foundation
import Testing
@testable import Common
import TestSupport

@Suite(.unitTimeLimit) struct FileDigestTests {
    @Test func hashesInOnePass() throws {
        let dir = try TemporaryDirectory()
        let file = try dir.write("a.txt", Data("Welcome to Amazon S3.".utf8))
        let digest = try FileDigest.compute(path: file)
        #expect(digest.size == 21)
        #expect(digest.sha256.hexString == "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072")
        #expect(digest.md5.hexString == "d447d0e8f289f16a12ff6027ce77c258")
        #expect(throws: FileError.self) { try FileDigest.compute(path: dir.path + "/missing") }
    }
}
