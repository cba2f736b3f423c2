import FoundationEssentials
import Glibc

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

extension LineWriter.Failure {
    init(errno code: Int32) {
        self = code == EPIPE ? .closed : .failed(String(cString: strerror(code)))
    }
}
