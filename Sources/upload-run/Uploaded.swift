import ArgumentParser
import Common
import FoundationEssentials
import Glibc

/// After the workers: every image to upload gets its result line (`Reconciler`), and a run that a fatal error
/// or its workers' failure stopped ends here (summary, exit 2). A server that stopped answering ends the upload
/// early but not the run: its summary follows, and nothing is deleted.
struct Uploaded: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Account for every image after the workers ended.")

    @OptionGroup var work: WorkOption

    @Option(help: ArgumentHelp("What ran the workers (xargs or parallel), for messages.", valueName: "name"))
    var dispatcher = "xargs"

    @Argument(help: "The dispatcher's exit status.")
    var status: Int32 = 0

    func run() throws {
        var state = try work.state()
        guard state.uploading else { return }
        let log = RunStep.log(state)
        try Finish.checkResults(state)
        let folder = state.work
        if WorkFile.exists("\(folder)/fatal") {
            try Finish.reconcile(state, reason: "not attempted: a fatal error stopped the upload")
            try Finish.summarize(state, kind: .complete)
            throw RunStep.die(state, "a fatal error stopped the upload (see \(state.log))")
        } else if WorkFile.exists("\(folder)/unavailable") {
            // Batches never started are reported too: every image ends uploaded, skipped or failed with a reason.
            try Finish.reconcile(state, reason: "not attempted: the server stopped answering during the run")
            log.say("the server stopped answering; the run ended early (rerun to finish the job)")
            state.unavailable = true
            try RunStep.save(state)
        } else if StageEnding.dispatcherFailed(dispatcher, status: status) {
            try Finish.reconcile(state, reason: "not attempted: the upload workers failed (\(dispatcher) exit \(status))")
            try Finish.summarize(state, kind: .complete)
            throw RunStep.die(state, "the upload workers failed (\(dispatcher) exit \(status); see \(state.log))")
        } else {
            try Finish.reconcile(state, reason: "no result from img-thumb | spaces-put")
        }
        guard WorkFile.exists("\(folder)/delete.args") else { return }
        if state.unavailable {
            unlink("\(folder)/delete.args")
            log.say("nothing deleted: the server stopped answering")
        } else {
            RunStep.sayDeleting(state)
        }
    }
}
