import Foundation
import TestSupport
import Testing
@testable import Common

/// spaces-get's checks of what it downloaded, and which lines it leaves out.
@Suite(.unitTimeLimit) struct DownloaderTests {
    let folder: TemporaryDirectory

    init() throws { folder = try TemporaryDirectory() }

    func sink(_ bytes: String, etag: String, headers: [String: String] = [:]) throws -> (ResponseSink, String) {
        let path = folder.path + "/f\(UInt32.random(in: 0...UInt32.max))"
        try Data(bytes.utf8).write(to: URL(fileURLWithPath: path))
        let sink = ResponseSink(fd: -1)
        sink.written = Int64(bytes.utf8.count)
        sink.etag = etag
        sink.headers = headers
        return (sink, path)
    }

    @Test func theBytesAreCheckedByTheETagOrTheStoredMD5AndTheLength() throws {
        let md5 = "5d41402abc4b2a76b9719d911017c592"  // "hello"
        var (checked, path) = try sink("hello", etag: md5, headers: ["content-length": "5"])
        #expect(Downloader.problem(with: path, from: checked) == nil)
        (checked, path) = try sink("hellO", etag: md5)
        #expect(Downloader.problem(with: path, from: checked)?.hasPrefix("MD5 ") == true)
        (checked, path) = try sink("hello", etag: "0123456789abcdef0123456789abcdef-2", headers: ["x-amz-meta-md5": md5])
        #expect(Downloader.problem(with: path, from: checked) == nil)
        (checked, path) = try sink("hellO", etag: "0123456789abcdef0123456789abcdef-2", headers: ["x-amz-meta-md5": md5])
        #expect(Downloader.problem(with: path, from: checked) != nil)
        (checked, path) = try sink("hellO", etag: "0123456789abcdef0123456789abcdef-2")
        #expect(Downloader.problem(with: path, from: checked) == nil, "another tool's multipart object: only its length to go by")
        (checked, path) = try sink("hell", etag: "0123456789abcdef0123456789abcdef-2", headers: ["content-range": "bytes 2-3/5"])
        #expect(Downloader.problem(with: path, from: checked) == "4 bytes, not 5")
    }

    @Test func thumbnailsAndOtherObjectsOfTheListingAreLeftOut() {
        #expect(Downloader.isOtherListingLine(Data(#"{"key":"a/thumbnail/x.jpg","kind":"thumbnail","size":3}"#.utf8)))
        #expect(!Downloader.isOtherListingLine(Data(#"{"kind":"original","path":"s3://b/k","rel":"k"}"#.utf8)))
        #expect(!Downloader.isOtherListingLine(Data(#"{"path":"/p/a.jpg","rel":"a.jpg"}"#.utf8)))
    }

    @Test func eachKeyHasAFileOfItsOwnKeepingItsExtension() {
        let name = Downloader.fileName(key: "avatar/original/a b/ç.JPG", rel: "a b/ç.JPG")
        #expect(name.hasSuffix(".jpg") && name.count == 36 && !name.contains("/"))
        #expect(Downloader.fileName(key: "k/x", rel: "x") != Downloader.fileName(key: "k/y", rel: "x"))
        #expect(!Downloader.fileName(key: "k", rel: "a.j/p g").contains(" "))
    }
}
