import ArgumentParser
import Common
import FoundationEssentials

/// A command's stderr, read as it comes: every line to the log, timestamped; errors and warnings also to the
/// console, each warning once per run (`RunLog.relay`).
struct Log: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Relay stdin (a command's stderr) to the run's log and console.")

    @OptionGroup var work: WorkOption

    func run() throws {
        let state = try work.state()
        // Read as the lines come (a lazy sequence): the warnings given so far are read once.
        RunStep.log(state).relay(lines: LineReader().lazy.map { String(decoding: $0, as: UTF8.self) })
    }
}
