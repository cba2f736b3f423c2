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

    /// A pipe this stage writes to (its stdout): when its reader is gone (a later stage died), reading stops as
    /// at the end of the input, even while no input comes, so that a stage of a pipeline that does not end
    /// (`--watch`) ends with the stage after it instead of waiting for ever.
    public let output: Int32?
    /// Reading stopped because `output` has no reader any more.
    public private(set) var outputClosed = false

    public init(fd: Int32 = STDIN_FILENO, output: Int32? = nil) {
        self.fd = fd
        self.output = output
    }

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
        return wait(milliseconds: Int32(Swift.max(0, timeout) * 1000))
    }

    /// Waits for input (or its end) up to `milliseconds` (-1: as long as it takes); true when there is some to
    /// read. A closed `output` ends the input.
    private func wait(milliseconds: Int32) -> Bool {
        var pollers = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0)]
        if let output { pollers.append(pollfd(fd: output, events: 0, revents: 0)) }
        while true {
            let ready = poll(&pollers, nfds_t(pollers.count), milliseconds)
            if ready < 0 && errno == EINTR && milliseconds < 0 { continue }
            // poll failing otherwise: a read says what is there.
            if ready < 0 && errno != EINTR { return true }
            guard ready > 0 else { return false }
            if pollers.count > 1 && pollers[1].revents & Int16(POLLERR | POLLHUP) != 0 {
                // Nowhere to send what is read: a line begun is dropped, not taken for a whole one.
                outputClosed = true
                finished = true
                start = buffer.count
            }
            return true
        }
    }

    /// Whether the reader of the pipe `fd` is gone (a regular file or a terminal never says so).
    public static func readerGone(_ fd: Int32) -> Bool {
        var poller = pollfd(fd: fd, events: 0, revents: 0)
        return poll(&poller, 1, 0) > 0 && poller.revents & Int16(POLLERR | POLLHUP) != 0
    }

    private func fill() {
        if start > 0 {
            buffer.removeFirst(start)
            start = 0
        }
        if output != nil {
            guard wait(milliseconds: -1), !finished else { return }
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
