import FoundationEssentials
import Glibc

/// The run's log file (timestamped lines, full detail) and what reaches the console (info the run says, the
/// commands' warnings and errors). The log is for reading later: a log that can no longer be written (a full
/// disk) never stops the run.
public struct RunLog: Sendable {
    public let path: String
    /// The warnings given so far in this run, one a line: a warning that every batch repeats (a .env readable
    /// by others) is shown and logged once per run, whichever command gave it.
    public let warnedPath: String?
    /// Whether the console is a terminal, where a progress bar may be on the last line.
    public let terminal: Bool

    public init(path: String, warnedPath: String? = nil, terminal: Bool = isatty(STDERR_FILENO) == 1) {
        self.path = path
        self.warnedPath = warnedPath
        self.terminal = terminal
    }

    /// `2026-12-07 01:35:12 text`, local time.
    public static func timestamped(_ text: String, at time: time_t = Glibc.time(nil)) -> String {
        var now = time
        var parts = tm()
        localtime_r(&now, &parts)
        return Printf.string("%04d-%02d-%02d %02d:%02d:%02d ", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
                             parts.tm_hour, parts.tm_min, parts.tm_sec) + text
    }

    public func line(_ text: String) {
        WorkFile.append(Data((Self.timestamped(text) + "\n").utf8), to: path, mode: 0o600)
    }

    /// Text for the log as it is (the summary's lines): no timestamps.
    public func raw(_ text: String) {
        WorkFile.append(Data(text.utf8), to: path, mode: 0o600)
    }

    /// On the console (clearing a progress bar first) and in the log.
    public func say(_ text: String) {
        console(text)
        line(text)
    }

    public func console(_ text: String) {
        let clear = terminal ? "\r\u{1B}[K" : ""
        _ = FileWrite.all(Data((clear + text + "\n").utf8), fd: STDERR_FILENO)
    }

    /// What to do with one line a command wrote on stderr.
    public enum Relay: Equatable {
        /// Logged only (info, debug).
        case log
        /// Logged and shown (errors, and warnings the first time).
        case show
        /// Neither: a warning this run gave already.
        case drop
    }

    /// The rule for a command's stderr line: errors and warnings reach the console, the rest the log alone; a
    /// warning given before in this run (`warned`) is dropped.
    public static func relay(_ line: String, warned: Set<String>) -> Relay {
        if let range = line.firstRange(of: ": warning: ") {
            return warned.contains(String(line[range.upperBound...])) ? .drop : .show
        }
        return line.contains(": error: ") ? .show : .log
    }

    /// Relays the lines a command wrote on stderr (`relay`), recording the new warnings in `warnedPath`.
    public func relay(lines: some Sequence<String>) {
        var warned = Set(warnedPath.map { WorkFile.lines($0).map { String(decoding: $0, as: UTF8.self) } } ?? [])
        for text in lines {
            switch Self.relay(text, warned: warned) {
            case .drop:
                continue
            case .log:
                line(text)
            case .show:
                if let range = text.firstRange(of: ": warning: "), let warnedPath {
                    let warning = String(text[range.upperBound...])
                    warned.insert(warning)
                    WorkFile.append(Data((warning + "\n").utf8), to: warnedPath, mode: 0o600)
                }
                line(text)
                console(text)
            }
        }
    }
}
