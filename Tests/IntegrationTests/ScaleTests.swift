import Common
import Foundation
import TestSupport
import Testing

/// Libraries of tens of thousands of small images, as people push avatars: the progress keeps coming to the end
/// of the run, and the memory of the scan and of the check stays flat as the library grows. Neither test is
/// timed: they count lines and compare sizes.
@Suite(.serialized, RunningTimeLimit(seconds: 900)) struct ScaleTests {
    /// `folders` folders of 1,000 images each, hard links of one small JPEG (one inode: a big library in no space).
    static func library(folders: Int, in directory: TemporaryDirectory, from offset: Int = 0) throws {
        let image = Corpus.file("jpeg/jpeg-1x1.jpg")
        for folder in offset..<(offset + folders) {
            let path = directory.path + String(format: "/set%03d", folder)
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            for index in 0..<1_000 {
                try #require(link(image, path + String(format: "/avatar-%04d.jpg", index)) == 0, "cannot link: errno \(errno)")
            }
        }
    }

    /// The log's progress lines, each with its time (seconds since the epoch; the log has whole seconds).
    static func progressTimes(inLog log: String) -> [Double] {
        let format = DateFormatter()
        format.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return log.split(separator: "\n").filter { $0.contains(" upload-images: progress ") }
            .compactMap { format.date(from: String($0.prefix(19)))?.timeIntervalSince1970 }
    }

    /// 10,000 small images uploaded off a terminal: a progress line every 5 seconds on stderr and in the log,
    /// from the first batch to the last, none missing for longer than the interval and a scheduling slack.
    @Test func progressKeepsComingForTenThousandImages() throws {
        let bucket = try TestBucket("progress10k")
        let photos = try TemporaryDirectory(), folder = try TemporaryDirectory()
        try Self.library(folders: 10, in: photos)
        let run = try UploadImagesTests().upload("\(photos.path) --workers 10", bucket: bucket, in: folder, limit: 720)
        #expect(run.status == 0, "\(run.stderr.suffix(800))")
        #expect(UploadImagesTests().summaryCount("uploaded", run) == 10_000)
        let log = try String(contentsOfFile: try #require(try UploadImagesTests().newest("upload_log_", in: folder)), encoding: .utf8)
        let times = Self.progressTimes(inLog: log)
        let console = run.stderr.split(separator: "\n").filter { $0.hasPrefix("upload-images: progress ") }
        // The uploads take tens of seconds: several lines, every one in the log also on stderr.
        try #require(times.count >= 4, "progress lines in the log: \(times.count)\n\(log.suffix(1500))")
        #expect(console.count == times.count, "stderr \(console.count), log \(times.count)")
        let gaps = zip(times, times.dropFirst()).map { $1 - $0 }
        #expect(gaps.allSatisfy { $0 <= 8 }, "gaps between progress lines: \(gaps)")
        // To the end: the last line came within the interval (and a slack) of the last result.
        let results = try #require(try UploadImagesTests().newest("upload_results_", in: folder))
        let modified = try FileManager.default.attributesOfItem(atPath: results)[.modificationDate] as? Date
        let ended = try #require(modified).timeIntervalSince1970
        #expect(ended - times.last! <= 8, "the last progress line \(ended - times.last!) s before the end")
    }

    /// The decision of a library of 10,000 and of 40,000 images already in the bucket (the same 40,000 objects
    /// there): img-scan's and spaces-exists' peak RSS differ by a few MB at most, whatever the library's size;
    /// the listing costs one request per 1,000 keys or so.
    @Test func theScanAndTheCheckStayFlatFromTenToFortyThousandImages() throws {
        let bucket = try TestBucket("flat40k")
        let ten = try TemporaryDirectory(), forty = try TemporaryDirectory()
        try Self.library(folders: 10, in: ten)
        try Self.library(folders: 40, in: forty)
        // The bucket made quickly: every image's original and a stand-in thumbnail, by four spaces-put.
        let thumbnail = Corpus.file("jpeg/jpeg-1x1.jpg")
        let seed = try Shell.run("""
            img-scan --records-only \(forty.path) | jq -c --arg t \(Shell.quote(thumbnail)) '. + {thumbnail_path: $t}' \
            | split -n r/4 --filter='spaces-put --records-only --keep-thumbnails --env-file \(bucket.envFile) | grep -c "\\"uploaded\\""'
            """, limit: 600)
        try #require(seed.status == 0, "\(seed.stderr.suffix(600))")
        #expect(seed.stdout.split(separator: "\n").compactMap { Int($0) }.reduce(0, +) == 40_000, "\(seed.stdout)")

        func decide(_ library: TemporaryDirectory) throws -> (scan: Int, check: Int, skipped: Int, requests: Int) {
            let run = try Shell.run("""
                /usr/bin/time -f %M -o scan.rss img-scan --records-only \(library.path) \
                | /usr/bin/time -f %M -o check.rss spaces-exists --records-only --debug --env-file \(bucket.envFile) 2>check.err \
                | grep -c '"status":"skipped"'; cat scan.rss check.rss; grep -o '[0-9]* requests' check.err
                """, limit: 300)
            let numbers = run.stdout.split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
            try #require(numbers.count == 4, "\(run.stdout) \(run.stderr)")
            return (scan: numbers[1], check: numbers[2], skipped: numbers[0], requests: numbers[3])
        }
        let small = try decide(ten), large = try decide(forty)
        print("peak RSS KB at 10,000 / 40,000 images: img-scan \(small.scan) / \(large.scan), spaces-exists \(small.check) / \(large.check); requests \(small.requests) / \(large.requests)")
        #expect(small.skipped == 10_000 && large.skipped == 40_000)
        #expect(large.scan - small.scan < 4_000, "img-scan grew by \(large.scan - small.scan) KB from 10,000 to 40,000 images")
        #expect(large.check - small.check < 20_000, "spaces-exists grew by \(large.check - small.check) KB from 10,000 to 40,000 images")
        // 80,000 keys looked for: about 80 pages, and a few more where parts and folders meet.
        #expect(large.requests <= 100, "\(large.requests) requests for 80,000 keys")
    }
}
