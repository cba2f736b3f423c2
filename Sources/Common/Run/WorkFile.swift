import FoundationEssentials
import Glibc

/// Small whole-file reads and writes of a run's work folder and its own files.
public enum WorkFile {
    /// The whole file, or nil when it cannot be read.
    public static func read(_ path: String) -> Data? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = Glibc.read(fd, &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { return nil }
            if count == 0 { return data }
            data.append(contentsOf: buffer[..<count])
        }
    }

    /// The whole number a small work file holds (a count, an exit status), whitespace around it left out; nil
    /// when it cannot be read or holds anything else.
    public static func number(_ path: String) -> Int64? {
        Int64(text(path).filter { !$0.isWhitespace })
    }

    /// The whole file as text (UTF-8, anything else replaced), or "" when it cannot be read.
    public static func text(_ path: String) -> String {
        read(path).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    /// Writes `data` to a new file renamed over `path`, so a reader sees the old file or the new one, whole.
    public static func replace(_ path: String, with data: Data, mode: mode_t = 0o600) throws(FileError) {
        let temporary = path + ".new"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode)
        guard fd >= 0 else { throw FileError(path: path, errno: errno) }
        let failed = FileWrite.all(data, fd: fd)
        close(fd)
        if let failed {
            unlink(temporary)
            throw FileError(path: path, errno: failed)
        }
        guard rename(temporary, path) == 0 else { throw FileError(path: path, errno: errno) }
    }

    /// Appends `data` in one write (whole lines from several processes never mix); errno on failure.
    @discardableResult
    public static func append(_ data: Data, to path: String, mode: mode_t = 0o644) -> Int32? {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, mode)
        guard fd >= 0 else { return errno }
        defer { close(fd) }
        return FileWrite.all(data, fd: fd)
    }

    /// NUL-terminated words, as the shell reads them with `mapfile -d ''`.
    public static func writeWords(_ words: [String], to path: String) throws(FileError) {
        try replace(path, with: nulTerminated(words))
    }

    /// The words of a file `writeWords` wrote; none when it cannot be read.
    public static func words(_ path: String) -> [String] {
        guard let data = read(path) else { return [] }
        return data.split(separator: 0, omittingEmptySubsequences: false).dropLast().map { String(decoding: $0, as: UTF8.self) }
    }

    /// Each word followed by a NUL.
    public static func nulTerminated(_ words: [String]) -> Data {
        var data = Data()
        for word in words {
            data.append(contentsOf: word.utf8)
            data.append(0)
        }
        return data
    }

    public static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    /// The lines of a small file (a batch, a note), each without its newline; empty lines left out.
    public static func lines(_ path: String) -> [Data] {
        var lines: [Data] = []
        eachLine(of: path) { lines.append($0) }
        return lines
    }

    /// Each non-empty line of a file of any size, read as it goes (`eachLineBytes`, each line copied out);
    /// nothing when it cannot be read.
    public static func eachLine(of path: String, _ body: (Data) -> Void) {
        eachLineBytes(of: path) { body(Data($0)) }
    }

    /// Each non-empty line of a file of any size, in place in a buffer of a MiB or more (no copy of a line):
    /// for the million lines of a large resume. Nothing when the file cannot be read.
    public static func eachLineBytes(of path: String, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var kept = 0  // the bytes of a line begun, at the buffer's start
        while true {
            if kept == buffer.count { buffer.append(contentsOf: repeatElement(0, count: buffer.count)) }
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + kept, $0.count - kept) }
            if count < 0 && errno == EINTR { continue }
            let filled = kept + max(count, 0)
            let ended = count <= 0
            kept = buffer.withUnsafeBufferPointer { bytes in
                var start = 0
                while start < filled {
                    guard let found = memchr(bytes.baseAddress! + start, 0x0A, filled - start) else { break }
                    let end = bytes.baseAddress!.distance(to: found.assumingMemoryBound(to: UInt8.self))
                    if end > start { body(UnsafeBufferPointer(rebasing: bytes[start..<end])) }
                    start = end + 1
                }
                if ended && start < filled {  // a last line without its newline
                    body(UnsafeBufferPointer(rebasing: bytes[start..<filled]))
                    start = filled
                }
                return filled - start
            }
            if ended { return }
            if kept > 0 && kept < filled {
                buffer.withUnsafeMutableBytes { raw in _ = memmove(raw.baseAddress!, raw.baseAddress! + (filled - kept), kept) }
            }
        }
    }

    /// Appends the file of lines at `source` as it is, a MiB at a time (a last line without its newline gets one,
    /// so that what is appended next starts a line of its own); errno on failure. A missing `source` adds nothing.
    public static func append(fileAt source: String, to path: String, mode: mode_t = 0o644) -> Int32? {
        let input = open(source, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { return errno == ENOENT ? nil : errno }
        defer { close(input) }
        let output = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, mode)
        guard output >= 0 else { return errno }
        defer { close(output) }
        var buffer = Data(count: 1 << 20), ended = true
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(input, $0.baseAddress!, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count < 0 { return errno }
            if count == 0 { return ended ? nil : FileWrite.all(Data([UInt8(ascii: "\n")]), fd: output) }
            if let failed = FileWrite.all(buffer.prefix(count), fd: output) { return failed }
            ended = buffer[count - 1] == UInt8(ascii: "\n")
        }
    }

    /// Begins the new file `path` with the file of lines at `source`, which is gone after: renamed to it when
    /// both are on one file system and `path` is still empty (no byte copied: a resume of a million images has
    /// 580 MB of finished records), appended to it otherwise (`append(fileAt:)`). `path` keeps the mode it is
    /// created with (`mode`, less the umask), and its last line ends with a newline. errno on failure.
    public static func begin(_ path: String, withLinesOf source: String, mode: mode_t = 0o644) -> Int32? {
        if let failed = append(Data(), to: path, mode: mode) { return failed }
        var made = stat()
        guard stat(path, &made) == 0 else { return errno }
        // The mode first: the file is never readable by more than `path` would be (presigned URLs are secrets).
        if made.st_size == 0 && chmod(source, made.st_mode & 0o7777) == 0 && rename(source, path) == 0 {
            return endLastLine(path)
        }
        defer { unlink(source) }
        return append(fileAt: source, to: path, mode: mode)
    }

    /// Appends a newline to the file at `path` when its last byte is not one; errno on failure.
    public static func endLastLine(_ path: String) -> Int32? {
        let fd = open(path, O_RDWR | O_APPEND | O_CLOEXEC)
        guard fd >= 0 else { return errno }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return errno }
        guard info.st_size > 0 else { return nil }
        var last: UInt8 = 0
        guard pread(fd, &last, 1, info.st_size - 1) == 1 else { return errno }
        return last == UInt8(ascii: "\n") ? nil : FileWrite.all(Data([UInt8(ascii: "\n")]), fd: fd)
    }

    /// Appends whole lines, a newline after each, in writes of about a MiB; errno on failure.
    public static func appendLines(_ lines: [Data], to path: String, mode: mode_t = 0o644) -> Int32? {
        var chunk = Data()
        for line in lines {
            chunk.append(line)
            chunk.append(UInt8(ascii: "\n"))
            if chunk.count >= 1 << 20 {
                if let failed = append(chunk, to: path, mode: mode) { return failed }
                chunk.removeAll(keepingCapacity: true)
            }
        }
        return chunk.isEmpty ? nil : append(chunk, to: path, mode: mode)
    }
}
