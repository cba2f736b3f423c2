import ArgumentParser
import Common
import FoundationEssentials
import Glibc

/// After the pipeline of `--watch` ended (INT or TERM stopped img-scan --watch, and the stages after it
/// finished what they held): the images counted from the results, and a stage that stopped on a fatal error
/// ends the run after its summary (exit 2). `finish` follows.
struct Watched: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Account for a --watch run after its pipeline ended.")

    @OptionGroup var work: WorkOption

    @Argument(help: "The exit statuses of img-scan, spaces-exists, img-thumb and spaces-put.")
    var statuses: [Int32] = []

    func run() throws {
        let state = try Self.account(try work.state())
        let names = ["img-scan", "spaces-exists", "img-thumb", "spaces-put"]
        if let (name, status) = zip(names, statuses).first(where: { $0.1 >= Toolkit.Exit.fatal && $0.1 != Interruption.exitStatus }) {
            try Finish.summarize(state, kind: .complete, stoppedEarly: true)
            throw RunStep.die(state, "\(StageEnding.describe(name, status: status)); the watch stopped (see \(state.log))")
        }
    }

    /// What the watch took (img-scan's count of records sent) is what the run found; the summary counts the
    /// result lines against it (`RunSummary.countWatch`).
    static func account(_ given: RunState) throws -> RunState {
        var state = given
        try Finish.checkResults(state)
        let sent = WorkFile.number(state.work + "/scan.count").map(Int.init) ?? 0
        state.found = sent
        state.pending = sent
        state.decided = true
        state.uploading = true
        try RunStep.save(state)
        return state
    }
}
