import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// Reads newline-terminated lines from a file descriptor without loading the whole input.
public final class LineReader: Sequence, IteratorProtocol {
    private let fd: Int32
    private var buffer: [UInt8] = []
    private var start = 0
    private var finished = false
    public private(set) var lineNumber = 0

    public init(fd: Int32 = STDIN_FILENO) { self.fd = fd }

    /// The next line without its `\n` (a final line without one is returned too); nil at the end.
    public func next() -> Data? {
        while true {
            if let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
                let line = Data(buffer[start..<newline])
                start = newline + 1
                lineNumber += 1
                return line
            }
            if finished {
                guard start < buffer.count else { return nil }
                let line = Data(buffer[start...])
                start = buffer.count
                lineNumber += 1
                return line
            }
            fill()
        }
    }

    private func fill() {
        if start > 0 {
            buffer.removeFirst(start)
            start = 0
        }
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        let got = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if got < 0 && errno == EINTR { return }
        if got <= 0 {
            finished = true
            return
        }
        buffer.append(contentsOf: chunk[0..<got])
    }
}

/// Writes each line with a single `write(2)`, so lines from parallel writers sharing a pipe never interleave.
public enum LineWriter {
    /// Why output could not be written.
    public enum Failure: Error, Equatable, CustomStringConvertible {
        /// The reader went away (EPIPE): an ordinary end for a pipeline stage, as `head` expects.
        case closed
        /// Anything else (a full disk), with the system's reason.
        case failed(String)

        public var description: String {
            switch self {
            case .closed: return "the reader closed the pipe"
            case .failed(let why): return "cannot write output: \(why)"
            }
        }
    }

    /// Writes `line` plus `\n`.
    public static func writeLine(_ line: Data, fd: Int32 = STDOUT_FILENO) throws(Failure) {
        var bytes = line
        bytes.append(UInt8(ascii: "\n"))
        if let code = FileWrite.all(bytes, fd: fd) { throw Failure(errno: code) }
    }

    /// Writes many lines, as few at a time as fit in PIPE_BUF (4,096 bytes) together: a pipe delivers such a
    /// write whole, so the lines still never interleave with another writer's, and a reader wakes up once per
    /// chunk instead of once per line. A longer line goes alone.
    public static func writeLines<Lines: Sequence>(_ lines: Lines, fd: Int32 = STDOUT_FILENO) throws(Failure) where Lines.Element == Data {
        let limit = Int(PIPE_BUF)
        var chunk = Data(capacity: limit)
        for line in lines {
            if !chunk.isEmpty && chunk.count + line.count + 1 > limit {
                if let code = FileWrite.all(chunk, fd: fd) { throw Failure(errno: code) }
                chunk.removeAll(keepingCapacity: true)
            }
            chunk.append(line)
            chunk.append(UInt8(ascii: "\n"))
        }
        if !chunk.isEmpty, let code = FileWrite.all(chunk, fd: fd) { throw Failure(errno: code) }
    }
}

/// The one write loop of the toolkit: all of `bytes`, going on after a signal (EINTR).
public enum FileWrite {
    /// nil when every byte was written; otherwise the `errno` that stopped it.
    public static func all(_ bytes: Data, fd: Int32) -> Int32? {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += written
            }
            return nil
        }
    }
}

extension LineWriter.Failure {
    init(errno code: Int32) {
        self = code == EPIPE ? .closed : .failed(String(cString: strerror(code)))
    }
}
