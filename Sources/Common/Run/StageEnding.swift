import Glibc

/// How one img-thumb | spaces-put pair of a worker ended (spaces-get | img-thumb | spaces-put with --from-bucket),
/// from their exit statuses, and what the run does next.
public struct StageEnding: Sendable, Equatable {
    public enum Outcome: Sendable, Equatable {
        /// Every record it read was answered (0, 1, or 130 when interrupted).
        case answered
        /// spaces-put stopped on a fatal error (2): no batch starts any more.
        case fatal
        /// The server stopped answering (3): no batch starts any more.
        case unavailable
        /// A stage was killed or ended with a status that is no answer: the records it took and never
        /// answered fail with `reason`, and the worker starts a new pair for the batches left.
        case died(reason: String)
    }

    public let outcome: Outcome

    /// - Parameter get: spaces-get's status, when the worker downloads the originals (--from-bucket): its fatal
    ///   error (credentials, the bucket, its folder) stops the run as spaces-put's does.
    public init(get: Int32? = nil, thumb: Int32, put: Int32) {
        // A fatal error of either stage that talks to the server first, then a server gone, then deaths.
        let talking = [get, put].compactMap { $0 }
        if talking.contains(Toolkit.Exit.fatal) {
            outcome = .fatal
            return
        }
        if talking.contains(Toolkit.Exit.serverUnavailable) {
            outcome = .unavailable
            return
        }
        var reasons: [String] = []
        if let get, ![0, Toolkit.Exit.someFailed, 130].contains(get) { reasons.append(Self.describe("spaces-get", status: get)) }
        if thumb != 0 && thumb != Toolkit.Exit.someFailed { reasons.append(Self.describe("img-thumb", status: thumb)) }
        if ![0, Toolkit.Exit.someFailed, 130].contains(put) { reasons.append(Self.describe("spaces-put", status: put)) }
        outcome = reasons.isEmpty ? .answered : .died(reason: reasons.joined(separator: "; "))
    }

    /// Whether what ran the workers failed itself: xargs for any status but 0 (a worker always exits 0), GNU
    /// parallel above 101 (up to 101 it counts the batches that failed, whose records are reconciled).
    public static func dispatcherFailed(_ dispatcher: String, status: Int32) -> Bool {
        dispatcher == "parallel" ? status > 101 : status != 0
    }

    /// `img-thumb was killed by signal 9 (KILL)`, `spaces-put exited with status 4`: a shell's status above 128
    /// is death by signal status - 128.
    public static func describe(_ command: String, status: Int32) -> String {
        guard status > 128 else { return "\(command) exited with status \(status)" }
        let signal = status - 128
        let name = signalNames[signal].map { " (\($0))" } ?? ""
        return "\(command) was killed by signal \(signal)\(name)"
    }

    static let signalNames: [Int32: String] = [
        SIGHUP: "HUP", SIGINT: "INT", SIGQUIT: "QUIT", SIGILL: "ILL", SIGTRAP: "TRAP", SIGABRT: "ABRT", SIGBUS: "BUS",
        SIGFPE: "FPE", SIGKILL: "KILL", SIGUSR1: "USR1", SIGSEGV: "SEGV", SIGUSR2: "USR2", SIGPIPE: "PIPE",
        SIGALRM: "ALRM", SIGTERM: "TERM", SIGXCPU: "XCPU", SIGXFSZ: "XFSZ",
    ]
}
