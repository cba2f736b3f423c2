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

    /// Whether a line can be read without waiting longer than `timeout` seconds: one is buffered, the input
    /// ended, or bytes came within it. A line that came only in part is then waited for by `next`.
    public func waitForLine(timeout: Double) -> Bool {
        if finished || buffer[start...].contains(UInt8(ascii: "\n")) { return true }
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&poller, 1, Int32(Swift.max(0, timeout) * 1000)) > 0
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
