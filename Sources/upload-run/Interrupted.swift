import ArgumentParser
import Common
import FoundationEssentials

/// After INT or TERM stopped the run and the script stopped every process it started: before the upload,
/// nothing was uploaded; during it, every record not answered fails as interrupted, and the partial summary.
/// Exit 130.
struct Interrupted: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "End an interrupted run: its records, its partial summary; exit 130.")

    @OptionGroup var work: WorkOption

    func run() throws {
        guard var state = try? RunState.load(from: work.work) else { throw ExitCode(130) }
        Console.commandName = RunStep.name
        let log = RunStep.log(state)
        // --watch: what the pipeline answered before it was stopped is the run (the next run takes up the rest).
        if state.options.watch, let accounted = try? Watched.account(state) { state = accounted }
        guard state.uploading else {
            log.say("interrupted before the upload began; nothing was uploaded")
            throw ExitCode(130)
        }
        try? Finish.reconcile(state, reason: "", forced: "interrupted before it was uploaded (run again to finish the job)")
        _ = try? Finish.summarize(state, kind: .interrupted)
        throw ExitCode(130)
    }
}
