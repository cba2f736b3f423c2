import Foundation
import Testing
@testable import Common
import TestSupport

@Suite(.unitTimeLimit) struct ImageScannerTests {
    @Test func findsImagesByExtensionInSortedOrder() throws {
        let dir = try TemporaryDirectory()
        for name in ["b.JPG", "a.png", "sub/c.webp", "sub/deeper/d.TIF", "notes.txt", "e.jpeg.bak", "f.gif", "g.bmp", "h.tiff", ".hidden.jpg"] {
            try dir.write(name)
        }
        let result = try ImageScanner(root: dir.path, prefix: "avatar").scan()
        #expect(result.records.map(\.rel) == ["a.png", "b.JPG", "f.gif", "g.bmp", "h.tiff", "sub/c.webp", "sub/deeper/d.TIF"])
        let c = try #require(result.records.first { $0.rel == "sub/c.webp" })
        #expect(c.path == dir.path + "/sub/c.webp")
        #expect(c.key == "avatar/original/sub/c.webp")
        #expect(c.thumbnailKey == "avatar/thumbnail/sub/c.jpg")
        #expect(c.size == 4)
        #expect(!result.hadProblems)
    }

    /// What a real photo folder copied from a Mac, a NAS or a git checkout holds besides photos.
    @Test func junkIsLeftOutAndCountedByReason() throws {
        let dir = try TemporaryDirectory()
        for name in ["IMG_1.jpg", "._IMG_1.jpg", ".hidden.png", ".git/objects/x.jpg", ".Trash/old.jpg", ".thumbnails/normal/t.png",
                     "trip/@eaDir/IMG_2.jpg/SYNOPHOTO_THUMB_XL.jpg", "trip/IMG_2.jpg", "trip/._IMG_2.jpg", "trip/@__thumb/t.jpg",
                     "notes.txt", "._notes.txt"] {
            try dir.write(name)
        }
        let result = try ImageScanner(root: dir.path, prefix: "p").scan()
        #expect(result.records.map(\.rel) == ["IMG_1.jpg", "trip/IMG_2.jpg"])
        #expect(!result.hadProblems)
        #expect(result.ignored.map(\.rel) == ["._IMG_1.jpg", ".git", ".hidden.png", ".thumbnails", ".Trash", "trip/._IMG_2.jpg", "trip/@__thumb", "trip/@eaDir"].sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        #expect(ScanRules.summary(of: result.ignored)
                == "ignored 8: 2 AppleDouble files (._*), 2 NAS thumbnail folders (@eaDir, @__thumb), 3 hidden folders, 1 hidden file")

        // --include-hidden takes hidden files and folders back; AppleDouble files and NAS caches stay out.
        let all = try ImageScanner(root: dir.path, prefix: "p", rules: ScanRules(includeHidden: true)).scan()
        #expect(all.records.map(\.rel) == [".Trash/old.jpg", ".git/objects/x.jpg", ".hidden.png", ".thumbnails/normal/t.png", "IMG_1.jpg", "trip/IMG_2.jpg"])
        #expect(ScanRules.summary(of: all.ignored) == "ignored 4: 2 AppleDouble files (._*), 2 NAS thumbnail folders (@eaDir, @__thumb)")
    }

    @Test func filtersApplyToRelativePathsAndAreCounted() throws {
        let dir = try TemporaryDirectory()
        for name in ["a.jpg", "b.png", "raw/c.jpg", "raw/best/d.jpg"] { try dir.write(name) }
        let rules = ScanRules(filter: PathFilter([.init(.exclude, "raw"), .init(.include, "raw/best"), .init(.exclude, "*.png")]))
        let result = try ImageScanner(root: dir.path, prefix: "p", rules: rules).scan()
        #expect(result.records.map(\.rel) == ["a.jpg", "raw/best/d.jpg"])
        #expect(result.ignored.map(\.rel) == ["b.png", "raw/c.jpg"])
        #expect(ScanRules.summary(of: result.ignored) == "ignored 2: 2 files left out by --include/--exclude")
    }

    /// A hidden or filtered name that cannot be followed is left out like the rest, not a failure.
    @Test func ignoredBrokenLinksAreNotFailures() throws {
        let dir = try TemporaryDirectory()
        try dir.write("a.jpg")
        symlink(dir.path + "/missing.jpg", dir.path + "/.gone.jpg")
        symlink(dir.path + "/missing.jpg", dir.path + "/._gone.jpg")
        let result = try ImageScanner(root: dir.path, prefix: "p").scan()
        #expect(result.records.map(\.rel) == ["a.jpg"])
        #expect(!result.hadProblems)
        #expect(result.ignored.count == 2)
    }

    /// A link to a folder that is gone (a NAS not mounted), at the top and deeper down, is a failed record
    /// naming the link: never skipped in silence, so that pruning keeps what was uploaded from under it.
    @Test func aLinkToAGoneFolderIsAFailedRecord() throws {
        let dir = try TemporaryDirectory()
        try dir.write("a.jpg")
        try dir.write("sub/deep/b.jpg")
        symlink(dir.path + "/nas-not-mounted", dir.path + "/nas")
        symlink(dir.path + "/gone-too", dir.path + "/sub/deep/archive")
        symlink(dir.path + "/gone", dir.path + "/.hidden-link")
        let result = try ImageScanner(root: dir.path, prefix: "p").scan()
        #expect(result.records.filter { $0.status == nil }.map(\.rel) == ["a.jpg", "sub/deep/b.jpg"])
        let failed = result.records.filter { $0.status == .failed }
        #expect(failed.map(\.rel) == ["nas", "sub/deep/archive"], "\(failed.map(\.rel))")
        #expect(failed.allSatisfy { $0.error?.contains("broken symbolic link to") == true && $0.error?.contains("not scanned") == true },
                "\(failed.map { $0.error ?? "" })")
        #expect(result.hadProblems)
        #expect(result.ignored.map(\.rel) == [".hidden-link"])
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

    /// `José.jpg` as macOS writes it (NFD, `Jose\u{301}`) and as most other tools do (NFC, `Jos\u{E9}`): two files
    /// on Linux and two keys in S3, though Swift's `String ==` calls them equal. Each keeps its own keys, byte for byte.
    @Test func unicodeTwinsKeepTheirOwnKeys() throws {
        let dir = try TemporaryDirectory()
        let nfc = "Jos\u{E9}.jpg", nfd = "Jose\u{301}.jpg"
        try dir.write(nfc)
        try dir.write(nfd)
        let result = try ImageScanner(root: dir.path, prefix: "p").scan()
        let rels = result.records.map { Array($0.rel.utf8) }
        #expect(rels == [Array(nfd.utf8), Array(nfc.utf8)], "both files, in byte order")
        for record in result.records {
            let base = String(record.rel.dropLast(4))
            #expect(Array(record.key?.utf8 ?? "".utf8) == Array("p/original/\(record.rel)".utf8))
            #expect(Array(record.thumbnailKey?.utf8 ?? "".utf8) == Array("p/thumbnail/\(base).jpg".utf8), "\(record)")
            #expect(record.status == nil)
        }
        #expect(!result.hadProblems)
    }

    /// A real collision next to a twin: the NFC `José.jpg` and `José.png` share a thumbnail name, so each is a failed
    /// record naming the other, and the NFD `José.jpg`, which collides with nothing, is left alone. With
    /// `--thumbnail-names full`, all three are taken, each under its whole name.
    @Test func aCollisionBesideATwinNamesOnlyTheOtherFile() throws {
        let dir = try TemporaryDirectory()
        let nfcJPEG = "Jos\u{E9}.jpg", nfcPNG = "Jos\u{E9}.png", nfdJPEG = "Jose\u{301}.jpg"
        for name in [nfcJPEG, nfcPNG, nfdJPEG] { try dir.write(name) }
        let result = try ImageScanner(root: dir.path, prefix: "p").scan()
        func record(_ rel: String, in result: ImageScanner.Result) -> ImageRecord? { result.records.first { $0.rel.utf8.elementsEqual(rel.utf8) } }
        #expect(result.records.count == 3)
        #expect(record(nfdJPEG, in: result)?.thumbnailKey.map { Array($0.utf8) } == Array("p/thumbnail/\(nfdJPEG)".utf8))
        #expect(record(nfdJPEG, in: result)?.status == nil)
        for (rel, other) in [(nfcJPEG, nfcPNG), (nfcPNG, nfcJPEG)] {
            let failed = try #require(record(rel, in: result))
            #expect(failed.status == .failed && failed.thumbnailKey == nil && failed.key != nil)
            #expect(failed.error.map { Array($0.utf8) } == Array("its thumbnail key p/thumbnail/\(nfcJPEG) is also that of \(other), so none of them is uploaded: rename one, or give every image its full name with --thumbnail-names full".utf8))
        }
        #expect(result.hadProblems)

        let full = try ImageScanner(root: dir.path, prefix: "p", names: .full).scan()
        #expect(!full.hadProblems)
        for rel in [nfcJPEG, nfcPNG, nfdJPEG] {
            #expect(record(rel, in: full)?.thumbnailKey.map { Array($0.utf8) } == Array("p/thumbnail/\(rel).jpg".utf8))
        }
    }

    @Test func escapesOnlyInvalidBytes() {
        #expect(ImageScanner.escaped(Array("é/a".utf8) + [0xC3]) == "é/a\\xC3")
    }

    /// img-thumb --thumbnails: a record's thumbnails replaced by the list's, keyed from its own key's prefix.
    @Test func aRecordsThumbnailsAreReplacedByTheList() throws {
        var record = ImageRecord(path: "s3://b/my photos/original/a/b.png", rel: "a/b.png", key: "my photos/original/a/b.png",
                                 thumbnailKey: "my photos/thumbnail/a/b.jpg")
        record.etag = "e"
        let specs = try ThumbnailSpec.parseList("400x600:webp,200x300").get()
        let replaced = try #require(ImageScanner.replacingThumbnails(of: record, with: specs, names: .stem))
        #expect(replaced.thumbnailKey == "my photos/thumbnail-400x600/a/b.webp" && replaced.thumbnailSpec == "400x600.webp")
        #expect(replaced.extraThumbnails?.map(\.key) == ["my photos/thumbnail/a/b.jpg"] && replaced.etag == "e")
        let full = try #require(ImageScanner.replacingThumbnails(of: record, with: [.standard], names: .full))
        #expect(full.thumbnailKey == "my photos/thumbnail/a/b.png.jpg" && full.extraThumbnails == nil && full.thumbnailSpec == nil)
        record.key = "elsewhere/b.png"
        #expect(ImageScanner.replacingThumbnails(of: record, with: specs, names: .stem) == nil)
    }

    /// An image the rules leave out shares no thumbnail key: a.jpg beside an excluded a.png goes up as usual.
    @Test func anImageLeftOutSharesNoThumbnailKey() throws {
        let dir = try TemporaryDirectory()
        for name in ["a.jpg", "a.png"] { try dir.write(name) }
        let rules = ScanRules(filter: PathFilter([.init(.exclude, "*.png")]))
        let result = try ImageScanner(root: dir.path, prefix: "p", rules: rules).scan()
        #expect(result.records.map(\.rel) == ["a.jpg"])
        #expect(result.records.map(\.status) == [nil], "\(result.records.map(\.error))")
    }

    /// Records come out in the byte order of their whole paths, as S3 orders keys: a folder sorts as its name
    /// and `/` (a.jpg, a-b/, a/ hold a-b/x.jpg < a.jpg < a/x.jpg).
    @Test func recordsComeInTheByteOrderOfTheirPaths() throws {
        let dir = try TemporaryDirectory()
        for name in ["a/x.jpg", "a-b/x.jpg", "a.jpg", "a0.jpg", "b/c/d.jpg", "b.jpg", "b c.jpg"] { try dir.write(name) }
        let rels = try ImageScanner(root: dir.path, prefix: "p").scan().records.map(\.rel)
        #expect(rels == rels.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        #expect(rels.count == 7)
    }
}
