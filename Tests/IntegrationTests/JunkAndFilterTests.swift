import Common
import Foundation
import TestSupport
import Testing

/// What a real photo folder holds besides photos, and --include/--exclude, through upload-images as a user
/// runs it: only the photos go up, and the summary says what was left out and why.
@Suite(.integrationTimeLimit) struct JunkAndFilterTests {
    let uploads = UploadImagesTests()

    /// The corpus's junk folder (an AppleDouble file, a Synology @eaDir, a hidden copy, a desktop's hidden
    /// thumbnail cache) plus a git checkout's hidden folder holding a real JPEG.
    func junkFolder() throws -> TemporaryDirectory {
        let photos = try TemporaryDirectory()
        let copy = try Shell.run("cp -R \(Shell.quote(Corpus.file("junk")))/. \(Shell.quote(photos.path))/")
        try #require(copy.status == 0, "\(copy.stderr)")
        try photos.copy(Corpus.file("jpeg/jpeg-grayscale.jpg"), to: ".git/objects/ab/cdef.jpg")
        return photos
    }

    func line(_ label: String, _ run: Shell.Result) -> String? {
        run.stderr.split(separator: "\n").first { $0.hasPrefix("  \(label):") }.map { String($0.dropFirst(label.count + 3)).trimmingCharacters(in: .whitespaces) }
    }

    @Test func onlyThePhotosOfAJunkFolderGoUpAndTheRestIsCounted() throws {
        let bucket = try TestBucket("junk")
        let folder = try TemporaryDirectory()
        let photos = try junkFolder()
        let run = try uploads.upload("\(Shell.quote(photos.path)) --debug", bucket: bucket, in: folder)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try bucket.objects().keys.sorted() == ["avatar/original/IMG_0001.jpg", "avatar/thumbnail/IMG_0001.jpg"])
        #expect(line("found", run) == "1")
        #expect(line("ignored", run) == "5, not counted as found: 1 AppleDouble file (._*), 1 NAS thumbnail folder (@eaDir, @__thumb), 2 hidden folders, 1 hidden file",
                "\(run.stderr)")
        // Figures people read: KiB and MiB for what was sent, MB/s beside images/s.
        let size = try FileDigest.compute(path: photos.path + "/IMG_0001.jpg").size
        let sent = try #require(line("sent", run))
        #expect(sent.hasPrefix("\(Int((Double(size) / 1024).rounded())) KiB of originals, "), "\(sent)")
        #expect(sent.range(of: #"^\d+ KiB of originals, \d+ KiB of thumbnails$"#, options: .regularExpression) != nil, "\(sent)")
        #expect(line("elapsed", run)?.range(of: #"^[\d.]+ s, [\d.]+ images/s, [\d.]+ MB/s$"#, options: .regularExpression) != nil, "\(run.stderr)")
        // --debug names each one in the log.
        let log = try String(contentsOfFile: try #require(try uploads.newest("upload_log_", in: folder)), encoding: .utf8)
        for entry in ["._IMG_0001.jpg (AppleDouble file)", "@eaDir (NAS thumbnail folder)", ".git (hidden folder)", ".thumbnails (hidden folder)",
                      ".hidden-copy.jpg (hidden file)"] {
            #expect(log.contains("img-scan: debug: ignored: \(entry)"), "\(entry)")
        }
    }

    @Test func includeHiddenTakesHiddenFilesAndFoldersBack() throws {
        let bucket = try TestBucket("hidden")
        let folder = try TemporaryDirectory()
        let photos = try junkFolder()
        let run = try uploads.upload("\(Shell.quote(photos.path)) --include-hidden", bucket: bucket, in: folder)
        #expect(run.status == 0, "\(run.stderr)")
        let originals = try bucket.objects(prefix: "avatar/original/").keys.sorted()
        #expect(originals == ["avatar/original/.git/objects/ab/cdef.jpg", "avatar/original/.hidden-copy.jpg",
                              "avatar/original/.thumbnails/normal/0d75a792b353353f843baad84c0509d9.png", "avatar/original/IMG_0001.jpg"])
        #expect(line("ignored", run) == "2, not counted as found: 1 AppleDouble file (._*), 1 NAS thumbnail folder (@eaDir, @__thumb)")
    }

    /// The order of --include and --exclude decides, as img-scan --help says; a dry run shows it.
    @Test(arguments: [
        ("--exclude raw --include raw/best --exclude '*.png'", ["a.jpg", "raw/best/d.jpg"], 3),
        ("--include raw/best --exclude raw", [], 5),
        ("--include '*.png'", ["b.png", "raw/e.png"], 3),
        ("--exclude '*' --include '*.png' --exclude 'raw/*'", ["b.png"], 4),
        ("--exclude=raw/best", ["a.jpg", "b.png", "raw/c.jpg", "raw/e.png"], 1),
    ])
    func theLastRuleThatMatchesDecides(_ rules: String, _ taken: [String], _ leftOut: Int) throws {
        let bucket = try TestBucket("filters")
        let folder = try TemporaryDirectory()
        let photos = try TemporaryDirectory()
        for rel in ["a.jpg", "b.png", "raw/c.jpg", "raw/best/d.jpg", "raw/e.png"] {
            try photos.copy(Corpus.file(rel.hasSuffix(".png") ? "png/png-1x1-rgba.png" : "jpeg/jpeg-grayscale.jpg"), to: rel)
        }
        let run = try uploads.upload("\(Shell.quote(photos.path)) \(rules) --dry-run", bucket: bucket, in: folder)
        #expect(run.status == 0, "\(run.stderr)")
        // The dry run's plan is data, on stdout: a record per image that would be uploaded.
        let listed = try run.records().map(\.rel)
        #expect(listed == taken, "\(rules): \(run.stderr)")
        #expect(run.stderr.contains("(ignored \(leftOut): \(leftOut) file\(leftOut == 1 ? "" : "s") left out by --include/--exclude; not counted as found)"),
                "\(run.stderr)")
    }
}
