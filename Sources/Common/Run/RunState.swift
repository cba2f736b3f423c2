import FoundationEssentials
import Glibc

/// One run of `upload-images`, kept in its work folder (`run.json`) from one step to the next: the options, the
/// run's files, and what the decision found. Each `upload-run` step reads it, does its part and saves it.
public struct RunState: Codable, Sendable {
    public var options: RunOptions
    /// The command line as typed, for the log.
    public var commandLine: String
    public var work: String
    public var bin: String
    public var log: String
    public var results: String
    public var failures: String
    public var review: String
    /// When the run started (seconds since the epoch), for the elapsed time and the rates.
    public var started: Double
    /// The workers in all: --workers, or with --hosts every host's together.
    public var workers: Int
    /// What the decision found: images in all, those finished before the upload (skipped, failed in the
    /// scan) by status, and those to upload with their bytes.
    public var decided = false
    public var found = 0
    public var finished = 0
    public var skipped = 0
    public var earlyFailed = 0
    public var earlyOther = 0
    public var pending = 0
    /// Images an earlier run found broken whose file is unchanged: failed again without a try (`EarlierFailures`).
    public var unchanged = 0
    /// The earlier run's results file they come from.
    public var earlierResults: String?
    public var pendingBytes: Int64 = 0
    /// Where the finished records end in the results file (they begin it): the summary of a run that needs
    /// no line of them starts reading there.
    public var finishedEnd: Int64 = 0
    /// img-scan's line about what it left out ("ignored 3: ..."), for the summary.
    public var ignored: String?
    /// The objects --delete-removed would delete.
    public var removals = RemovalCount()
    /// Set once the upload began (the results file exists) and once the server stopped answering.
    public var uploading = false
    /// --hosts: the tag before every record a host answers (`HostDispatch.newTag`), set when the upload begins.
    public var hostTag: String?
    public var unavailable = false

    public struct RemovalCount: Codable, Sendable {
        public var originals = 0
        public var thumbnails = 0
        public var total: Int { originals + thumbnails }
        public init() {}
    }

    public init(options: RunOptions, commandLine: String, work: String, bin: String, files: RunFiles, started: Double) {
        self.options = options
        self.commandLine = commandLine
        self.work = work
        self.bin = bin
        log = files.log
        results = files.results
        failures = files.failures
        review = files.review
        self.started = started
        workers = options.workerCount
    }

    public static func path(in work: String) -> String { work + "/run.json" }

    public static func load(from work: String) throws -> RunState {
        let path = path(in: work)
        guard let data = WorkFile.read(path) else { throw FileError(path: path, reason: "cannot read the run's state") }
        return try JSONDecoder().decode(RunState.self, from: data)
    }

    /// Written whole to a new file renamed over the old one: a step that dies never leaves half of it.
    public func save() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(self)
        try WorkFile.replace(Self.path(in: work), with: data)
    }

    public var elapsed: Double { max(0, Date().timeIntervalSince1970 - started) }
    public var dryRun: Bool { options.dryRun }

    /// The mode of the run's files: with --presign they hold URLs that open private objects, and are the user's
    /// alone, as the .env is.
    public var fileMode: mode_t { options.presign != nil ? 0o600 : 0o666 }
}
