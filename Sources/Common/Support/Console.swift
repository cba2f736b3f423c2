import FoundationEssentials
import Glibc

/// Messages for people, on stderr, prefixed with the command's name: `spaces-put: error: ...`.
/// Stdout is reserved for records.
public enum Console {
    nonisolated(unsafe) public static var commandName = "spaces"
    nonisolated(unsafe) public static var debugEnabled = false

    public static func error(_ message: String) { emit("error", message) }
    public static func warning(_ message: String) { emit("warning", message) }
    public static func info(_ message: String) { emit(nil, message) }

    public static func debug(_ message: @autoclosure () -> String) {
        if debugEnabled { emit("debug", message()) }
    }

    private static func emit(_ level: String?, _ message: String) {
        // One line per message: a newline inside a file name must not forge a second message, and a
        // control character in one (ESC) must not drive the terminal: both are shown escaped.
        let flat = Self.escapingControls(message)
        let text = level.map { "\(commandName): \($0): \(flat)\n" } ?? "\(commandName): \(flat)\n"
        _ = text.withCString { write(STDERR_FILENO, $0, strlen($0)) }
    }

    /// `\n` for a newline, `\xNN` for the other control characters (tab kept), the rest as it is.
    static func escapingControls(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { ($0.value < 0x20 && $0 != "\t") || $0.value == 0x7F }) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x0A: out += "\\n"
            case 0x09: out.unicodeScalars.append(scalar)
            case 0..<0x20, 0x7F: out += Printf.string("\\x%02X", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// The process's peak resident memory so far, in MB (10^6 bytes), for debug lines: `VmHWM` of
    /// /proc/self/status, this program's own. (`ru_maxrss` would also count the parent that forked it, from
    /// before the exec.) -1 when it cannot be read.
    public static var peakMemoryMegabytes: Int {
        let fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return -1 }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: 8192)
        let count = read(fd, &bytes, bytes.count)
        guard count > 0 else { return -1 }
        let status = String(decoding: bytes[..<count], as: UTF8.self)
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kilobytes = Int(line.dropFirst("VmHWM:".count).filter(\.isNumber)) else { return -1 }
        return kilobytes * 1024 / 1_000_000
    }

    /// `1 request`, `2 requests`: a count with its noun, for messages.
    public static func count(_ number: Int, _ noun: String) -> String { "\(number) \(noun)\(number == 1 ? "" : "s")" }

    /// Makes a broken stdout pipe an ordinary end (EPIPE from write) rather than death by SIGPIPE.
    public static func ignoreSIGPIPE() {
        signal(SIGPIPE, SIG_IGN)
    }
}
