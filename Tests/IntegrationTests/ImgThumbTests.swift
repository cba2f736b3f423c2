import Common
import Foundation
import TestSupport
import Testing

/// `img-scan | img-thumb | spaces-put` as a user runs it, against the real server.
@Suite(.integrationTimeLimit) struct ImgThumbTests {
    @Test func goodImagesArriveWithThumbnailsAndBrokenOnesNotAtAll() throws {
        let bucket = try TestBucket("thumbs")
        let work = try TemporaryDirectory()
        let thumbs = work.path + "/thumbs"
        let run = try Shell.run("img-scan \(Shell.quote(Harness.corpus)) | img-thumb --out \(thumbs) | spaces-put --env-file \(bucket.envFile)")
        #expect(run.status == 1, "some corpus files are broken: the run must say so")
        let records = try run.records()
        let stored = try bucket.objects()
        let manifest = try CorpusManifest()
        var checked = 0
        for record in records {
            let entry = try #require(manifest.entries.first { $0.file == record.rel })
            let key = try #require(record.key), thumbnailKey = try #require(record.thumbnailKey)
            if entry.mustBeRejected {
                #expect(record.status == .failed, "\(record.rel) should have been refused")
                #expect(stored[key] == nil && stored[thumbnailKey] == nil, "\(record.rel) was uploaded")
                #expect(run.stderr.components(separatedBy: "error: \(record.rel): ").count == 2, "\(record.rel) reported once")
            } else {
                #expect(record.status == .uploaded, "\(record.rel): \(record.error ?? "")")
                let thumbnail = try #require(stored[thumbnailKey], "no thumbnail for \(record.rel)")
                #expect(thumbnail.content_type == "image/jpeg")
                #expect(thumbnail.md5 == record.thumbnailEtag)
                #expect(thumbnail.size == record.thumbnailSize)
                #expect(stored[key]?.md5 == (try FileDigest.compute(path: record.path)).md5.hexString)
            }
            checked += 1
        }
        #expect(checked == records.count && checked > 50)
        // spaces-put removed every thumbnail it uploaded; refused images never had one.
        #expect(try FileManager.default.contentsOfDirectory(atPath: thumbs).isEmpty)
        var info = stat()
        #expect(stat(thumbs, &info) == 0 && info.st_mode & 0o777 == 0o700)
    }

    @Test func recordsGainAThumbnailFileWithAUniqueName() throws {
        let work = try TemporaryDirectory()
        let photos = try TemporaryDirectory()
        for name in ["a.jpg", "a.png", "sub/a.jpg", "b c.webp"] {
            let source = name.hasSuffix(".png") ? "png/png-palette-trns.png" : name.hasSuffix(".webp") ? "webp/webp-lossy-alpha.webp" : "exif/exif-orient-6.jpg"
            try photos.copy(Corpus.file(source), to: name)
        }
        let run = try Shell.run("img-scan --thumbnail-names full \(photos.path) | img-thumb --out \(work.path)/t --size 120x80 --quality 70")
        #expect(run.status == 0, "\(run.stderr)")
        let records = try run.records()
        #expect(records.count == 4)
        let paths = records.compactMap(\.thumbnailPath)
        #expect(Set(paths).count == 4)
        for record in records {
            let path = try #require(record.thumbnailPath)
            #expect(path.hasPrefix(work.path + "/t/"))
            let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int64
            #expect(size == record.thumbnailSize)
            let pixels = try Shell.run("vipsheader -f width \(Shell.quote(path)); vipsheader -f height \(Shell.quote(path))")
            #expect(pixels.stdout == "120\n80\n")
        }
        // No temporary files are left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: work.path + "/t").allSatisfy { $0.hasSuffix(".jpg") })
    }

    @Test func finishedAndMalformedLinesKeepOneLineOutPerLineIn() throws {
        let work = try TemporaryDirectory()
        let input = #"{"path":"/x.jpg","rel":"x.jpg","status":"skipped"}"# + "\nnope\n" +
            #"{"path":"\#(Corpus.file("gif/gif-1x1.gif"))","rel":"g.gif","key":"k","thumbnail_key":"t.jpg"}"# + "\n" +
            #"{"path":"\#(Corpus.file("other/unsupported-svg.svg"))","rel":"s.gif","key":"k2","thumbnail_key":"t2.jpg"}"# + "\n"
        let run = try Shell.run("img-thumb --out \(work.path)/t", stdin: input)
        #expect(run.status == 1)
        let lines = run.lines
        try #require(lines.count == 4)
        #expect(lines[0] == #"{"path":"/x.jpg","rel":"x.jpg","status":"skipped"}"#)
        #expect(lines[1].contains("input line 2: not a JSON record"))
        #expect(try RecordCoding.decode(Data(lines[2].utf8)).thumbnailPath != nil)
        let svg = try RecordCoding.decode(Data(lines[3].utf8))
        #expect(svg.status == .failed && svg.error?.contains("not a supported image (SVG)") == true)
        #expect(run.stderr.contains("img-thumb: error: s.gif: "))
    }

    /// A record's path that names a FIFO, a folder or a device fails alone, at once, with the reason; the
    /// record after it is still made. Opening the FIFO used to wait for a writer forever: `timeout` turns a
    /// hang back into a failure here.
    @Test func pathsThatAreNotRegularFilesFailAtOnceAndTheRunGoesOn() throws {
        let work = try TemporaryDirectory()
        let fifo = work.path + "/pipe.jpg"
        try #require(mkfifo(fifo, 0o600) == 0)
        func record(_ path: String, _ rel: String) -> String {
            #"{"key":"k/\#(rel)","path":"\#(path)","rel":"\#(rel)","thumbnail_key":"t/\#(rel)"}"#
        }
        let input = [record(fifo, "pipe.jpg"), record(work.path, "folder.jpg"), record("/dev/zero", "zero.jpg"),
                     record(Corpus.file("gif/gif-1x1.gif"), "good.gif")].joined(separator: "\n") + "\n"
        let run = try Shell.run("timeout 20 img-thumb --out \(work.path)/t", stdin: input)
        #expect(run.status == 1, "exit 1: some records failed (124: it hung)")
        #expect(run.seconds < 10)
        let records = try run.records()
        try #require(records.count == 4, "\(run.stdout)")
        #expect(records[0].status == .failed && records[0].error == "not a regular file (a FIFO)", "\(records[0])")
        #expect(records[1].status == .failed && records[1].error == "not a regular file (a folder)", "\(records[1])")
        #expect(records[2].status == .failed && records[2].error == "not a regular file (a character device)", "\(records[2])")
        #expect(records[3].status == nil && records[3].thumbnailPath != nil, "\(records[3])")
        #expect(run.stderr.contains("img-thumb: error: pipe.jpg: not a regular file (a FIFO)"), "\(run.stderr)")
    }

    /// Images of extreme shapes, one pixel across (made by Tests/Fixtures/make-shape-bombs.py): filling the box
    /// from a whole strip meant scaling it up 300 times (a 50000x1 PNG: minutes and gigabytes; a 1x1000000 one
    /// refused as "affine: output coordinates out of range"). Each now gets the thumbnail of its middle,
    /// cheaply. The strips are grey ramps from 0 at one end to 255 at the other: the middle is mid-grey.
    @Test(arguments: ["aspect/shape-bomb-50000x1.png", "aspect/shape-bomb-1x50000.png", "aspect/shape-bomb-50000x1-q90.jpg",
                      "aspect/shape-bomb-1x50000-q90.jpg", "aspect/shape-bomb-1000000x1.png", "aspect/shape-bomb-1x1000000.png"])
    func shapeBombsGetTheThumbnailOfTheirMiddleInUnderASecondAnd150MB(_ rel: String) throws {
        let work = try TemporaryDirectory()
        let record = #"{"key":"k","path":"\#(Corpus.file(rel))","rel":"\#(rel)","thumbnail_key":"t.jpg"}"#
        // GNU time: peak RSS in KB, then user and system CPU seconds, on stderr's last line; timeout bounds a
        // regression (minutes, gigabytes) to 10 s.
        let run = try Shell.run("/usr/bin/time -f 'measured %M %U %S' timeout 10 img-thumb --out \(work.path)/t",
                                stdin: record + "\n")
        let measured = try #require(run.stderr.split(separator: "\n").last { $0.hasPrefix("measured ") }, "\(run.stderr)")
        let fields = measured.split(separator: " ").dropFirst().compactMap { Double($0) }
        try #require(fields.count == 3)
        let megabytes = fields[0] / 1024, cpuSeconds = fields[1] + fields[2]
        print("\(rel): \(String(format: "%.2f", run.seconds)) s, \(String(format: "%.2f", cpuSeconds)) s CPU, \(Int(megabytes)) MB peak")
        #expect(run.status == 0, "\(rel): \(run.stderr)")
        // CPU time, not only the clock: the test machine may be busy with other work.
        #expect(cpuSeconds < 1, "\(rel): \(cpuSeconds) s of CPU")
        #expect(run.seconds < 5, "\(rel): \(run.seconds) s")
        #expect(megabytes < 150, "\(rel): \(megabytes) MB")
        let thumbnail = try #require(try run.records().first?.thumbnailPath, "\(run.stdout)")
        let size = try Shell.run("vipsheader -f width \(Shell.quote(thumbnail)); vipsheader -f height \(Shell.quote(thumbnail))")
        #expect(size.stdout == "200\n300\n", "\(rel)")
        let mean = try #require(Double(try Shell.run("vips avg \(Shell.quote(thumbnail))").stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(abs(mean - 127.5) < 8, "\(rel): the thumbnail's mean grey is \(mean), not the middle's")
    }

    @Test func usageErrors() throws {
        #expect(try Shell.run("img-thumb --out /tmp/x --size 200by300 < /dev/null").status == 64)
        #expect(try Shell.run("img-thumb --out /tmp/x --fail-on sometimes < /dev/null").status == 64)
        #expect(try Shell.run("img-thumb --quality 0 < /dev/null").status == 64)
        #expect(try Shell.run("img-thumb --out < /dev/null").status == 64)
        let file = try TemporaryDirectory()
        try file.write("plain")
        let notADir = try Shell.run("img-thumb --out \(file.path)/plain < /dev/null")
        #expect(notADir.status == 2 && notADir.stderr.contains("not a folder"))
    }

    @Test func onePassOverTheWholeCorpusStaysUnder150MBOfMemory() throws {
        let work = try TemporaryDirectory()
        // Python reports the peak resident memory of its finished child (ru_maxrss, kilobytes).
        let measure = """
            img-scan \(Shell.quote(Harness.corpus)) | python3 -c 'import resource, subprocess, sys; \
            subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); \
            print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' img-thumb --out \(work.path)/t
            """
        let run = try Shell.run(measure)
        let kilobytes = try #require(Int(run.stdout.trimmingCharacters(in: .whitespacesAndNewlines)), "\(run.stderr)")
        #expect(kilobytes > 10_000, "the measurement must see the process")
        #expect(kilobytes < 150 * 1024, "peak RSS \(kilobytes / 1024) MB")
    }
}
