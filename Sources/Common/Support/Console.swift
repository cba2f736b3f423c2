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
        // One line per message: a newline inside a file name must not forge a second message.
        let flat = message.replacingOccurrences(of: "\n", with: "\\n")
        let text = level.map { "\(commandName): \($0): \(flat)\n" } ?? "\(commandName): \(flat)\n"
        _ = text.withCString { write(STDERR_FILENO, $0, strlen($0)) }
    }

    /// Makes a broken stdout pipe an ordinary end (EPIPE from write) rather than death by SIGPIPE.
    public static func ignoreSIGPIPE() {
        signal(SIGPIPE, SIG_IGN)
    }
}
