import Common
import FoundationEssentials

/// What spaces-put --abort-incomplete (or --list-incomplete) did, said by `decided`: the script runs it beside
/// img-scan | spaces-exists, once, before any upload. One that cannot be aborted, or a listing that fails, is a
/// warning: the run goes on, and the next run tries again.
enum IncompleteUploadsStep {
    /// Relays spaces-put's messages and says what it aborted; nothing when it did not run (a dry run).
    static func report(_ state: RunState) {
        let work = state.work
        guard WorkFile.exists(work + "/before.args") else { return }
        let log = RunStep.log(state)
        RunStep.relay(file: work + "/before.err", state)
        guard let age = state.options.abortIncomplete else { return }
        let status = WorkFile.number(work + "/before.status").flatMap { Int32(exactly: $0) } ?? Toolkit.Exit.fatal
        let folder = state.options.prefixFolder
        var aborted = 0, failed = 0
        let decoder = JSONDecoder()
        for line in WorkFile.lines(work + "/before.jsonl") {
            guard let record = try? decoder.decode(AbortRecord.self, from: line) else { continue }
            log.line("aborted incomplete upload \(record.uploadId) of \(record.key), started \(record.age.map(String.init) ?? "?") s ago: \(record.status?.rawValue ?? "?")")
            if record.status == .aborted { aborted += 1 } else if record.status == .failed { failed += 1 }
        }
        if status > Toolkit.Exit.someFailed {
            log.say("\(RunStep.name): warning: could not list the incomplete multipart uploads under \(folder)/ (spaces-put exit \(status)); none aborted")
        } else if aborted + failed > 0 {
            log.say("aborted \(aborted) incomplete multipart upload(s) under \(folder)/ started more than \(age) ago\(failed == 0 ? "" : "; \(failed) could not be (see the log)")")
        } else {
            log.line("no incomplete multipart upload under \(folder)/ started more than \(age) ago")
        }
    }
}
