/// When the progress is shown, and where: on a terminal a bar redrawn at every look (twice a second); a plain
/// line every `interval` seconds into the log, and onto the console too when it is not a terminal. A watch, which
/// can sit idle for days, writes its plain line only when it changed. The line keeps coming for the whole run,
/// however long: nothing here depends on how many images there are.
public struct ProgressCadence: Sendable {
    public static let interval = 5.0

    public let terminal: Bool
    public let onlyChanges: Bool
    private var lastTime: Double?
    private var lastText = ""

    public init(terminal: Bool, onlyChanges: Bool) {
        self.terminal = terminal
        self.onlyChanges = onlyChanges
    }

    /// What to write for one look at the progress, at `now` (seconds, monotonic).
    public struct Writes: Equatable, Sendable {
        /// The bar, redrawn in place on the terminal.
        public var bar: String?
        /// The plain line for the console (a pipe or a file).
        public var console: String?
        /// The plain line for the log.
        public var log: String?
    }

    public mutating func look(at now: Double, bar: String, plain: String) -> Writes {
        var writes = Writes(bar: terminal ? bar : nil)
        let due = lastTime.map { now - $0 >= Self.interval } ?? true
        guard due, !(onlyChanges && plain == lastText) else { return writes }
        lastTime = now
        lastText = plain
        writes.log = plain
        if !terminal { writes.console = plain }
        return writes
    }
}
