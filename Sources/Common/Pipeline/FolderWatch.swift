import FoundationEssentials
import Glibc

/// The folders of a scan watched with inotify (`img-scan --watch`): which files were written and closed, moved
/// in or linked in, which folders appeared (their files may predate the watch on them), and whether the kernel's
/// queue overflowed (events were lost: the tree must be scanned again). Waits in `poll`: no polling loop. Which
/// folders to watch is the scan's walk's business (`WatchScan`): one name per real folder, no link loops.
/// https://man7.org/linux/man-pages/man7/inotify.7.html
public final class FolderWatch {
    public enum Event: Equatable {
        /// A file written and closed, or moved in (relative path bytes).
        case file([UInt8])
        /// A folder created or moved in: watched from now on; what is in it is to be scanned.
        case folder([UInt8])
        /// The queue overflowed: events were lost.
        case overflow
    }

    public let root: [UInt8]
    private let rules: ScanRules
    private let fd: Int32
    /// Each watch's folder, relative to the root.
    private var folders: [Int32: [UInt8]] = [:]
    private static let mask = UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_ONLYDIR)

    /// Folders that could not be watched (the per-user limit, no permission), with the reason, since the last call.
    public private(set) var problems: [String] = []
    /// The limit of watches was met (said once).
    private var reachedLimit = false

    public init(root: String, rules: ScanRules) throws(FileError) {
        self.root = Array(root.utf8)
        self.rules = rules
        fd = inotify_init1(Int32(IN_CLOEXEC | IN_NONBLOCK))
        guard fd >= 0 else { throw FileError(path: root, reason: "cannot watch it: \(String(cString: strerror(errno)))") }
    }

    deinit { close(fd) }

    /// The folders watched.
    public var count: Int { folders.count }

    /// Watches the folder `rel` (bytes relative to the root; [] for the root) from now on. A folder already
    /// watched keeps its watch (inotify gives the same one back), under the name it has now.
    public func watch(_ rel: [UInt8]) {
        let path = rel.isEmpty ? root : root + [UInt8(ascii: "/")] + rel
        let wd = Walk.withCPath(path) { inotify_add_watch(fd, $0, Self.mask) }
        guard wd >= 0 else {
            if errno == ENOSPC {
                if !reachedLimit {
                    reachedLimit = true
                    problems.append("cannot watch more folders: the limit of inotify watches is reached (sysctl fs.inotify.max_user_watches); new images in folders from \(ImageScanner.escaped(path)) on are not seen until the next run")
                }
            } else if errno != ENOENT && errno != ENOTDIR {
                problems.append("\(ImageScanner.escaped(path)): cannot watch it (\(String(cString: strerror(errno)))); new images in it are not seen until the next run")
            }
            return
        }
        folders[wd] = rel
    }

    /// The problems met since the last call, then forgotten.
    public func takeProblems() -> [String] {
        defer { problems = [] }
        return problems
    }

    /// The events that came within `timeout` seconds (none when it passed first, or a signal came).
    public func next(timeout: Double) -> [Event] {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, Int32(timeout * 1000)) > 0 else { return [] }
        var events: [Event] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let got = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard got > 0 else { break }
            events += parse(buffer[..<got])
        }
        return events
    }

    /// The events in a buffer `read` from the inotify descriptor: struct inotify_event (wd, mask, cookie, len,
    /// then `len` bytes of NUL-padded name), one after another.
    func parse(_ bytes: ArraySlice<UInt8>) -> [Event] {
        var events: [Event] = []
        var offset = bytes.startIndex
        func word(_ at: Int) -> UInt32 {
            UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
        }
        while offset + 16 <= bytes.endIndex {
            let wd = Int32(bitPattern: word(offset)), mask = word(offset + 4), length = Int(word(offset + 12))
            let name = Array(bytes[(offset + 16)..<min(bytes.endIndex, offset + 16 + length)].prefix { $0 != 0 })
            offset += 16 + length
            if mask & UInt32(IN_Q_OVERFLOW) != 0 {
                events.append(.overflow)
                continue
            }
            if mask & UInt32(IN_IGNORED) != 0 {
                folders[wd] = nil
                continue
            }
            guard let folder = folders[wd], !name.isEmpty else { continue }
            let rel = folder.isEmpty ? name : folder + [UInt8(ascii: "/")] + name
            if mask & UInt32(IN_ISDIR) != 0 {
                if mask & UInt32(IN_CREATE | IN_MOVED_TO) != 0 && rules.ignoredFolder(name) == nil { events.append(.folder(rel)) }
            } else if mask & UInt32(IN_CLOSE_WRITE | IN_MOVED_TO) != 0 {
                events.append(.file(rel))
            } else if mask & UInt32(IN_CREATE) != 0 && Self.arrivedWhole(root + [UInt8(ascii: "/")] + rel) {
                events.append(.file(rel))
            }
        }
        return events
    }

    /// Whether a file that was only created (no writer closed it) came whole: a symbolic link, or a new hard
    /// link to a file that exists (`ln`, `cp -l`). A new file being written has one link and will be closed.
    static func arrivedWhole(_ path: [UInt8]) -> Bool {
        var info = stat()
        guard Walk.withCPath(path, { lstat($0, &info) }) == 0 else { return false }
        return info.st_mode & S_IFMT == S_IFLNK || (info.st_mode & S_IFMT == S_IFREG && info.st_nlink > 1)
    }

    /// For tests: a watch's folder, as if `inotify_add_watch` had returned `wd` for it.
    func pretendWatching(_ wd: Int32, folder: [UInt8]) { folders[wd] = folder }
}
