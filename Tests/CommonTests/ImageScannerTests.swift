import Foundation
import Testing
@testable import Common
import TestSupport

@Suite struct KeyMapperTests {
    @Test func mapsKeysUnderThePrefix() {
        let keys = KeyMapper(prefix: "/profile/")
        #expect(keys.originalKey(for: "sub/a.PNG") == "profile/original/sub/a.PNG")
        #expect(keys.naturalThumbnailKey(for: "sub/a.b.PNG") == "profile/thumbnail/sub/a.b.jpg")
        #expect(KeyMapper(prefix: "").originalKey(for: "a.jpg") == "original/a.jpg")
    }

    @Test(arguments: ["avatar", "a/b", "/avatar/", "avatar/", "", "/", "photos 2024/team", "v1.2"])
    func prefixesOfFolderNamesAreAccepted(_ prefix: String) {
        #expect(KeyMapper.problem(withPrefix: prefix) == nil, "\(prefix)")
    }

    @Test(arguments: ["..", ".", "./x", "a/../b", "a//b", "x/.", "//a", "a//", "../avatar"])
    func prefixesS3WouldRefuseOrRewriteAreRefused(_ prefix: String) {
        let problem = KeyMapper.problem(withPrefix: prefix)
        #expect(problem?.contains("--prefix") == true && problem?.contains("'\(prefix)'") == true, "\(prefix): \(problem ?? "accepted")")
    }

    @Test func imagesDifferingOnlyByExtensionEachKeepTheirExtension() {
        let keys = KeyMapper(prefix: "avatar")
        let result = keys.thumbnailKeys(for: ["a.jpg", "a.png", "b.jpg", "sub/a.png"])
        #expect(result.keys["a.jpg"] == "avatar/thumbnail/a.jpg.jpg")
        #expect(result.keys["a.png"] == "avatar/thumbnail/a.png.jpg")
        #expect(result.keys["b.jpg"] == "avatar/thumbnail/b.jpg")
        #expect(result.keys["sub/a.png"] == "avatar/thumbnail/sub/a.jpg")
        #expect(result.warnings.count == 2)
    }

    @Test func aKeyThatStillCollidesIsRefusedNotOverwritten() {
        let result = KeyMapper(prefix: "p").thumbnailKeys(for: ["a.jpg", "a.png", "a.png.jpg"])
        #expect(Set(result.keys.values).count == result.keys.count)
        #expect(result.keys["a.png.jpg"] == nil)
    }
}

@Suite struct ImageScannerTests {
    @Test func findsImagesByExtensionInSortedOrder() throws {
        let dir = try TemporaryDirectory()
        for name in ["b.JPG", "a.png", "sub/c.webp", "sub/deeper/d.TIF", "notes.txt", "e.jpeg.bak", "f.gif", "g.bmp", "h.tiff", ".hidden.jpg"] {
            try dir.write(name)
        }
        let result = try ImageScanner(root: dir.path, prefix: "avatar").scan()
        #expect(result.records.map(\.rel) == [".hidden.jpg", "a.png", "b.JPG", "f.gif", "g.bmp", "h.tiff", "sub/c.webp", "sub/deeper/d.TIF"])
        let c = try #require(result.records.first { $0.rel == "sub/c.webp" })
        #expect(c.path == dir.path + "/sub/c.webp")
        #expect(c.key == "avatar/original/sub/c.webp")
        #expect(c.thumbnailKey == "avatar/thumbnail/sub/c.jpg")
        #expect(c.size == 4)
        #expect(!result.hadProblems)
    }

    @Test func missingFolderIsDirectoryNotFound() {
        #expect(throws: ScanError.self) { try ImageScanner(root: "/nonexistent/folder", prefix: "a").scan() }
        #expect(ScanError.directoryNotFound("x").description == "Directory not found: x")
    }

    @Test func symlinkLoopsEndAndLinkedFilesAreFound() throws {
        let dir = try TemporaryDirectory()
        try dir.write("real/a.jpg")
        symlink(dir.path + "/real", dir.path + "/real/loop")
        symlink(dir.path + "/real/a.jpg", dir.path + "/link.jpg")
        symlink(dir.path + "/missing.jpg", dir.path + "/dangling.jpg")
        let result = try ImageScanner(root: dir.path, prefix: "p").scan()
        #expect(result.records.map(\.rel) == ["dangling.jpg", "link.jpg", "real/a.jpg"])
        #expect(result.warnings.contains { $0.contains("symbolic link loop") })
        // A link to nothing is a failed record, counted and listed like any other failure.
        let dangling = result.records[0]
        #expect(dangling.status == .failed && dangling.error == "broken symbolic link to \(dir.path)/missing.jpg (no such file or directory)",
                "\(dangling.error ?? "")")
        #expect(result.hadProblems)
    }

    /// A folder that cannot be read is a failed record naming it (the root itself is fatal); run as nobody,
    /// since root reads every folder.
    @Test func anUnreadableFolderIsAFailedRecord() throws {
        let dir = try TemporaryDirectory()
        try dir.write("ok.jpg")
        try dir.write("locked/inside.jpg")
        chmod(dir.path + "/locked", 0)
        defer { chmod(dir.path + "/locked", 0o755) }
        guard getuid() != 0 else {
            // As root the folder is readable; the binary test in HostileInputTests runs it as nobody.
            #expect(try ImageScanner(root: dir.path, prefix: "p").scan().records.count == 2)
            return
        }
        let result = try ImageScanner(root: dir.path, prefix: "p").scan()
        #expect(result.records.map(\.rel) == ["locked", "ok.jpg"])
        #expect(result.records[0].status == .failed && result.records[0].error?.hasPrefix("cannot read folder: permission denied") == true)
    }

    @Test func namesThatAreNotUTF8AreReportedNotMangled() throws {
        let dir = try TemporaryDirectory()
        try dir.write("ok.jpg")
        let bad = Array(dir.path.utf8) + Array("/bad-\u{00}".utf8).dropLast() + [0xFF, 0xFE] + Array(".jpg".utf8)
        let fd = (bad + [0]).withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { open($0.baseAddress!, O_CREAT | O_WRONLY, 0o644) }
        }
        #expect(fd >= 0)
        close(fd)
        let result = try ImageScanner(root: dir.path, prefix: "p").scan()
        let failed = try #require(result.records.first { $0.status == .failed })
        #expect(failed.rel == "bad-\\xFF\\xFE.jpg")
        #expect(failed.error?.contains("not valid UTF-8") == true)
        #expect(result.records.contains { $0.rel == "ok.jpg" && $0.status == nil })
        #expect(result.hadProblems)
    }

    @Test func unreadableFoldersAreWarningsAndTheScanGoesOn() throws {
        guard getuid() != 0 else { return }  // root reads everything; the same case runs in the integration suite
        let dir = try TemporaryDirectory()
        try dir.write("locked/a.jpg")
        try dir.write("b.jpg")
        chmod(dir.path + "/locked", 0)
        let result = try ImageScanner(root: dir.path, prefix: "p").scan()
        #expect(result.records.map(\.rel) == ["b.jpg"])
        #expect(result.warnings.contains { $0.contains("locked") && $0.contains("cannot read folder") })
    }

    @Test func escapesOnlyInvalidBytes() {
        #expect(ImageScanner.escaped(Array("é/a".utf8) + [0xC3]) == "é/a\\xC3")
    }
}
