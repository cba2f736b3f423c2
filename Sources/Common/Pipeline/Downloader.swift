import Crypto
import FoundationEssentials
import Glibc

/// `spaces-get`'s work on a stream of records: each original in the bucket (`from_bucket`) downloaded into a
/// private folder, its bytes checked, and its record given the file (`download`) that img-thumb reads and
/// then deletes.
///
/// Disk use stays under the cap of `budget` (`DiskBudget`: every spaces-get sharing the folder together): a
/// download starts only when it fits beside the files still there, or when none is (one object bigger than the
/// cap). An attempt cut midway resumes where it stopped (`ResponseSink`). After several downloads in a row
/// found the server unavailable, the rest fail without a request (`CircuitBreaker`), as spaces-put's uploads do.
public final class Downloader {
    public let client: S3Client
    public let budget: DiskBudget
    /// What begins each file's name: the worker's round (`lanes/1.2` gives `1.2`) or the process, so that no two
    /// processes sharing the folder ever pick one name, and a dead round's files can be told.
    public let tag: String
    public private(set) var failedCount = 0
    /// Lines that are no original (spaces-ls's thumbnails and other objects): left out.
    public private(set) var passedOver = 0
    public private(set) var downloadedBytes: Int64 = 0
    public var stream = StreamTally()
    /// Says when the cap has held a download back for a while, and when it gives up waiting.
    public var warn: (String) -> Void = { _ in }
    /// Whether to go on waiting for room (false once the output's reader is gone, or on INT/TERM).
    public var keepWaiting: () -> Bool = { !Interruption.requested }
    /// How long a download waits for room while no file is used before it goes on over the cap (the next stage
    /// holds the lines back: a filter that buffers, or no img-thumb at all).
    public var patience: Double = 30
    var breaker = CircuitBreaker()
    public var serverUnavailable: Bool { breaker.isOpen }
    let report: (String) -> Void
    private var count = 0

    public init(client: S3Client, budget: DiskBudget, tag: String, report: @escaping (String) -> Void) {
        self.client = client
        self.budget = budget
        self.tag = tag
        self.report = report
        breaker.what = "downloads"
    }

    /// The output line for one input line; nil for a blank line or one that is no original. Throws only errors
    /// that end the run.
    public func process(line: Data, lineNumber: Int) throws(S3Error) -> Data? {
        if Self.isOtherListingLine(line) {
            passedOver += 1
            stream.passOver()
            return nil
        }
        return try RecordLine.output(for: line, lineNumber: lineNumber, failures: &failedCount, stream: &stream,
                                     report: report) { (pending: ImageRecord) throws(S3Error) -> ImageRecord in
            guard pending.fromBucket == true, pending.download == nil else { return pending }
            var record = pending
            do throws(S3Error) {
                if let reason = breaker.refusal() { throw .notAttempted(reason) }
                try download(&record)
                breaker.recordSuccess()
            } catch let error where error.isFatal {
                throw error
            } catch {
                if error.meansServerUnavailable { breaker.recordUnavailable(error.description) }
                record.status = .failed
                record.error = error.description
                report("\(record.rel): \(error)")
            }
            return record
        }
    }

    /// A line of spaces-ls that is not an original: a thumbnail or another object (`"kind"` thumbnail or other,
    /// and no `path`). Any other record, whatever fields it carries, is one.
    static func isOtherListingLine(_ line: Data) -> Bool {
        let thumbnail = Array(#""kind":"thumbnail""#.utf8), other = Array(#""kind":"other""#.utf8)
        guard line.firstRange(of: thumbnail) != nil || line.firstRange(of: other) != nil,
              let members = JSONObjectFields.members(of: [UInt8](line)) else { return false }
        let kind = members.first { $0.name == "kind" }?.value
        return (kind == Array(#""thumbnail""#.utf8) || kind == Array(#""other""#.utf8)) && !members.contains { $0.name == "path" }
    }

    func download(_ record: inout ImageRecord) throws(S3Error) {
        guard let key = record.key, !key.isEmpty else { throw .badRecord("record has no \"key\"") }
        count += 1
        let name = Self.fileName(tag: tag, pid: getpid(), number: count, key: key, rel: record.rel)
        let file = budget.folder + "/" + name, partial = file + ".part"
        var lastProblem = ""
        // Twice at most: bytes that arrive altered are fetched again once, then the image fails.
        for _ in 0..<2 {
            let fd = try booked(name + ".part", size: record.size ?? 0)
            let sink = ResponseSink(fd: fd)
            do {
                try client.getObject(key: key, into: sink)
            } catch {
                close(fd)
                unlink(partial)
                if let failure = sink.writeFailure { throw .unwritableFile("cannot write \(partial): \(failure)") }
                throw error
            }
            // The booking was the listed size: the file is cut at what came.
            let cut = ftruncate(fd, off_t(sink.written)) == 0 ? 0 : errno
            close(fd)
            if cut != 0 {
                unlink(partial)
                throw .unwritableFile("cannot write \(partial): \(String(cString: strerror(cut)))")
            }
            if let problem = Self.problem(with: sink) {
                lastProblem = problem
                unlink(partial)
                continue
            }
            do {
                try budget.commit(name + ".part", as: name)
            } catch {
                unlink(partial)
                throw .unwritableFile(error.description)
            }
            downloadedBytes += sink.written
            record.download = file
            // The bytes are those of the object as it is now, which may have changed since it was listed.
            record.size = sink.written
            if let etag = sink.etag, !etag.isEmpty { record.etag = etag }
            return
        }
        throw .integrity("\(key): the downloaded bytes do not match the object (\(lastProblem)), twice")
    }

    /// The download's file (`name` in the budget's folder), booked once there is room; waiting while img-thumb
    /// uses the files before it. A wait in which no file is used (one seen before is gone) for `patience` seconds
    /// books this one download over the cap, with a warning; the next waits again.
    private func booked(_ name: String, size: Int64) throws(S3Error) -> Int32 {
        var since = MonotonicClock.seconds(), seen = Set(budget.used().names.map(Self.wholeName))
        var warned = false, overCap = false
        while true {
            let fd: Int32?
            do { fd = try budget.book(name, size: size, overCap: overCap) } catch { throw .unwritableFile(error.description) }
            if let fd { return fd }
            guard keepWaiting() else { throw .notAttempted("interrupted") }
            let now = MonotonicClock.seconds(), names = Set(budget.used().names.map(Self.wholeName))
            if !seen.isSubset(of: names) { since = now }  // img-thumb used one (deleted it)
            seen = names
            if now - since >= 10 && !warned {
                warned = true
                warn("\(ByteSize.describe(budget.used().bytes)) of downloads are on disk (--max-disk \(ByteSize.describe(budget.maxBytes))) and none was used for 10 s: waiting for the next stage (img-thumb) to use them")
            }
            if now - since >= patience {
                overCap = true
                warn("no download was used for \(Int(patience)) s: this one goes over --max-disk (is the next stage img-thumb, and does what is between them pass each line on at once?)")
            }
            usleep(20_000)
        }
    }

    /// A file's name as it is once whole (a `.part` becomes its name without it).
    static func wholeName(_ name: String) -> String { name.hasSuffix(".part") ? String(name.dropLast(5)) : name }

    /// Why the file does not hold the object's bytes, or nil: its MD5 against the one the object should have
    /// (`MultipartUpload.expectedMD5`); its length against what the answer said. An object in parts from
    /// another tool has only its length to go by.
    static func problem(with sink: ResponseSink) -> String? {
        if let total = Self.totalLength(sink.headers), total != sink.written {
            return "\(sink.written) bytes, not \(total)"
        }
        guard let expected = MultipartUpload.expectedMD5(etag: sink.etag ?? "", stored: sink.headers["x-amz-meta-" + MultipartUpload.md5MetadataKey]) else {
            return nil
        }
        let md5 = sink.md5
        return md5 == expected ? nil : "MD5 \(md5), not \(expected)"
    }

    /// The object's whole length: a 206's `Content-Range: bytes 100-199/200`, or a 200's `Content-Length`.
    static func totalLength(_ headers: [String: String]) -> Int64? {
        if let range = headers["content-range"], let slash = range.lastIndex(of: "/") {
            return Int64(range[range.index(after: slash)...])
        }
        return headers["content-length"].flatMap { Int64($0) }
    }

    /// A name of its own for each download, keeping the image's extension: the round's tag, the process, its
    /// count, and a hash of the key (keys may hold any byte): `1.2-p4242-7-0123456789abcdef.jpg`.
    static func fileName(tag: String, pid: Int32, number: Int, key: String, rel: String) -> String {
        let digest = SHA256.hash(data: Data(key.utf8)).prefix(8).map { Printf.string("%02x", $0) }.joined()
        let name = rel.split(separator: "/").last ?? ""
        let ext = name.lastIndex(of: ".").map { String(name[$0...]).lowercased() } ?? ""
        return "\(tag)-p\(pid)-\(number)-\(digest)" + (ext.count <= 6 && ext.dropFirst().allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) } ? ext : "")
    }

    /// Whether `name` is one `fileName` makes (img-thumb deletes no other file).
    public static func isDownloadName(_ name: String) -> Bool {
        let parts = name.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 4, let last = parts.last else { return false }
        let hash = last.split(separator: ".", maxSplits: 1).first ?? ""
        return hash.count == 16 && hash.allSatisfy(\.isHexDigit) && Int(parts[parts.count - 2]) != nil
            && parts[parts.count - 3].first == "p" && Int32(parts[parts.count - 3].dropFirst()) != nil
    }

    /// The process a download's name holds (`-p4242-`).
    static func pid(inFileName name: String) -> Int32? {
        let parts = wholeName(name).split(separator: "-", omittingEmptySubsequences: false)
        guard isDownloadName(wholeName(name)), parts.count >= 4 else { return nil }
        return Int32(parts[parts.count - 3].dropFirst())
    }

    /// The files of a round (`tag`) still in `folder`: what img-thumb never used once that round is over.
    public static func leftBehind(by tag: String, in folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasPrefix(tag + "-") }.map { folder + "/" + $0 }
    }
}
