import ArgumentParser
import Common

/// After spaces-put --delete, whose lines went to the results file: a fatal error or a death ends the run (exit
/// 2, after the summary); an interruption is the interrupt step's.
struct Deleted: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Read how the deletion ended.")

    @OptionGroup var work: WorkOption

    @Argument(help: "spaces-put --delete's exit status.")
    var status: Int32

    func run() throws {
        let state = try work.state()
        RunStep.relay(file: state.work + "/delete.err", state)
        try Finish.checkResults(state)
        switch status {
        case 0, Toolkit.Exit.someFailed, 130:
            return
        case Toolkit.Exit.fatal:
            try Finish.summarize(state, kind: .complete)
            throw RunStep.die(state, "a fatal error stopped the deletion (see \(state.log))")
        default:
            try Finish.summarize(state, kind: .complete)
            throw RunStep.die(state, "\(StageEnding.describe("spaces-put", status: status)) while deleting (see \(state.log))")
        }
    }
}
