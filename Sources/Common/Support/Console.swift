import Foundation

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
            case 0..<0x20, 0x7F: out += String(format: "\\x%02X", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// The process's peak resident memory so far (`ru_maxrss`), in MB (10^6 bytes), for debug lines.
    public static var peakMemoryMegabytes: Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss * 1024 / 1_000_000
    }

    /// `1 request`, `2 requests`: a count with its noun, for messages.
    public static func count(_ number: Int, _ noun: String) -> String { "\(number) \(noun)\(number == 1 ? "" : "s")" }

    /// Makes a broken stdout pipe an ordinary end (EPIPE from write) rather than death by SIGPIPE.
    public static func ignoreSIGPIPE() {
        signal(SIGPIPE, SIG_IGN)
    }
}
