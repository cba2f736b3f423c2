import ArgumentParser
import Common

/// No batch starts any more (an interruption): the stop file, and the queue renamed away, as after a fatal error.
struct Stop: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Stop the start of new batches.")

    @OptionGroup var work: WorkOption

    func run() throws { Ended.stop(work.work) }
}
