import FoundationEssentials

/// Reads what GNU parallel hands back under `upload-images --hosts`: the last try of each batch, framed by
/// hosts-worker.bash: RS `begin` TAB BATCH TAB HOST, the records (each line behind US, the run's tag and a TAB),
/// RS `end` TAB BATCH TAB STATUS TAB HOST TAB REASON, RS. Whole records are results; a line cut short (a
/// connection lost mid-line) is left out, so its record fails. Any other text (banners of a host's login files,
/// or what they left running) is never a record: it is logged once per host, and the records go on.
public struct HostFrames {
    /// What one piece (the text between two RS) leads to.
    public struct Outcome: Equatable {
        /// Result lines, each without its newline.
        public var results: [Data] = []
        /// Lines for the log.
        public var messages: [String] = []
        /// A batch that ended (its name), and whether it stopped the run, with the death's reason.
        public var ended: String?
        public var died: String?
        public var stop: String?
    }

    public let tag: String
    private var batch = "?"
    private var host = "?"
    private var answered = 0
    private var told = Set<String>()
    private var stray: [String] = []

    public init(tag: String) { self.tag = tag }

    /// One piece: the bytes between two RS (0x1e).
    public mutating func read(_ piece: Data) -> Outcome {
        var outcome = Outcome()
        guard !piece.isEmpty else { return outcome }
        var lines = piece.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        let head = lines[0].split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        let marker = "\u{1F}\(tag)\t"
        switch head[0] {
        case "begin":
            lines.removeFirst()
            batch = head.count > 1 ? head[1] : "?"
            host = head.count > 2 ? head[2] : "?"
            answered = 0
            flushStray(into: &outcome)
            // The last line is empty when the piece ends with a newline; otherwise it was cut short.
            let cut = lines.popLast() ?? ""
            for line in lines {
                if line.hasPrefix(marker), line.dropFirst(marker.count).hasPrefix("{"), line.hasSuffix("}") {
                    outcome.results.append(Data(line.dropFirst(marker.count).utf8))
                    answered += 1
                } else if line.contains(where: { !$0.isWhitespace }) {
                    stray.append(line)
                }
            }
            flushStray(into: &outcome)
            if cut.hasPrefix(marker) {
                outcome.messages.append("\(batch) on \(host): a line cut short, left out: \(cut.prefix(200))")
            } else if cut.contains(where: { !$0.isWhitespace }) {
                stray.append(cut)
            }
        case "end":
            var status = head.count > 2 ? head[2] : "died"
            var reason = head.count > 4 ? head[4] : ""
            // exit:T:P: how the batch's img-thumb and spaces-put ended.
            let codes = status.split(separator: ":").dropFirst().compactMap { Int32($0) }
            if status.hasPrefix("exit:"), codes.count == 2 {
                switch StageEnding(thumb: codes[0], put: codes[1]).outcome {
                case .answered: status = "ok"
                case .fatal: (status, reason) = ("fatal", "spaces-put stopped: a fatal error (its message is in the log)")
                case .unavailable: (status, reason) = ("unavailable", "the server stopped answering")
                case .died(let why): (status, reason) = ("died", why)
                }
            }
            batch = head.count > 1 ? head[1] : "?"
            host = head.count > 3 ? head[3] : "?"
            stray += lines.dropFirst()
            flushStray(into: &outcome)
            outcome.ended = batch
            if status == "ok" {
                outcome.messages.append("\(batch) on \(host): \(answered) results")
                return outcome
            }
            outcome.messages.append("\(batch) on \(host): \(answered) results, then \(status): \(reason)")
            if status != "unavailable" { outcome.died = "on \(host): \(reason)" }
            if status == "fatal" || status == "unavailable" { outcome.stop = status }
        default:
            stray += lines
        }
        return outcome
    }

    /// Text that is not ours, logged the first time a host sends any (its host is known at the next frame).
    private mutating func flushStray(into outcome: inout Outcome) {
        guard host != "?" else { return }
        let shown = stray.filter { $0.contains(where: { !$0.isWhitespace }) }
        if !shown.isEmpty && !told.contains(host) {
            told.insert(host)
            outcome.messages.append("host \(host) printed text that is not a record (its login files?), left out: \(shown.map { String($0.prefix(200)) }.joined(separator: " | "))")
            outcome.messages.append("host \(host): such text is logged once per host")
        }
        stray = []
    }
}
