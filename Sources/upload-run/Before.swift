import ArgumentParser
import Common
import FoundationEssentials

/// After spaces-put --abort-incomplete (or --list-incomplete), run once before the uploads: what it aborted, said.
/// One that cannot be aborted, or a listing that fails, is a warning: the run goes on, and the next run tries
/// again.
struct Before: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Say what the abort of incomplete multipart uploads did.")

    @OptionGroup var work: WorkOption

    @Argument(help: "spaces-put's exit status.")
    var status: Int32

    func run() throws {
        let state = try work.state()
        let log = RunStep.log(state)
        RunStep.relay(file: state.work + "/before.err", state)
        guard let age = state.options.abortIncomplete else { return }
        let folder = state.options.prefixFolder
        var aborted = 0, failed = 0
        for line in WorkFile.lines(state.work + "/before.jsonl") {
            guard let record = try? JSONDecoder().decode(AbortRecord.self, from: line) else { continue }
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
