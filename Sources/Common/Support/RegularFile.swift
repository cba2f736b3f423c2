import FoundationEssentials
import Glibc

/// Opens a path for reading only when it names a regular file, without ever blocking on one that is not.
///
/// A record's path can name a FIFO, a device or a socket (a hand-edited records file, a named pipe that
/// matches `*.jpg`). A plain `open(2)` of a FIFO waits for a writer forever, and a character device can
/// be read forever. This opens with `O_NONBLOCK` (which makes `open` of a FIFO return at once), checks
/// `S_ISREG` with `fstat(2)` on the descriptor just opened, so that the file checked is the file read
/// whatever is renamed over the path meanwhile, then clears `O_NONBLOCK` again.
/// https://pubs.opengroup.org/onlinepubs/9799919799/functions/open.html
public enum RegularFile {
    /// Why a path could not be opened as a regular file.
    public enum Failure: Error, CustomStringConvertible, Sendable {
        /// `open` or `fstat` failed with this `errno`.
        case system(Int32)
        /// The path names something else: "a FIFO", "a folder", ...
        case notRegular(String)

        public var description: String {
            switch self {
            case .system(let code): return String(cString: strerror(code)).lowercased()
            case .notRegular(let kind): return "not a regular file (\(kind))"
            }
        }
    }

    /// A read-only descriptor of the regular file at `path` (the caller closes it) and its `fstat` data.
    public static func open(_ path: String) throws(Failure) -> (fd: Int32, info: stat) {
        let fd = openWithoutWaiting(path)
        guard fd >= 0 else { throw .system(errno) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let code = errno
            close(fd)
            throw .system(code)
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            throw .notRegular(kind(of: info.st_mode))
        }
        // Reads from a regular file never wait anyway; cleared so that the descriptor behaves as usual.
        let flags = fcntl(fd, F_GETFL)
        guard flags >= 0, fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) == 0 else {
            let code = errno
            close(fd)
            throw .system(code)
        }
        return (fd, info)
    }

    /// What a file of this `st_mode` is, as the reason names it.
    public static func kind(of mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFIFO: return "a FIFO"
        case S_IFDIR: return "a folder"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFSOCK: return "a socket"
        case S_IFLNK: return "a symbolic link"
        default: return "an unknown kind of file"
        }
    }
}

/// `open(2)` itself, which `RegularFile.open` hides by its name.
private func openWithoutWaiting(_ path: String) -> Int32 {
    open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
}
