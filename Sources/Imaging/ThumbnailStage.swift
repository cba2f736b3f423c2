import Common
import Crypto
import FoundationEssentials
import Glibc

/// `img-thumb`'s work on a stream of records: a thumbnail file for each pending record, or a failed record.
public final class ThumbnailStage {
    public let thumbnailer: Thumbnailer
    public let directory: String
    public private(set) var failedCount = 0
    /// Receives one line per record that fails and per input line that is not a record.
    let report: (String) -> Void

    /// Why a record gets no thumbnail, worded for its `error` field.
    public enum Failure: Error, CustomStringConvertible {
        /// The record lacks what img-thumb needs.
        case record(String)
        /// The image was refused (`ImagingError`).
        case image(ImagingError)
        /// The file changed while it was read.
        case changed
        /// The thumbnail file could not be written.
        case file(FileError)

        public var description: String {
            switch self {
            case .record(let why): return why
            case .image(let error): return error.description
            case .changed: return "changed while its thumbnail was made: run it again once it is complete"
            case .file(let error): return error.description
            }
        }
    }

    /// What the stage read and wrote, for its exit status and end line (`StreamTally`).
    public var stream = StreamTally()

    /// Creates `directory` (mode 0700) when it is missing.
    public init(thumbnailer: Thumbnailer, directory: String, report: @escaping (String) -> Void) throws(FileError) {
        self.thumbnailer = thumbnailer
        self.directory = directory
        self.report = report
        var info = stat()
        if stat(directory, &info) != 0 {
            guard mkdir(directory, 0o700) == 0 || errno == EEXIST else { throw FileError(path: directory, errno: errno) }
        } else if info.st_mode & S_IFMT != S_IFDIR {
            throw FileError(path: directory, reason: "not a folder")
        }
    }

    /// The thumbnails every record gets instead of those it names (`--thumbnails`), and how they are named.
    public var replacingThumbnails: (specs: [ThumbnailSpec], names: KeyMapper.ThumbnailNames)?

    /// The output line for one input line; nil for a blank line.
    public func process(line: Data, lineNumber: Int) -> Data? {
        RecordLine.output(for: line, lineNumber: lineNumber, failures: &failedCount, stream: &stream, report: report) { (pending: ImageRecord) -> ImageRecord in
            var record = pending
            // spaces-get's download is used once: whatever happens here, it is not needed any more.
            let download = Self.download(of: pending)
            defer { if let download { unlink(download) } }
            do throws(Failure) {
                if pending.download != nil && download == nil {
                    throw .record("its download \(pending.download ?? "") is not spaces-get's (an image of the bucket's, in a folder private to you)")
                }
                if let replacing = replacingThumbnails {
                    guard let replaced = ImageScanner.replacingThumbnails(of: record, with: replacing.specs, names: replacing.names) else {
                        throw .record("its key \(record.key ?? "(none)") is not PREFIX/original/ and its rel, so --thumbnails cannot name its thumbnails")
                    }
                    record = replaced
                }
                try makeThumbnail(for: &record, reading: download ?? record.path)
            } catch {
                record.status = .failed
                record.error = error.description
                // Marked, so that a resume of upload-images does not try the same bytes again (EarlierFailures).
                if case .image(let problem) = error, problem.isBrokenFile { record.reason = EarlierFailures.brokenImage }
                report("\(record.rel): \(error)")
            }
            record.download = nil
            return record
        }
    }

    /// spaces-get's file of an image of the bucket: honoured (and deleted once used) only on a `from_bucket`
    /// record, only by the name spaces-get gives, and only in its folder: one of this user's closed to others,
    /// with spaces-get's lock file in it.
    static func download(of record: ImageRecord) -> String? {
        guard record.fromBucket == true, let download = record.download, let slash = download.lastIndex(of: "/") else { return nil }
        let folder = String(download[..<slash])
        guard Downloader.isDownloadName(String(download[download.index(after: slash)...])),
              PrivateFolder.isPrivate(folder), DiskBudget.isBudgetFolder(folder) else { return nil }
        return download
    }

    /// Renders the thumbnail into `directory` and records where it is.
    /// - Parameter source: the image's file: its own, or spaces-get's copy of an object in the bucket.
    func makeThumbnail(for record: inout ImageRecord, reading source: String) throws(Failure) {
        guard let key = record.thumbnailKey, !key.isEmpty else { throw .record("record has no \"thumbnail_key\"") }
        let before = FileIdentity.of(path: source)
        let specs = try specs(of: record)
        let made = try render(path: source, specs: specs)
        // The thumbnails are of the file as it was while it was read; spaces-put uploads that file or none.
        guard let before, let after = FileIdentity.of(path: source), after == before else { throw .changed }
        record.thumbnailSource = before.recordValue
        let file = directory + "/" + Self.fileName(key: key, path: record.path, format: specs[0].format)
        do {
            try Self.writeAtomically(made[0], to: file)
        } catch {
            throw .file(error)
        }
        record.thumbnailPath = file
        record.thumbnailSize = Int64(made[0].count)
        do {
            try writeExtras(Array(made.dropFirst()), specs: Array(specs.dropFirst()), of: &record)
        } catch {
            unlink(file)
            throw error
        }
    }

    /// The thumbnails of the image at `path`, one per spec, in order, from one decode.
    public func render(path: String, specs: [ThumbnailSpec]) throws(Failure) -> [Data] {
        do {
            return try thumbnailer.render(path: path, specs: specs)
        } catch {
            throw .image(error)
        }
    }

    /// A name that differs for every record (a hash of its thumbnail key and path), so neither two records
    /// nor two processes working side by side can write the same file.
    public static func fileName(key: String, path: String, format: ThumbnailSpec.Format = .jpeg) -> String {
        let digest = SHA256.hash(data: Data((key + "\u{0}" + path).utf8))
        return Data(digest).hexString.prefix(32) + "." + format.fileExtension
    }

    /// Writes to a temporary name in the same folder, then renames: a reader never sees half a thumbnail.
    static func writeAtomically(_ data: Data, to path: String) throws(FileError) {
        let temporary = "\(path).\(getpid()).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw FileError(path: temporary, errno: errno) }
        var failure = FileWrite.all(data, fd: fd) ?? 0
        if close(fd) != 0 && failure == 0 { failure = errno }
        if failure == 0 && rename(temporary, path) != 0 { failure = errno }
        if failure != 0 {
            unlink(temporary)
            throw FileError(path: path, errno: failure)
        }
    }
}
