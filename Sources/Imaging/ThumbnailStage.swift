import Common
import Crypto
import Foundation

/// `img-thumb`'s work on a stream of records: a thumbnail file for each pending record, or a failed record.
public final class ThumbnailStage {
    public let thumbnailer: Thumbnailer
    public let directory: String
    public private(set) var failedCount = 0

    /// Creates `directory` (mode 0700) when it is missing.
    public init(thumbnailer: Thumbnailer, directory: String) throws(FileError) {
        self.thumbnailer = thumbnailer
        self.directory = directory
        var info = stat()
        if stat(directory, &info) != 0 {
            guard mkdir(directory, 0o700) == 0 || errno == EEXIST else { throw FileError(path: directory, errno: errno) }
        } else if info.st_mode & S_IFMT != S_IFDIR {
            throw FileError(path: directory, reason: "not a folder")
        }
    }

    /// The output line for one input line; nil for a blank line.
    public func process(line: Data, lineNumber: Int) -> Data? {
        RecordLine.output(for: line, lineNumber: lineNumber, failures: &failedCount) { (pending: ImageRecord) -> ImageRecord in
            var record = pending
            do throws(FileError) {
                try makeThumbnail(for: &record)
            } catch {
                record.status = .failed
                record.error = error.reason
                Console.error("\(record.rel): \(error.reason)")
            }
            return record
        }
    }

    /// Renders the thumbnail into `directory` and records where it is.
    func makeThumbnail(for record: inout ImageRecord) throws(FileError) {
        guard let key = record.thumbnailKey, !key.isEmpty else { throw FileError(path: record.rel, reason: "record has no \"thumbnail_key\"") }
        let before = FileIdentity.of(path: record.path)
        let jpeg: Data
        do {
            jpeg = try thumbnailer.render(path: record.path)
        } catch {
            throw FileError(path: record.path, reason: error.description)
        }
        // The thumbnail is of the file as it was while it was read; spaces-put uploads that file or none.
        guard let before, let after = FileIdentity.of(path: record.path), after == before else {
            throw FileError(path: record.path, reason: "changed while its thumbnail was made: run it again once it is complete")
        }
        record.thumbnailSource = before.recordValue
        let file = directory + "/" + Self.fileName(key: key, path: record.path)
        try Self.writeAtomically(jpeg, to: file)
        record.thumbnailPath = file
        record.thumbnailSize = Int64(jpeg.count)
    }

    /// A name that differs for every record (a hash of its thumbnail key and path), so neither two records
    /// nor two processes working side by side can write the same file.
    public static func fileName(key: String, path: String) -> String {
        let digest = SHA256.hash(data: Data((key + "\u{0}" + path).utf8))
        return Data(digest).hexString.prefix(32) + ".jpg"
    }

    /// Writes to a temporary name in the same folder, then renames: a reader never sees half a thumbnail.
    static func writeAtomically(_ data: Data, to path: String) throws(FileError) {
        let temporary = "\(path).\(getpid()).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw FileError(path: temporary, errno: errno) }
        var failure: Int32 = 0
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                offset += written
            }
        }
        if close(fd) != 0 && failure == 0 { failure = errno }
        if failure == 0 && rename(temporary, path) != 0 { failure = errno }
        if failure != 0 {
            unlink(temporary)
            throw FileError(path: path, errno: failure)
        }
    }
}
