import Glibc

/// The files a run leaves in the folder it was started from, named after its start time: a second run started
/// in the same second gets a suffix rather than the first's files.
public struct RunFiles: Sendable, Equatable {
    public var log: String
    public var results: String
    public var failures: String
    public var review: String

    public init(folder: String, stamp: String, suffix: String) {
        log = "\(folder)/upload_log_\(stamp)\(suffix).log"
        results = "\(folder)/upload_results_\(stamp)\(suffix).jsonl"
        failures = "\(folder)/upload_failures_\(stamp)\(suffix).jsonl"
        review = "\(folder)/upload_review_\(stamp)\(suffix).html"
    }

    /// Creates the log file of a new run in `folder` (never one that exists): its files, or nil when no name is free.
    public static func create(in folder: String, stamp: String, mode: mode_t) -> RunFiles? {
        for suffix in [""] + (2...99).map({ "_\($0)" }) {
            let files = RunFiles(folder: folder, stamp: stamp, suffix: suffix)
            let fd = open(files.log, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode)
            if fd >= 0 {
                close(fd)
                return files
            }
            if errno != EEXIST { return nil }
        }
        return nil
    }

    /// `20261207_013512`, local time.
    public static func stamp(_ time: time_t = time(nil)) -> String {
        var now = time
        var parts = tm()
        localtime_r(&now, &parts)
        return Printf.string("%04d%02d%02d_%02d%02d%02d", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
                             parts.tm_hour, parts.tm_min, parts.tm_sec)
    }
}
