import FoundationEssentials
import Glibc

/// The bytes of downloads on disk, kept under a cap by every spaces-get that shares the folder (the workers of a
/// run, or one-liners side by side): the folder's files are the budget, each download booked at its full size
/// before its first byte (its `.part` file made that long), under a lock (`flock` on `.lock`), so two processes
/// never both take the last room. A file leaves the budget when img-thumb deletes it.
public struct DiskBudget: Sendable {
    public let folder: String
    public let maxBytes: Int64

    public init(folder: String, maxBytes: Int64) {
        self.folder = folder
        self.maxBytes = maxBytes
    }

    /// The bytes of the files in the folder (downloads, whole or booked), and their names. A download becomes
    /// whole (`commit`) under the lock, so no count taken under it misses one being renamed.
    public func used() -> (bytes: Int64, names: Set<String>) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return (0, []) }
        var total: Int64 = 0, files: Set<String> = []
        for name in names where name != Self.lockName {
            var info = stat()
            guard lstat(folder + "/" + name, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { continue }
            total += Int64(info.st_size)
            files.insert(name)
        }
        return (total, files)
    }

    /// `partial` renamed to `whole`, under the lock.
    public func commit(_ partial: String, as whole: String) throws(FileError) {
        try locked { () throws(FileError) in
            guard rename(folder + "/" + partial, folder + "/" + whole) == 0 else { throw FileError(path: folder + "/" + whole, errno: errno) }
        }
    }

    /// `work` holding the folder's lock (`flock` on `.lock`; closing it releases the lock).
    func locked<T>(_ work: () throws(FileError) -> T) throws(FileError) -> T {
        let lock = open(folder + "/" + Self.lockName, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard lock >= 0 else { throw FileError(path: folder + "/" + Self.lockName, errno: errno) }
        defer { close(lock) }
        _ = flock(lock, LOCK_EX)
        return try work()
    }

    /// The file `name` made (new, mode 0600) and booked at `size` bytes when it fits beside what is on disk, or
    /// when nothing is (an object bigger than the cap goes alone), or `overCap`; nil when there is no room yet.
    /// Throws the reason the file cannot be made.
    public func book(_ name: String, size: Int64, overCap: Bool = false) throws(FileError) -> Int32? {
        try locked { () throws(FileError) -> Int32? in try bookLocked(name, size: size, overCap: overCap) }
    }

    private func bookLocked(_ name: String, size: Int64, overCap: Bool) throws(FileError) -> Int32? {
        var now = used()
        if !(overCap || now.names.isEmpty || now.bytes + size <= maxBytes) {
            // No room: first drop the bookings of processes that died before their download was whole.
            guard sweepDeadBookings(now.names) else { return nil }
            now = used()
            guard now.names.isEmpty || now.bytes + size <= maxBytes else { return nil }
        }
        let path = folder + "/" + name
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw FileError(path: path, errno: errno) }
        if size > 0 && ftruncate(fd, off_t(size)) != 0 {
            let failure = errno
            close(fd)
            unlink(path)
            throw FileError(path: path, errno: failure)
        }
        return fd
    }

    static let lockName = ".lock"

    /// Removes the `.part` files of processes that are gone (`Downloader.fileName` holds the pid); whole files
    /// stay, as img-thumb may still be on its way to them. Whether any was removed.
    private func sweepDeadBookings(_ names: Set<String>) -> Bool {
        var removed = false
        for name in names where name.hasSuffix(".part") {
            guard let pid = Downloader.pid(inFileName: name), kill(pid, 0) != 0, errno == ESRCH else { continue }
            removed = unlink(folder + "/" + name) == 0 || removed
        }
        return removed
    }

    /// Whether `folder` is a budget's: spaces-get's lock file is there.
    public static func isBudgetFolder(_ folder: String) -> Bool {
        var info = stat()
        return lstat(folder + "/" + lockName, &info) == 0 && info.st_mode & S_IFMT == S_IFREG
    }

    /// `--max-disk`'s default and rule (spaces-get's, and upload-images' for all its workers).
    public static let defaultCap = "256M"

    /// The cap in bytes, or nil when `text` is no size above 0.
    public static func cap(parsing text: String) -> Int64? { ByteSize.parse(text).flatMap { $0 > 0 ? $0 : nil } }

    public static func capProblem(_ text: String) -> String? {
        cap(parsing: text) == nil ? "--max-disk must be a size above 0, such as 512M or 2G (got '\(text)')" : nil
    }
}
