import FoundationEssentials

/// After an upload with --hosts, from parallel's joblog (each batch's last try) and hosts-ssh.bash's notes of
/// every try: how long each batch's last try took, and where; every try of a batch tried more than once; and for
/// a last try that ended without its end line (the connection failed or was lost), why, for the batch's records.
public enum HostReview {
    public struct Result: Equatable {
        public var messages: [String] = []
        /// Batch name and its reason, for the records it never answered.
        public var died: [(batch: String, reason: String)] = []

        public static func == (a: Result, b: Result) -> Bool {
            a.messages == b.messages && a.died.map(\.batch) == b.died.map(\.batch) && a.died.map(\.reason) == b.died.map(\.reason)
        }
    }

    /// `tries`: lines SEQ TAB HOST TAB STATUS TAB LAST-MESSAGE; `ended`: the batches whose end line arrived;
    /// `joblog`: parallel's (Seq Host Starttime JobRuntime Send Receive Exitval Signal Command).
    public static func review(tries: String, ended: Set<String>, joblog: String) -> Result {
        var tried: [String: [String]] = [:]
        for line in tries.split(separator: "\n") {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard fields.count >= 3 else { continue }
            let last = fields.count > 3 && !fields[3].isEmpty ? ": \(fields[3])" : ""
            tried[fields[0], default: []].append("\(fields[1])\(fields[2] == "0" ? " ok" : " failed (exit \(fields[2])\(last))")")
        }
        var result = Result()
        for line in joblog.split(separator: "\n") {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard fields.count >= 8, let seq = Int(fields[0]), fields[6] != "97" else { continue }
            let batch = BatchPlan.name(seq - 1)
            let here = fields[1] == ":"
            let host = here ? "this machine" : fields[1]
            var attempts = tried[fields[0]] ?? []
            if here { attempts.append("this machine \(fields[6] == "0" ? "ok" : "failed (exit \(fields[6]))")") }
            result.messages.append("\(batch) took \(Printf.string("%.3f", seconds(fields[3]))) s on \(host)")
            if attempts.count > 1 { result.messages.append("\(batch): \(attempts.count) tries: \(attempts.joined(separator: "; "))") }
            if (fields[6] != "0" || fields[7] != "0") && !ended.contains(batch) {
                let why = fields[6] == "255" ? "the ssh connection failed or was lost (ssh exit 255)"
                    : fields[7] != "0" ? "its job was killed by signal \(fields[7])" : "its job exited with status \(fields[6])"
                result.died.append((batch, "on \(host): \(why)"))
                result.messages.append("\(batch) on \(host): \(why)")
            }
        }
        return result
    }

    /// A joblog's runtime, which parallel pads with spaces (`     2.330`).
    static func seconds(_ field: String) -> Double { Double(field.trimmingWhitespace()) ?? 0 }

    /// Which hosts of `entries` ("N/LOGIN") passed the probe (one `LOGIN TAB ok` line in `output`), and why each
    /// other did not: its first other tagged line, or a probe parallel stopped at `limit` seconds.
    public static func probe(entries: [String], output: String, joblog: String, limit: Int) -> (kept: [String], left: [(login: String, why: String)]) {
        var kept: [String] = []
        var left: [(String, String)] = []
        let lines = output.unicodeScalars.split(separator: "\n").map { String(String.UnicodeScalarView($0)) }
        let jobs = joblog.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        for entry in entries {
            let login = String(entry[(entry.firstIndex(of: "/").map { entry.index(after: $0) } ?? entry.startIndex)...])
            if lines.contains("\(login)\tok") {
                kept.append(entry)
                continue
            }
            // parallel's --tag puts the login before each line; ssh ends its own with CR LF.
            var why = lines.lazy.filter { $0.hasPrefix("\(login)\t") }.map { line -> String in
                let text = line.dropFirst(login.count + 1)
                return String(text[..<(text.firstIndex(of: "\r") ?? text.endIndex)])
            }.first { !$0.isEmpty && $0 != "ok" }
            if why == nil, jobs.contains(where: { $0.count >= 7 && $0[1] == login && $0[6] != "0" && seconds($0[3]) + 0.5 >= Double(limit) }) {
                why = "its login did not answer within \(limit) s (--connect-timeout to connect, as long again to log in)"
            }
            left.append((login, why ?? "it did not answer"))
        }
        return (kept, left)
    }
}
