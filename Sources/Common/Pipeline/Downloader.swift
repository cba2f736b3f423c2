import Crypto
import FoundationEssentials
import Glibc

/// `spaces-get`'s work on a stream of records: each original in the bucket (`from_bucket`) downloaded into a
/// private folder, its bytes checked, and its record given the file (`download`) that img-thumb reads and
/// then deletes.
///
/// Disk use stays under `maxBytes`: a download starts only when the files still on disk (written here, not
/// yet deleted by the next stage) and this one fit, or when none is left (one object bigger than the cap).
/// An attempt cut midway resumes where it stopped (`ResponseSink`).
public final class Downloader {
    public let client: S3Client
    public let directory: String
    public let maxBytes: Int64
    public private(set) var failedCount = 0
    /// Lines that are no original (spaces-ls's thumbnails and other objects): left out.
    public private(set) var passedOver = 0
    public private(set) var downloadedBytes: Int64 = 0
    public var stream = StreamTally()
    /// Says when the cap has held a download back for a while (the next stage may not be reading).
    public var warnWaiting: (String) -> Void = { _ in }
    /// Whether to go on waiting for room (false once the output's reader is gone, or on INT/TERM).
    public var keepWaiting: () -> Bool = { !Interruption.requested }
    let report: (String) -> Void

    /// The files written and not yet seen gone, with their sizes.
    private var onDisk: [(path: String, size: Int64)] = []

    public init(client: S3Client, directory: String, maxBytes: Int64, report: @escaping (String) -> Void) {
        self.client = client
        self.directory = directory
        self.maxBytes = maxBytes
        self.report = report
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
                try download(&record)
            } catch let error where error.isFatal {
                throw error
            } catch {
                record.status = .failed
                record.error = error.description
                report("\(record.rel): \(error)")
            }
            return record
        }
    }

    /// A line of spaces-ls that is not an original: a thumbnail or another object (`"kind"` other than original).
    static func isOtherListingLine(_ line: Data) -> Bool {
        guard line.count < 4096, let members = JSONObjectFields.members(of: [UInt8](line)),
              let kind = members.first(where: { $0.name == "kind" }) else { return false }
        return kind.value != Array("\"original\"".utf8)
    }

    func download(_ record: inout ImageRecord) throws(S3Error) {
        guard let key = record.key, !key.isEmpty else { throw .badRecord("record has no \"key\"") }
        guard waitForRoom(record.size ?? 0) else { throw .notAttempted("interrupted") }
        let file = directory + "/" + Self.fileName(key: key, rel: record.rel)
        let partial = file + ".part"
        var lastProblem = ""
        // Twice at most: bytes that arrive altered are fetched again once, then the image fails.
        for _ in 0..<2 {
            let fd = open(partial, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o600)
            guard fd >= 0 else { throw .unwritableFile("cannot write \(partial): \(String(cString: strerror(errno)))") }
            let sink = ResponseSink(fd: fd)
            do {
                try client.getObject(key: key, into: sink)
            } catch {
                close(fd)
                unlink(partial)
                throw error
            }
            close(fd)
            if let problem = Self.problem(with: partial, from: sink) {
                lastProblem = problem
                continue
            }
            guard rename(partial, file) == 0 else {
                let reason = String(cString: strerror(errno))
                unlink(partial)
                throw .unwritableFile("cannot write \(file): \(reason)")
            }
            onDisk.append((file, sink.written))
            downloadedBytes += sink.written
            record.download = file
            // The bytes are those of the object as it is now, which may have changed since it was listed.
            record.size = sink.written
            if let etag = sink.etag, !etag.isEmpty { record.etag = etag }
            return
        }
        unlink(partial)
        throw .integrity("\(key): the downloaded bytes do not match the object (\(lastProblem)), twice")
    }

    /// Why the file does not hold the object's bytes, or nil: its MD5 against the ETag of a single PUT, or
    /// against the `x-amz-meta-md5` spaces-put stores with an object uploaded in parts; its length against
    /// what the answer said. An object in parts from another tool has only its length to go by.
    static func problem(with path: String, from sink: ResponseSink) -> String? {
        if let total = Self.totalLength(sink.headers), total != sink.written {
            return "\(sink.written) bytes, not \(total)"
        }
        let etag = sink.etag ?? ""
        let expected = MultipartUpload.isMultipartETag(etag) ? sink.headers["x-amz-meta-" + MultipartUpload.md5MetadataKey] : etag
        guard let expected, !expected.isEmpty else { return nil }
        guard let digest = try? FileDigest.compute(path: path, withSHA256: false) else { return "cannot read it back" }
        return digest.md5.hexString == expected.lowercased() ? nil : "MD5 \(digest.md5.hexString), not \(expected)"
    }

    /// The object's whole length: a 206's `Content-Range: bytes 100-199/200`, or a 200's `Content-Length`.
    static func totalLength(_ headers: [String: String]) -> Int64? {
        if let range = headers["content-range"], let slash = range.lastIndex(of: "/") {
            return Int64(range[range.index(after: slash)...])
        }
        return headers["content-length"].flatMap { Int64($0) }
    }

    /// Waits until a download of `size` bytes fits under the cap beside the files still on disk; false when
    /// asked to stop waiting.
    func waitForRoom(_ size: Int64) -> Bool {
        var waited = 0
        while true {
            onDisk.removeAll { access($0.path, F_OK) != 0 && errno == ENOENT }
            let used = onDisk.reduce(Int64(0)) { $0 + $1.size }
            if onDisk.isEmpty || used + size <= maxBytes { return true }
            guard keepWaiting() else { return false }
            if waited == 500 {
                warnWaiting("\(ByteSize.describe(used)) of downloads are still on disk (--max-disk \(ByteSize.describe(maxBytes))): waiting for the next stage (img-thumb) to use them")
            }
            waited += 1
            usleep(20_000)
        }
    }

    /// A name of its own for each key, keeping the image's extension (a hash of the key: keys may hold any byte).
    static func fileName(key: String, rel: String) -> String {
        let digest = SHA256.hash(data: Data(key.utf8)).prefix(16).map { Printf.string("%02x", $0) }.joined()
        let name = rel.split(separator: "/").last ?? ""
        let ext = name.lastIndex(of: ".").map { String(name[$0...]).lowercased() } ?? ""
        return digest + (ext.count <= 6 && ext.allSatisfy { $0.isLetter || $0.isNumber || $0 == "." } ? ext : "")
    }
}
