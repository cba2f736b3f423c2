import Foundation
import TestSupport
import Testing
@testable import Common

/// spaces-get's checks of what it downloaded, and which lines it leaves out.
@Suite(.unitTimeLimit) struct DownloaderTests {
    let folder: TemporaryDirectory

    init() throws { folder = try TemporaryDirectory() }

    /// A sink that took `bytes` (hashed as they were written) of an answer with this ETag and these headers.
    func sink(_ bytes: String, etag: String, headers: [String: String] = [:]) -> ResponseSink {
        let sink = ResponseSink(fd: -1)
        Array(bytes.utf8).withUnsafeBytes { sink.wrote($0) }
        sink.etag = etag
        sink.headers = headers
        return sink
    }

    @Test func theBytesAreCheckedByTheETagOrTheStoredMD5AndTheLength() throws {
        let md5 = "5d41402abc4b2a76b9719d911017c592"  // "hello"
        var checked = sink("hello", etag: md5, headers: ["content-length": "5"])
        #expect(Downloader.problem(with: checked) == nil)
        checked = sink("hellO", etag: md5)
        #expect(Downloader.problem(with: checked)?.hasPrefix("MD5 ") == true)
        checked = sink("hello", etag: "0123456789abcdef0123456789abcdef-2", headers: ["x-amz-meta-md5": md5])
        #expect(Downloader.problem(with: checked) == nil)
        checked = sink("hellO", etag: "0123456789abcdef0123456789abcdef-2", headers: ["x-amz-meta-md5": md5])
        #expect(Downloader.problem(with: checked) != nil)
        checked = sink("hellO", etag: "0123456789abcdef0123456789abcdef-2")
        #expect(Downloader.problem(with: checked) == nil, "another tool's multipart object: only its length to go by")
        checked = sink("hell", etag: "0123456789abcdef0123456789abcdef-2", headers: ["content-range": "bytes 2-3/5"])
        #expect(Downloader.problem(with: checked) == "4 bytes, not 5")
    }

    @Test func thumbnailsAndOtherObjectsOfTheListingAreLeftOut() {
        #expect(Downloader.isOtherListingLine(Data(#"{"key":"a/thumbnail/x.jpg","kind":"thumbnail","size":3}"#.utf8)))
        #expect(!Downloader.isOtherListingLine(Data(#"{"kind":"original","path":"s3://b/k","rel":"k"}"#.utf8)))
        #expect(!Downloader.isOtherListingLine(Data(#"{"path":"/p/a.jpg","rel":"a.jpg"}"#.utf8)))
    }

    @Test func eachDownloadHasAFileOfItsOwnKeepingItsExtension() {
        let name = Downloader.fileName(tag: "1.2", pid: 4242, number: 7, key: "avatar/original/a b/ç.JPG", rel: "a b/ç.JPG")
        #expect(name.hasPrefix("1.2-p4242-7-") && name.hasSuffix(".jpg") && !name.contains("/"))
        #expect(Downloader.isDownloadName(name) && Downloader.pid(inFileName: name + ".part") == 4242)
        #expect(Downloader.fileName(tag: "t", pid: 1, number: 1, key: "k/x", rel: "x") != Downloader.fileName(tag: "t", pid: 1, number: 2, key: "k/x", rel: "x"))
        #expect(!Downloader.fileName(tag: "t", pid: 1, number: 1, key: "k", rel: "a.j/p g").contains(" "))
        for other in ["id_ed25519", "photo.jpg", "1.2-p4242-7-xyz.jpg", "a-b-c-0123456789abcdef"] {
            #expect(!Downloader.isDownloadName(other), "\(other)")
        }
    }

    /// Only spaces-ls's listing lines are left out: a record with a field of its own named kind is a record.
    @Test func aRecordWithAKindOfItsOwnIsNoListingLine() {
        #expect(!Downloader.isOtherListingLine(Data(#"{"kind":"other","path":"/p/a.jpg","rel":"a.jpg"}"#.utf8)))
        #expect(!Downloader.isOtherListingLine(Data(#"{"kind":"profile","path":"/p/a.jpg","rel":"a.jpg"}"#.utf8)))
        let long = #"{"key":"a/thumbnail/"# + String(repeating: "x", count: 5000) + #".jpg","kind":"thumbnail"}"#
        #expect(Downloader.isOtherListingLine(Data(long.utf8)))
    }

    /// Every spaces-get sharing the folder books its downloads there, under one cap; one object bigger than the
    /// cap goes alone.
    @Test func theFolderIsTheBudget() throws {
        let budget = DiskBudget(folder: folder.path, maxBytes: 100)
        let first = try #require(try budget.book("a.part", size: 60))
        close(first)
        #expect(try budget.book("b.part", size: 60) == nil, "60 + 60 is over 100")
        #expect(budget.used().bytes == 60 && budget.used().names == ["a.part"])
        let small = try #require(try budget.book("c.part", size: 40))
        close(small)
        unlink(folder.path + "/a.part")
        unlink(folder.path + "/c.part")
        let big = try #require(try budget.book("d.part", size: 500), "alone, over the cap")
        close(big)
        #expect(try budget.book("e.part", size: 1) == nil)
        #expect(try budget.book("e.part", size: 1, overCap: true).map { close($0) } != nil)
        #expect(throws: FileError.self) { try budget.book("d.part", size: 1, overCap: true) }
        #expect(DiskBudget.cap(parsing: "2G") == 2 << 30 && DiskBudget.cap(parsing: "0") == nil && DiskBudget.capProblem("x") != nil)
    }

    /// A process killed mid-download leaves its booking; the next one without room removes it when that process
    /// is gone, and leaves a living one's, and whole files, alone.
    @Test func aDeadProcesssBookingIsSweptWhenRoomIsShort() throws {
        let budget = DiskBudget(folder: folder.path, maxBytes: 100)
        let dead = "get-p99999999-1-0123456789abcdef.jpg"
        let alive = "get-p\(getpid())-1-0123456789abcdef.jpg"
        for name in [dead + ".part", alive + ".part", dead] {
            let fd = try #require(try budget.book(name, size: 30, overCap: true))
            close(fd)
        }
        #expect(try budget.book("n.part", size: 20).map { close($0) } != nil, "the dead process's booking made room")
        #expect(budget.used().names == [alive + ".part", dead, "n.part"])
        try budget.commit("n.part", as: "n")
        #expect(budget.used().names.contains("n") && DiskBudget.isBudgetFolder(folder.path))
    }
}
